/** A persisted RDD of a stage and its lineage identity (engine/lineageIdentity.ts). */
export interface CachedRddIdentity {
  readonly rddId: number;
  readonly identity: string;
}

/** One task attempt, as sent to an executor. */
export interface TaskDescription {
  readonly taskId: number;
  /** The executor the task was offered to. */
  readonly executorId: string;
  readonly attemptNumber: number;
  readonly stageId: number;
  readonly stageAttempt: number;
  readonly partition: number;
  readonly kind: 'shuffleMap' | 'result';
  /** Names the stage binary; executors cache binaries by this id. */
  readonly binaryId: string;
  /** The encoded StageBinary, included the first time an executor is sent this binary id. */
  readonly binary?: Uint8Array | undefined;
  /**
   * Bad-record skipping: feed the stage's pipeline one input record per batch, so that a
   * failure can be pinned to the input record being processed (reported as
   * `TaskError.failedRecordIndex`).
   */
  readonly isolateRecords?: boolean | undefined;
  /** Records to skip in this attempt (bad-record skipping), by input position. */
  readonly skipRecords?: readonly number[] | undefined;
  /**
   * With the binary: the persisted RDDs the stage computes, by lineage identity, so that an
   * executor can offer their cached partitions to a restarted driver.
   */
  readonly cachedRddIdentities?: readonly CachedRddIdentity[] | undefined;
}
