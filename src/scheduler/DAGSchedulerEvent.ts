import type { ActiveJob } from './ActiveJob.js';
import type { TaskStatusUpdate } from './TaskStatusUpdate.js';
import type { TaskInfo } from './TaskInfo.js';

/** Everything the DAG scheduler reacts to. One event loop handles them one at a time. */
export type DAGSchedulerEvent =
  | { readonly type: 'jobSubmitted'; readonly job: Omit<ActiveJob, 'finalStage' | 'outputIndex'> & { readonly rdd: import('../engine/RDD.js').RDD<unknown> } }
  | { readonly type: 'taskStarted'; readonly task: TaskInfo }
  | { readonly type: 'taskCompleted'; readonly task: TaskInfo; readonly update: TaskStatusUpdate }
  | { readonly type: 'taskSetFailed'; readonly stageId: number; readonly stageAttempt: number; readonly reason: string; readonly lastError: import('./TaskError.js').TaskError | undefined; readonly partition: number; readonly attempts: number }
  | { readonly type: 'executorAdded'; readonly executorId: string; readonly host: string }
  | { readonly type: 'executorLost'; readonly executorId: string; readonly reason: string }
  | { readonly type: 'jobCancelled'; readonly jobId: number; readonly reason: string }
  | { readonly type: 'jobGroupCancelled'; readonly groupId: string }
  | { readonly type: 'allJobsCancelled'; readonly reason: string }
  | { readonly type: 'resubmitFailedStages' };

export function assertNever(value: never): never {
  throw new Error(`internal: unhandled case ${JSON.stringify(value)}`);
}
