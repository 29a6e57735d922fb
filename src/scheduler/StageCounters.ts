/**
 * What one stage did, summed over its task attempts. Records, bytes and skipped records count
 * each partition's first successful attempt per stage attempt (Spark-style: failed, killed and
 * duplicate speculative attempts add nothing); task time sums every attempt's executor run time,
 * since all of it was spent.
 */
export interface StageCounters {
  readonly stageId: number;
  /** `reduceByKey at wordcount.ts:7` */
  readonly name: string;
  /** Stage attempts submitted (a resubmission after a fetch failure adds one). */
  readonly attempts: number;
  readonly tasks: {
    readonly succeeded: number;
    readonly failed: number;
    /** Killed attempts (cancelled, losing speculative copies, denied commits): not failures. */
    readonly killed: number;
    /** Backup copies of stragglers that ran (won, lost or failed). */
    readonly speculative: number;
  };
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly shuffleBytesWritten: number;
  readonly shuffleBytesRead: number;
  readonly spillBytes: number;
  readonly taskTimeMs: number;
  /** Input records dropped by bad-record skipping. */
  readonly skippedRecords: number;
}
