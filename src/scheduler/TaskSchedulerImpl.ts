import type { Logger } from '../common/logging/Logger.js';
import type { CommitRequest } from '../engine/output/PendingCommit.js';
import { BadRecordTracker } from './BadRecordTracker.js';
import type { DAGScheduler } from './DAGScheduler.js';
import type { CommitDecision } from './OutputCommitCoordinator.js';
import type { SchedulerBackend, TaskSchedulerCallbacks, WorkerOffer } from './SchedulerBackend.js';
import type { BadRecordSkippingConf, SpeculationConf } from './SchedulingConf.js';
import type { TaskDescription } from './TaskDescription.js';
import type { TaskInfo } from './TaskInfo.js';
import type { TaskScheduler } from './TaskScheduler.js';
import type { TaskSet } from './TaskSet.js';
import { TaskSetManager } from './TaskSetManager.js';
import type { TaskStatusUpdate } from './TaskStatusUpdate.js';

export interface TaskSchedulerOptions {
  readonly maxTaskFailures: number;
  readonly localityWaitMs: number;
  /** Backup copies of stragglers (SchedulingConf); off when absent. */
  readonly speculation?: SpeculationConf | undefined;
  /** Bad-record skipping (SchedulingConf); off when absent. */
  readonly skipping?: BadRecordSkippingConf | undefined;
  /** Milliseconds now; tests pass a fake clock. */
  readonly clock?: () => number;
  readonly logger: Logger;
  readonly fetchBroadcast: (id: number, executorId: string) => Uint8Array;
  /** Told each stage attempt's binary size, for `sc.statusTracker()`. */
  readonly recordStageBinary?: (stageId: number, bytes: number) => void;
  /** Answers executors' "may I commit?" (the driver's OutputCommitCoordinator); denies when absent. */
  readonly canCommit?: (request: CommitRequest) => CommitDecision;
}

/**
 * Matches tasks to executor offers (FIFO by job, delay scheduling for locality), retries
 * failed attempts, launches backup copies of stragglers (checked every speculation interval),
 * keeps the bad-record skipping bookkeeping, and reports results to the DAG scheduler. The
 * backend behind it decides what an executor is.
 */
export class TaskSchedulerImpl implements TaskScheduler, TaskSchedulerCallbacks {
  readonly #managers: TaskSetManager[] = [];
  readonly #taskToManager = new Map<number, TaskSetManager>();
  readonly #executors = new Set<string>();
  /** Stage binaries each executor already has, so each is sent once per executor. */
  readonly #binariesSent = new Map<string, Set<string>>();
  #nextTaskId = 0;
  #localityTimer: NodeJS.Timeout | undefined;
  #speculationTimer: NodeJS.Timeout | undefined;
  #backend: SchedulerBackend | undefined;
  readonly #badRecords: BadRecordTracker | undefined;
  readonly #clock: () => number;

  constructor(
    private readonly dag: DAGScheduler,
    private readonly options: TaskSchedulerOptions,
  ) {
    this.#clock = options.clock ?? Date.now;
    this.#badRecords = options.skipping?.enabled === true ? new BadRecordTracker(options.skipping.maxSkippedRecords) : undefined;
  }

  async start(backend: SchedulerBackend): Promise<void> {
    this.#backend = backend;
    await backend.start(this);
    const speculation = this.options.speculation;
    if (speculation?.enabled === true) {
      this.#speculationTimer = setInterval(() => this.checkSpeculatableTasks(), speculation.intervalMs);
      this.#speculationTimer.unref?.();
    }
  }

