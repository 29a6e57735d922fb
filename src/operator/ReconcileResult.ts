/** What a reconcile asks of the queue: to be called again after a while (a deadline, a backoff), or not. */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}
