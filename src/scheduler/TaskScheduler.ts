import type { TaskSet } from './TaskSet.js';

/** What the DAG scheduler needs from the task scheduler. */
export interface TaskScheduler {
  submitTasks(taskSet: TaskSet): void;
  /** Drops the stage's pending tasks and kills its running ones. */
  cancelTasks(stageId: number, reason: string): void;
  /** Another attempt of this partition finished: stop retrying it in older attempts' task sets. */
  markPartitionCompleted(stageId: number, partition: number): void;
  defaultParallelism(): number;
}
