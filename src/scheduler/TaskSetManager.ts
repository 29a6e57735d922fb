import type { TaskError } from './TaskError.js';
import type { TaskInfo } from './TaskInfo.js';
import type { TaskSet } from './TaskSet.js';
import { PendingTasks } from './PendingTasks.js';

/** What to do after a task attempt failed. */
export type FailureOutcome =
  | { readonly kind: 'retry' }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'abort'; readonly reason: string; readonly partition: number; readonly attempts: number };

/**
 * Schedules the tasks of one stage attempt: which task goes to which offered executor
 * (preferring executors that cache its input, for up to `localityWaitMs`), how many
 * attempts a task gets, and when the set is done.
 */
export class TaskSetManager {
  readonly #pending: PendingTasks;
  /** Partition → task index. */
  readonly #indexOf: Map<number, number>;
  readonly #attempts: number[];
  readonly #failures: number[];
  readonly #succeeded: boolean[];
  readonly #running = new Map<number, TaskInfo>();
  #numSucceeded = 0;
  #lastLaunch = Date.now();
  #zombie = false;
  #lastError: TaskError | undefined;

  constructor(
    readonly taskSet: TaskSet,
    private readonly maxTaskFailures: number,
    private readonly localityWaitMs: number,
  ) {
    const n = taskSet.partitions.length;
    this.#attempts = new Array<number>(n).fill(0);
    this.#failures = new Array<number>(n).fill(0);
    this.#succeeded = new Array<boolean>(n).fill(false);
    this.#pending = new PendingTasks(taskSet.preferredExecutors);
    for (let i = 0; i < n; i++) this.#pending.add(i);
    this.#indexOf = new Map(taskSet.partitions.map((p, i) => [p, i]));
  }

  get isZombie(): boolean {
    return this.#zombie;
  }

  get runningTasks(): ReadonlyMap<number, TaskInfo> {
    return this.#running;
  }

  get hasPending(): boolean {
    return !this.#zombie && this.#pending.size > 0;
  }

  get isFinished(): boolean {
    return (this.#zombie || this.#numSucceeded === this.taskSet.partitions.length) && this.#running.size === 0;
  }

  get lastError(): TaskError | undefined {
    return this.#lastError;
  }

  /**
   * A task for this executor, or undefined. Tasks whose input is cached elsewhere wait up to
   * the locality wait for their executor (delay scheduling), unless it is gone.
   */
  resourceOffer(executorId: string, _alive: ReadonlySet<string>, now: number, nextTaskId: () => number): TaskInfo | undefined {
    if (!this.hasPending) return undefined;
    const index = this.#pending.take(executorId, now - this.#lastLaunch >= this.localityWaitMs);
    if (index < 0) return undefined;
    this.#lastLaunch = now;
    const info: TaskInfo = {
      taskId: nextTaskId(),
      stageId: this.taskSet.stageId,
      stageAttempt: this.taskSet.stageAttempt,
      partition: this.taskSet.partitions[index]!,
      index,
      attemptNumber: this.#attempts[index]!++,
      executorId,
      launchTime: now,
      speculative: false,
      kind: this.taskSet.kind,
    };
    this.#running.set(info.taskId, info);
    return info;
  }

  /** True when tasks wait only for locality: the scheduler should offer again after the wait. */
  get waitingForLocality(): boolean {
    return !this.#zombie && this.#pending.onlyLocalityBound;
  }

  get localityWait(): number {
    return this.localityWaitMs;
  }

  handleSuccess(taskId: number): TaskInfo[] {
    const info = this.#running.get(taskId);
    if (info === undefined) return [];
    this.#running.delete(taskId);
    if (!this.#succeeded[info.index]) {
      this.#succeeded[info.index] = true;
      this.#numSucceeded++;
    }
    // Other attempts of the same partition are no longer needed.
    return [...this.#running.values()].filter((t) => t.index === info.index);
  }

  handleFailure(taskId: number, error: TaskError | undefined, countTowardsLimit: boolean): FailureOutcome {
    const info = this.#running.get(taskId);
    if (info === undefined) return { kind: 'ignored' };
    this.#running.delete(taskId);
    if (this.#zombie || this.#succeeded[info.index]) return { kind: 'ignored' };
    if (error?.fetchFailed !== undefined) {
      // The DAG scheduler resubmits the stage; this attempt launches nothing more.
      this.#zombie = true;
      return { kind: 'ignored' };
    }
    this.#lastError = error ?? this.#lastError;
    if (countTowardsLimit) this.#failures[info.index]!++;
    if (this.#failures[info.index]! >= this.maxTaskFailures) {
      this.#zombie = true;
      return {
        kind: 'abort',
        reason: `task ${info.index} in stage ${info.stageId}.${info.stageAttempt} failed ${this.#failures[info.index]} times`,
        partition: info.partition,
        attempts: this.#failures[info.index]!,
      };
    }
    this.#pending.add(info.index);
    return { kind: 'retry' };
  }

  /** Another stage attempt finished this partition. */
  markPartitionCompleted(partition: number): void {
    const index = this.#indexOf.get(partition);
    if (index === undefined || this.#succeeded[index]) return;
    this.#succeeded[index] = true;
    this.#numSucceeded++;
    this.#pending.remove(index);
  }

  abort(): TaskInfo[] {
    this.#zombie = true;
    this.#pending.clear();
    return [...this.#running.values()];
  }

  /** Running tasks on a lost executor go back to pending (not counted as task failures). */
  executorLost(executorId: string, alive: ReadonlySet<string>): void {
    for (const [taskId, info] of this.#running) {
      if (info.executorId === executorId) this.handleFailure(taskId, undefined, false);
    }
    this.#pending.executorLost(executorId, alive);
  }
}