  async stop(): Promise<void> {
    if (this.#localityTimer !== undefined) clearTimeout(this.#localityTimer);
    if (this.#speculationTimer !== undefined) clearInterval(this.#speculationTimer);
    await this.#backend?.stop();
  }

  /** Marks stragglers of every running task set for a backup copy and offers slots for them. */
  checkSpeculatableTasks(): void {
    let found = false;
    for (const m of this.#managers) if (m.checkSpeculatableTasks()) found = true;
    if (found) this.#backend?.reviveOffers();
  }

  defaultParallelism(): number {
    return this.#backend?.defaultParallelism() ?? 1;
  }

  // ---- From the DAG scheduler -------------------------------------------------------------------

  submitTasks(taskSet: TaskSet): void {
    this.options.recordStageBinary?.(taskSet.stageId, taskSet.binary.byteLength);
    // An older attempt of the same stage stops launching; its running tasks may still finish.
    for (const m of this.#managers) if (m.taskSet.stageId === taskSet.stageId) m.abort();
    this.#managers.push(
      new TaskSetManager(taskSet, {
        maxTaskFailures: this.options.maxTaskFailures,
        localityWaitMs: this.options.localityWaitMs,
        speculation: this.options.speculation,
        badRecords: this.#badRecords,
        clock: this.#clock,
      }),
    );
    this.#managers.sort((a, b) => a.taskSet.priority - b.taskSet.priority || a.taskSet.stageId - b.taskSet.stageId);
    this.#backend!.reviveOffers();
  }

  cancelTasks(stageId: number, reason: string): void {
    for (const m of this.#managers) {
      if (m.taskSet.stageId !== stageId) continue;
      for (const t of m.abort()) this.#backend!.killTask(t.taskId, t.executorId, reason);
    }
    this.#prune();
  }

  markPartitionCompleted(stageId: number, partition: number): void {
    for (const m of this.#managers) if (m.taskSet.stageId === stageId) m.markPartitionCompleted(partition);
  }

  // ---- From the backend -----------------------------------------------------------------------------

  resourceOffers(offers: readonly WorkerOffer[]): TaskDescription[] {
    const launched: TaskDescription[] = [];
    const now = this.#clock();
    const nextTaskId = (): number => this.#nextTaskId++;
    // Round-robin, idlest executor first: one task per executor per round, so tasks spread over
    // executors (as in Spark) instead of filling the first executor's slots, where they would
    // run one after another while other executors idle.
    const open = [...offers].sort((a, b) => b.freeSlots - a.freeSlots).map((o) => ({ executorId: o.executorId, free: o.freeSlots }));
    for (let launchedThisRound = true; launchedThisRound; ) {
      launchedThisRound = false;
      for (const offer of open) {
        if (offer.free <= 0) continue;
        for (const m of this.#managers) {
          const info = m.resourceOffer(offer.executorId, this.#executors, now, nextTaskId);
          if (info === undefined) continue;
          offer.free--;
          launchedThisRound = true;
          this.#taskToManager.set(info.taskId, m);
          if (info.speculative) {
            this.options.logger.debug('launching a speculative copy of a slow task', {
              stage: info.stageId,
              partition: info.partition,
              attempt: info.attemptNumber,
              executorId: info.executorId,
            });
          }
          launched.push(this.#describe(info, m.taskSet));
          break;
        }
      }
    }
    this.#scheduleLocalityRevive();
    return launched;
  }

  taskStarted(taskId: number): void {
    const m = this.#taskToManager.get(taskId);
    const info = m?.runningTasks.get(taskId);
    if (info === undefined) return;
    for (const queued of m!.taskStarted(taskId)) {
      this.#backend!.killTask(queued.taskId, queued.executorId, 'another attempt of this partition started first');
    }
    this.dag.post({ type: 'taskStarted', task: info });
  }

  statusUpdate(update: TaskStatusUpdate): void {
    const m = this.#taskToManager.get(update.taskId);
    if (m === undefined) return;
    const info = m.runningTasks.get(update.taskId);
    this.#taskToManager.delete(update.taskId);
    if (info === undefined) return;
    if (update.state === 'finished') {
      for (const other of m.handleSuccess(update.taskId)) {
        this.#backend!.killTask(other.taskId, other.executorId, 'another attempt of this partition finished first');
      }
    } else {
      const killed = update.error?.killed === true;
      const outcome = m.handleFailure(update.taskId, update.error, !killed);
      const error = update.error ? `${update.error.name}: ${update.error.message}` : 'unknown';
      if (outcome.kind === 'retry' || outcome.kind === 'stillRunning') {
        if (outcome.skippedRecord !== undefined) {
          this.options.logger.warn('skipping a bad input record: two attempts failed on it', {
            stage: info.stageId,
            partition: info.partition,
            record: outcome.skippedRecord,
            error,
          });
        }
        if (!killed) {
          this.options.logger.warn(outcome.kind === 'retry' ? 'task failed; retrying' : 'task failed; another copy is still running', {
            stage: info.stageId,
            partition: info.partition,
            attempt: info.attemptNumber,
            error,
          });
        }
      } else if (outcome.kind === 'abort') {
        this.dag.post({
          type: 'taskSetFailed',
          stageId: info.stageId,
          stageAttempt: info.stageAttempt,
          reason: outcome.reason,
          lastError: m.lastError,
          partition: outcome.partition,
          attempts: outcome.attempts,
        });
      }
    }
    this.dag.post({ type: 'taskCompleted', task: info, update });
    this.#prune();
    this.#backend!.reviveOffers();
  }

  executorAdded(executorId: string, host: string): void {
    this.#executors.add(executorId);
    this.dag.post({ type: 'executorAdded', executorId, host });
    this.#backend?.reviveOffers();
  }

  executorLost(executorId: string, reason: string): void {
    if (!this.#executors.delete(executorId)) return;
    this.#binariesSent.delete(executorId);
    const lostTasks: TaskInfo[] = [];
    for (const m of this.#managers) {
      for (const t of m.runningTasks.values()) if (t.executorId === executorId) lostTasks.push(t);
      m.executorLost(executorId, this.#executors);
    }
    for (const t of lostTasks) this.#taskToManager.delete(t.taskId);
    this.dag.post({ type: 'executorLost', executorId, reason });
    this.#prune();
    this.#backend?.reviveOffers();
  }

  fetchBroadcast(id: number, executorId: string): Uint8Array {
    return this.options.fetchBroadcast(id, executorId);
  }

  fetchStageBinary(binaryId: string): Uint8Array | undefined {
    return this.#managers.find((m) => m.taskSet.binaryId === binaryId)?.taskSet.binary;
  }

  canCommit(request: CommitRequest): CommitDecision {
    return this.options.canCommit?.(request) ?? { allowed: false, reason: 'this driver does not coordinate output commits' };
  }

  // ---- Internals -------------------------------------------------------------------------------------

  #describe(info: TaskInfo, taskSet: TaskSet): TaskDescription {
    let sent = this.#binariesSent.get(info.executorId);
    if (sent === undefined) this.#binariesSent.set(info.executorId, (sent = new Set()));
    const needsBinary = !sent.has(taskSet.binaryId);
    sent.add(taskSet.binaryId);
    return {
      taskId: info.taskId,
      executorId: info.executorId,
      attemptNumber: info.attemptNumber,
      stageId: info.stageId,
      stageAttempt: info.stageAttempt,
      partition: info.partition,
      kind: info.kind,
      binaryId: taskSet.binaryId,
      binary: needsBinary ? taskSet.binary : undefined,
      ...(info.isolateRecords === true ? { isolateRecords: true } : {}),
      ...(info.skipRecords !== undefined && info.skipRecords.length > 0 ? { skipRecords: info.skipRecords } : {}),
      ...(needsBinary && taskSet.cachedRddIdentities !== undefined && taskSet.cachedRddIdentities.length > 0 ? { cachedRddIdentities: taskSet.cachedRddIdentities } : {}),
    };
  }

  #prune(): void {
    for (let i = this.#managers.length - 1; i >= 0; i--) {
      const m = this.#managers[i]!;
      if (m.isFinished) {
        this.#managers.splice(i, 1);
        // Executors may drop this binary: forget we sent it (a resubmission uses a new id anyway).
        for (const sent of this.#binariesSent.values()) sent.delete(m.taskSet.binaryId);
      }
    }
  }

  #scheduleLocalityRevive(): void {
    if (this.#localityTimer !== undefined) return;
    const waiting = this.#managers.find((m) => m.waitingForLocality);
    if (waiting === undefined) return;
    this.#localityTimer = setTimeout(() => {
      this.#localityTimer = undefined;
      this.#backend?.reviveOffers();
    }, waiting.localityWait + 5);
    this.#localityTimer.unref?.();
  }
}
