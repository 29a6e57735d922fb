/**
 * The output commit protocol (Hadoop's FileOutputCommitter v1 with Spark's
 * OutputCommitCoordinator): a task attempt writes its part file under
 * `<out>/_temporary/<jobKey>/<attempt>/`, then — after its compute, on the executor — asks the
 * driver whether it may commit. The first attempt to ask for a (job, partition) wins; the
 * winner renames its file to `<out>/part-NNNNN`, losers delete theirs.
 *
 * A result function that writes output returns a PendingCommit instead of a plain value; the
 * executor recognises it, asks, renames (or discards) and reports `result` as the task result.
 */
export interface PendingCommit {
  readonly kind: 'kuberdd.pendingCommit';
  /** Names the output job (the `_temporary/<jobKey>` directory); the coordinator's key. */
  readonly jobKey: string;
  readonly partition: number;
  readonly outputDir: string;
  /** The attempt's private directory, removed after the commit or the denial. */
  readonly attemptDir: string;
  readonly attemptFile: string;
  /** Where the file goes on commit: `<out>/part-NNNNN`. */
  readonly finalFile: string;
  /** The task's result once committed (records written). */
  readonly result: unknown;
}

/** What an executor asks the driver before committing a task attempt's output. */
export interface CommitRequest {
  readonly jobKey: string;
  readonly partition: number;
  readonly taskAttemptId: number;
  readonly attemptNumber: number;
  readonly executorId: string;
}

export function isPendingCommit(value: unknown): value is PendingCommit {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'kuberdd.pendingCommit';
}

/** `part-00000`: Hadoop's name for partition 0's output file. */
export function partFileName(partition: number): string {
  return `part-${String(partition).padStart(5, '0')}`;
}
