import type { BadRecordTracker } from './BadRecordTracker.js';
import { PendingTasks } from './PendingTasks.js';
import type { SpeculationConf } from './SchedulingConf.js';
import type { TaskError } from './TaskError.js';
import type { TaskInfo } from './TaskInfo.js';
import type { TaskSet } from './TaskSet.js';

/** What to do after a task attempt failed. */
export type FailureOutcome =
  | { readonly kind: 'retry'; readonly skippedRecord?: number }
  /** Another copy of the task is still running: it carries on, nothing is relaunched now. */
  | { readonly kind: 'stillRunning'; readonly skippedRecord?: number }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'abort'; readonly reason: string; readonly partition: number; readonly attempts: number };

export interface TaskSetManagerOptions {
  readonly maxTaskFailures: number;
  readonly localityWaitMs: number;
  /** Backup copies of stragglers; none when absent or disabled. */
  readonly speculation?: SpeculationConf | undefined;
  /** Bad-record skipping, shared by all task sets so it outlives stage attempts; off when absent. */
  readonly badRecords?: BadRecordTracker | undefined;
  /** Milliseconds now; tests pass a fake clock. */
  readonly clock?: () => number;
}

/**
 * Schedules the tasks of one stage attempt: which task goes to which offered executor
 * (preferring executors that cache its input, for up to `localityWaitMs`), how many
 * attempts a task gets, backup copies of stragglers, and when the set is done.
 *
 * Speculation (as Spark's checkSpeculatableTasks): once `quantile` of the tasks succeeded, a
 * task with one running copy whose running time exceeds `max(multiplier × median successful
 * running time, minTaskRuntime)` gets one backup copy, on an executor not running it. The
 * first copy to succeed wins; the scheduler kills the others. A set of one task is never
 * speculated (there is no median to compare with).
 *
 * A launched task its executor has not begun is queued there (local threads take a second task
 * while they run one). Queued behind a straggler it would wait as long, and hold back the
 * quantile; so a queued task gets a copy too once a task of this set running on its executor
 * has run longer than the same threshold (`minTaskRuntime` while no task has succeeded): a free
 * slot elsewhere runs it at once. Only when the backend reports task starts (`taskStarted`), so
 * that waiting can be told from running.
 */
export class TaskSetManager {
  readonly #pending: PendingTasks;
  /** Partition → task index. */
  readonly #indexOf: Map<number, number>;
  readonly #attempts: number[];
  readonly #failures: number[];
  readonly #succeeded: boolean[];
  readonly #copiesRunning: number[];
  readonly #running = new Map<number, TaskInfo>();
  /** Task id → when its executor began running it (it may have queued it first). */
  readonly #startTimes = new Map<number, number>();
  /** Running times of successful tasks, ascending (the speculation median). */
  readonly #successDurations: number[] = [];
  /** Tasks to back up at the next offer from an executor not already running them. */
  readonly #speculatable = new Set<number>();
  readonly #clock: () => number;
  readonly #maxTaskFailures: number;
  readonly #localityWaitMs: number;
  readonly #speculation: SpeculationConf | undefined;
  readonly #badRecords: BadRecordTracker | undefined;
  /** The backend reports when executors begin tasks, so a task not begun is queued. */
  #startsReported = false;
  #numSucceeded = 0;
  #lastLaunch: number;
  #zombie = false;
  #lastError: TaskError | undefined;

