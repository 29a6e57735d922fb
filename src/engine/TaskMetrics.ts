/** Counters one task attempt reports to the driver (MapReduce's counters, Spark's task metrics). */
export interface TaskMetrics {
  executorRunTimeMs: number;
  /**
   * Records the stage's pipeline read from its sources: an input split or a parallelized
   * slice, a persisted RDD's partition (cached or computed to be cached), and shuffle records
   * fetched (counted before reduce-side aggregation, so they match the map side's records out).
   */
  recordsIn: number;
  /** Records the stage produced: shuffle records written (map stages) or records handed to the action (result stages). */
  recordsOut: number;
  /** Records read from input files (text, object and checkpoint files). */
  recordsRead: number;
  /** Records written to output files (`saveAs*File`). */
  recordsWritten: number;
  bytesRead: number;
  bytesWritten: number;
  shuffleRecordsWritten: number;
  shuffleBytesWritten: number;
  shuffleRecordsRead: number;
  shuffleBytesRead: number;
  /** Bytes of sorted runs written to disk when shuffle buffers exceeded their budget. */
  spillBytes: number;
  resultBytes: number;
  /** Input records dropped by bad-record skipping. */
  skippedRecords: number;
}

export function emptyTaskMetrics(): TaskMetrics {
  return {
    executorRunTimeMs: 0,
    recordsIn: 0,
    recordsOut: 0,
    recordsRead: 0,
    recordsWritten: 0,
    bytesRead: 0,
    bytesWritten: 0,
    shuffleRecordsWritten: 0,
    shuffleBytesWritten: 0,
    shuffleRecordsRead: 0,
    shuffleBytesRead: 0,
    spillBytes: 0,
    resultBytes: 0,
    skippedRecords: 0,
  };
}

/** Adds `from` into `into`; a counter missing from `from` (an older executor's report) adds nothing. */
export function addTaskMetrics(into: TaskMetrics, from: Readonly<TaskMetrics>): void {
  for (const key of Object.keys(into) as (keyof TaskMetrics)[]) into[key] += from[key] ?? 0;
}
