import type { CommitRequest } from '../engine/output/PendingCommit.js';
import type { CommitDecision } from './OutputCommitCoordinator.js';
import type { TaskDescription } from './TaskDescription.js';
import type { TaskStatusUpdate } from './TaskStatusUpdate.js';

/** Free task slots on one executor. */
export interface WorkerOffer {
  readonly executorId: string;
  readonly host: string;
  readonly freeSlots: number;
}

/**
 * How tasks reach executors: local worker threads, executor processes over NATS, or pods.
 * The TaskScheduler drives it and receives status updates through `TaskSchedulerCallbacks`.
 */
export interface SchedulerBackend {
  start(callbacks: TaskSchedulerCallbacks): Promise<void>;
  stop(): Promise<void>;
  /** Ask for fresh offers: call `callbacks.resourceOffers` with the free slots. */
  reviveOffers(): void;
  killTask(taskId: number, executorId: string, reason: string): void;
  defaultParallelism(): number;
  /** Executors dropped cached or shuffle data the driver no longer needs. */
  removeRdd(rddId: number): void;
  removeShuffle(shuffleId: number): void;
  removeBroadcast(broadcastId: number): void;
}

/** What a backend reports back. */
export interface TaskSchedulerCallbacks {
  resourceOffers(offers: readonly WorkerOffer[]): TaskDescription[];
  /** An executor began running a launched task (it may have queued it first). */
  taskStarted(taskId: number): void;
  statusUpdate(update: TaskStatusUpdate): void;
  executorAdded(executorId: string, host: string, slots: number): void;
  executorLost(executorId: string, reason: string): void;
  /** An executor asks for a broadcast value (its encoded bytes). */
  fetchBroadcast(id: number, executorId: string): Uint8Array;
  /** An executor dropped a stage binary it still needs. */
  fetchStageBinary(binaryId: string): Uint8Array | undefined;
  /** An executor asks whether a task attempt may commit its output (the output commit protocol). */
  canCommit(request: CommitRequest): CommitDecision;
}
