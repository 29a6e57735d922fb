import type { FromExecutorThread, ToExecutorThread } from './ExecutorThreadMessage.js';

/** Driver → worker thread: what every executor thread understands. */
export type ToLocalWorker = ToExecutorThread;

/** Worker thread → driver (posted in arrays: one batch per event-loop turn). */
export type FromLocalWorker = FromExecutorThread;

/** What the driver passes to each worker thread at start. */
export interface LocalWorkerData {
  readonly executorId: string;
  readonly localDir: string;
  /** Int32Array over a SharedArrayBuffer, one slot per task the thread may hold: 0 or the id+1 of a task to kill, read between batches. */
  readonly interrupt: SharedArrayBuffer;
  readonly logLevel: string;
  /** Memory budget for cached partitions (`kuberdd.memory.storageBytes`); absent: the executor's default. */
  readonly storageBytes?: number;
  /** Each task's shuffle buffer budget (`kuberdd.shuffle.spillBytes`); absent: the executor's default. */
  readonly shuffleSpillBytes?: number;
}
