/** Counters one task attempt reports to the driver (MapReduce's counters, Spark's task metrics). */
export interface TaskMetrics {
  executorRunTimeMs: number;
  recordsRead: number;
  recordsWritten: number;
  bytesRead: number;
  bytesWritten: number;
  shuffleRecordsWritten: number;
  shuffleBytesWritten: number;
  shuffleRecordsRead: number;
  shuffleBytesRead: number;
  spillBytes: number;
  resultBytes: number;
  skippedRecords: number;
}

export function emptyTaskMetrics(): TaskMetrics {
  return {
    executorRunTimeMs: 0,
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

export function addTaskMetrics(into: TaskMetrics, from: Readonly<TaskMetrics>): void {
  for (const key of Object.keys(into) as (keyof TaskMetrics)[]) into[key] += from[key];
}
