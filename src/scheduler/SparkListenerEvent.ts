import type { TaskMetrics } from '../engine/TaskMetrics.js';

/**
 * What the scheduler reports as a job runs. The CLI's progress bar and summary, status pages
 * and the operator's progress field are all built from these events.
 */
export type SparkListenerEvent =
  | {
      readonly type: 'jobStart';
      readonly jobId: number;
      readonly description: string;
      readonly stageIds: readonly number[];
      readonly time: number;
    }
  | {
      readonly type: 'stageSubmitted';
      readonly stageId: number;
      readonly attempt: number;
      readonly name: string;
      /** Tasks this attempt will run (missing partitions only). */
      readonly numTasks: number;
      /** All partitions of the stage. */
      readonly numPartitions: number;
      readonly time: number;
    }
  | {
      readonly type: 'stageSkipped';
      readonly jobId: number;
      readonly stageId: number;
      readonly name: string;
      readonly numPartitions: number;
    }
  | {
      readonly type: 'taskStart';
      readonly stageId: number;
      readonly taskId: number;
      readonly partition: number;
      readonly attempt: number;
      readonly executorId: string;
      /** A backup copy of a straggler (speculative execution). */
      readonly speculative: boolean;
    }
  | {
      readonly type: 'taskEnd';
      readonly stageId: number;
      /** The stage attempt the task belonged to (absent: 0). */
      readonly stageAttempt?: number;
      readonly taskId: number;
      readonly partition: number;
      readonly attempt: number;
      readonly executorId: string;
      readonly successful: boolean;
      /** Why it failed or was killed; absent on success. */
      readonly reason?: string;
      /** The attempt was killed (a cancelled job, the losing copy of a speculated task) or its output commit was denied; such attempts are not failures. */
      readonly killed?: boolean;
      /** The attempt was a backup copy of a straggler. */
      readonly speculative?: boolean;
      readonly metrics: Readonly<TaskMetrics>;
      readonly durationMs: number;
    }
  | {
      readonly type: 'stageCompleted';
      readonly stageId: number;
      readonly attempt: number;
      readonly name: string;
      readonly numTasks: number;
      readonly failureReason?: string;
      readonly metrics: Readonly<TaskMetrics>;
      readonly time: number;
    }
  | {
      readonly type: 'jobEnd';
      readonly jobId: number;
      readonly succeeded: boolean;
      readonly error?: string;
      readonly time: number;
    }
  | { readonly type: 'executorAdded'; readonly executorId: string; readonly host: string; readonly cores: number }
  | { readonly type: 'executorRemoved'; readonly executorId: string; readonly reason: string };

export type SparkListener = (event: SparkListenerEvent) => void;
