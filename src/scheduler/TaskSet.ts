import type { CachedRddIdentity } from './TaskDescription.js';

/** The tasks of one stage attempt, handed from the DAG scheduler to the task scheduler. */
export interface TaskSet {
  readonly stageId: number;
  readonly stageAttempt: number;
  /** Lower runs first: the id of the earliest job that needs the stage (FIFO, as Spark). */
  readonly priority: number;
  readonly kind: 'shuffleMap' | 'result';
  readonly partitions: readonly number[];
  /** Per task: executors holding its input (cached blocks), best first. */
  readonly preferredExecutors: readonly (readonly string[])[];
  readonly binaryId: string;
  readonly binary: Uint8Array;
  readonly jobGroup: string | undefined;
  /** The persisted RDDs the stage's tasks compute, by lineage identity (when a restarted driver may reuse their cached partitions). */
  readonly cachedRddIdentities?: readonly CachedRddIdentity[] | undefined;
}
