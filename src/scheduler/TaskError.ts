/** Why a task attempt failed, as reported by the executor. */
export interface TaskError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  /** The first stack frame in the user's own function, if one could be found. */
  readonly userFrame?: string | undefined;
  /** Set when a shuffle block could not be fetched: the scheduler recomputes that map output. */
  readonly fetchFailed?:
    | { readonly shuffleId: number; readonly mapId: number; readonly reduceId: number; readonly executorId: string }
    | undefined;
  /** The attempt was killed on request (cancellation, a losing speculative copy), or its commit was denied. */
  readonly killed?: boolean | undefined;
  /**
   * Attempts run with `isolateRecords`: the position, in the task's input, of the record being
   * processed when the failure happened. Absent when the failure came from reading a source or
   * happened while no input record was being processed.
   */
  readonly failedRecordIndex?: number | undefined;
}