  constructor(
    readonly taskSet: TaskSet,
    options: TaskSetManagerOptions,
  ) {
    this.#maxTaskFailures = options.maxTaskFailures;
    this.#localityWaitMs = options.localityWaitMs;
    this.#speculation = options.speculation?.enabled === true ? options.speculation : undefined;
    this.#badRecords = options.badRecords;
    this.#clock = options.clock ?? Date.now;
    this.#lastLaunch = this.#clock();
    const n = taskSet.partitions.length;
    this.#attempts = new Array<number>(n).fill(0);
    this.#failures = new Array<number>(n).fill(0);
    this.#succeeded = new Array<boolean>(n).fill(false);
    this.#copiesRunning = new Array<number>(n).fill(0);
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

  /** Task indices waiting for a backup copy. */
  get speculatableTasks(): ReadonlySet<number> {
    return this.#speculatable;
  }

  /**
   * A task for this executor, or undefined. Tasks whose input is cached elsewhere wait up to
   * the locality wait for their executor (delay scheduling), unless it is gone. Backup copies
   * of stragglers go out only when no regular task is left for the executor.
   */
  resourceOffer(executorId: string, _alive: ReadonlySet<string>, now: number, nextTaskId: () => number): TaskInfo | undefined {
    if (this.#zombie) return undefined;
    let index = this.#pending.size > 0 ? this.#pending.take(executorId, now - this.#lastLaunch >= this.#localityWaitMs) : -1;
    const speculative = index < 0;
    if (speculative) index = this.#takeSpeculatable(executorId);
    if (index < 0) return undefined;
    if (!speculative) this.#lastLaunch = now;
    const plan = this.#badRecords?.planFor(this.taskSet.stageId, this.taskSet.partitions[index]!);
    const info: TaskInfo = {
      taskId: nextTaskId(),
      stageId: this.taskSet.stageId,
      stageAttempt: this.taskSet.stageAttempt,
      partition: this.taskSet.partitions[index]!,
      index,
      attemptNumber: this.#attempts[index]!++,
      executorId,
      launchTime: now,
      speculative,
      kind: this.taskSet.kind,
      ...(plan?.isolateRecords ? { isolateRecords: true } : {}),
      ...(plan !== undefined && plan.skipRecords.length > 0 ? { skipRecords: plan.skipRecords } : {}),
    };
    this.#running.set(info.taskId, info);
    this.#copiesRunning[index]!++;
    return info;
  }

  /** True when tasks wait only for locality: the scheduler should offer again after the wait. */
  get waitingForLocality(): boolean {
    return !this.#zombie && this.#pending.onlyLocalityBound;
  }

  get localityWait(): number {
    return this.#localityWaitMs;
  }

  /**
   * The executor began running the task: its running time counts from now. Returns the other
   * attempts of the same task still queued on their executors, to kill: one copy running makes
   * them redundant (this is how a task queued behind a straggler moves to a free executor).
   */
  taskStarted(taskId: number): TaskInfo[] {
    const info = this.#running.get(taskId);
    if (info === undefined) return [];
    this.#startTimes.set(taskId, this.#clock());
    this.#startsReported = true;
    if (this.#copiesRunning[info.index]! < 2) return [];
    return [...this.#running.values()].filter((t) => t.index === info.index && t.taskId !== taskId && !this.#startTimes.has(t.taskId));
  }

  /**
   * Marks stragglers for a backup copy (see the class comment); true when any was marked, so
   * the scheduler should make offers.
   */
  checkSpeculatableTasks(): boolean {
    const conf = this.#speculation;
    if (conf === undefined || this.#zombie || this.#running.size === 0) return false;
    const numTasks = this.taskSet.partitions.length;
    const minFinished = Math.max(Math.floor(conf.quantile * numTasks), 1);
    const haveMedian = this.#successDurations.length > 0;
    const quantileReached = numTasks > 1 && haveMedian && this.#numSucceeded >= minFinished;
    if (!quantileReached && !this.#startsReported) return false;
    const threshold = haveMedian ? Math.max(conf.multiplier * median(this.#successDurations), conf.minTaskRuntimeMs) : conf.minTaskRuntimeMs;
    const now = this.#clock();
    // Executors busy with a task of this set that has run past the threshold: what is queued there waits for it.
    const blocked = new Set<string>();
    for (const [taskId, started] of this.#startTimes) {
      if (now - started > threshold) blocked.add(this.#running.get(taskId)!.executorId);
    }
    let found = false;
    for (const info of this.#running.values()) {
      const i = info.index;
      if (this.#succeeded[i] || this.#copiesRunning[i] !== 1 || this.#speculatable.has(i) || this.#pending.has(i)) continue;
      const queued = this.#startsReported && !this.#startTimes.has(info.taskId);
      const straggling = queued ? blocked.has(info.executorId) : quantileReached && now - this.#runningSince(info) > threshold;
      if (straggling) {
        this.#speculatable.add(i);
        found = true;
      }
    }
    return found;
  }

  /** The attempt succeeded; returns the other running attempts of the same task, to kill. */
  handleSuccess(taskId: number): TaskInfo[] {
    const info = this.#running.get(taskId);
    if (info === undefined) return [];
    const started = this.#runningSince(info);
    this.#forget(info);
    if (!this.#succeeded[info.index]) {
      this.#succeeded[info.index] = true;
      this.#numSucceeded++;
      this.#speculatable.delete(info.index);
      this.#pending.remove(info.index);
      insertSorted(this.#successDurations, this.#clock() - started);
    }
    // Other attempts of the same partition are no longer needed.
    return [...this.#running.values()].filter((t) => t.index === info.index);
  }

  /**
   * The attempt failed. Killed attempts (cancelled, speculative losers, denied commits) and
   * attempts lost with their executor pass `countTowardsLimit = false`; with bad-record
   * skipping, a failure pinned to an input record may not count either (BadRecordTracker).
   */
  handleFailure(taskId: number, error: TaskError | undefined, countTowardsLimit: boolean): FailureOutcome {
    const info = this.#running.get(taskId);
    if (info === undefined) return { kind: 'ignored' };
    this.#forget(info);
    if (this.#zombie || this.#succeeded[info.index]) return { kind: 'ignored' };
    if (error?.fetchFailed !== undefined) {
      // The DAG scheduler resubmits the stage; this attempt launches nothing more.
      this.#zombie = true;
      return { kind: 'ignored' };
    }
    this.#lastError = error ?? this.#lastError;
    let counts = countTowardsLimit;
    let skippedRecord: number | undefined;
    if (countTowardsLimit && this.#badRecords !== undefined) {
      const verdict = this.#badRecords.recordFailure(info.stageId, info.partition, {
        isolated: info.isolateRecords === true,
        failedRecordIndex: error?.failedRecordIndex,
      });
      counts = verdict.countsAsFailure;
      skippedRecord = verdict.newlySkipped;
    }
    if (counts) this.#failures[info.index]!++;
    if (this.#failures[info.index]! >= this.#maxTaskFailures) {
      this.#zombie = true;
      this.#pending.clear();
      this.#speculatable.clear();
      return {
        kind: 'abort',
        reason: `task ${info.index} in stage ${info.stageId}.${info.stageAttempt} failed ${this.#failures[info.index]} times`,
        partition: info.partition,
        attempts: this.#failures[info.index]!,
      };
    }
    const skipped = skippedRecord === undefined ? {} : { skippedRecord };
    if (this.#copiesRunning[info.index]! > 0) return { kind: 'stillRunning', ...skipped };
    this.#pending.add(info.index);
    return { kind: 'retry', ...skipped };
  }

  /** Another stage attempt finished this partition. */
  markPartitionCompleted(partition: number): void {
    const index = this.#indexOf.get(partition);
    if (index === undefined || this.#succeeded[index]) return;
    this.#succeeded[index] = true;
    this.#numSucceeded++;
    this.#pending.remove(index);
    this.#speculatable.delete(index);
  }

  abort(): TaskInfo[] {
    this.#zombie = true;
    this.#pending.clear();
    this.#speculatable.clear();
    return [...this.#running.values()];
  }

  /** Running tasks on a lost executor go back to pending (not counted as task failures). */
  executorLost(executorId: string, alive: ReadonlySet<string>): void {
    for (const [taskId, info] of this.#running) {
      if (info.executorId === executorId) this.handleFailure(taskId, undefined, false);
    }
    this.#pending.executorLost(executorId, alive);
  }

  #forget(info: TaskInfo): void {
    this.#running.delete(info.taskId);
    this.#startTimes.delete(info.taskId);
    this.#copiesRunning[info.index]!--;
  }

  #runningSince(info: TaskInfo): number {
    return this.#startTimes.get(info.taskId) ?? info.launchTime;
  }

  /** A straggler to back up on this executor: one whose running copy is elsewhere. -1 if none. */
  #takeSpeculatable(executorId: string): number {
    for (const i of this.#speculatable) {
      // Finished, or its copy failed and it waits as a regular task: no backup needed.
      if (this.#succeeded[i] || this.#copiesRunning[i] === 0 || this.#pending.has(i)) {
        this.#speculatable.delete(i);
        continue;
      }
      let runsHere = false;
      for (const t of this.#running.values()) if (t.index === i && t.executorId === executorId) runsHere = true;
      if (runsHere) continue;
      this.#speculatable.delete(i);
      return i;
    }
    return -1;
  }
}

function insertSorted(sorted: number[], value: number): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, value);
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
