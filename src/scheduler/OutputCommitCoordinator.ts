import type { CommitRequest } from '../engine/output/PendingCommit.js';

/** The driver's answer to "may I commit?". */
export interface CommitDecision {
  readonly allowed: boolean;
  /** Why not, when denied. */
  readonly reason?: string;
}

interface Holder {
  readonly taskAttemptId: number;
  readonly attemptNumber: number;
  readonly executorId: string;
}

/**
 * Decides which task attempt may commit each partition of an output job (Spark's
 * OutputCommitCoordinator). The first attempt to ask for a (job, partition) is authorized;
 * later attempts are denied and discard their output, so each partition is committed once
 * even when attempts race. An authorized attempt that fails, is killed or loses its executor
 * before it finishes releases the right, so a retry can commit. Asks for jobs that are not
 * running (never started, failed, finished) are denied.
 */
export class OutputCommitCoordinator {
  /** jobKey → partition → the authorized attempt. */
  readonly #jobs = new Map<string, Map<number, Holder>>();

  /** The driver starts an output job: its tasks may now ask. */
  startJob(jobKey: string): void {
    if (!this.#jobs.has(jobKey)) this.#jobs.set(jobKey, new Map());
  }

  /** The job ended (either way): every later ask is denied. */
  stopJob(jobKey: string): void {
    this.#jobs.delete(jobKey);
  }

  isRunning(jobKey: string): boolean {
    return this.#jobs.has(jobKey);
  }

  canCommit(request: CommitRequest): CommitDecision {
    const job = this.#jobs.get(request.jobKey);
    if (job === undefined) return { allowed: false, reason: `output job ${request.jobKey} is not running` };
    const holder = job.get(request.partition);
    if (holder === undefined) {
      job.set(request.partition, {
        taskAttemptId: request.taskAttemptId,
        attemptNumber: request.attemptNumber,
        executorId: request.executorId,
      });
      return { allowed: true };
    }
    if (holder.taskAttemptId === request.taskAttemptId) return { allowed: true };
    return {
      allowed: false,
      reason: `partition ${request.partition} of output job ${request.jobKey} is committed by task ${holder.taskAttemptId} (attempt ${holder.attemptNumber})`,
    };
  }

  /** A task attempt ended without success (failed or killed): it gives up any right it held. */
  taskFailed(taskAttemptId: number): void {
    for (const job of this.#jobs.values()) {
      for (const [partition, holder] of job) if (holder.taskAttemptId === taskAttemptId) job.delete(partition);
    }
  }

  /** An executor is gone: its attempts will never report, so their rights are released. */
  executorLost(executorId: string): void {
    for (const job of this.#jobs.values()) {
      for (const [partition, holder] of job) if (holder.executorId === executorId) job.delete(partition);
    }
  }
}
