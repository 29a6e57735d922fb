import type { TaskDescription } from '../scheduler/TaskDescription.js';
import type { TaskStatusUpdate } from '../scheduler/TaskStatusUpdate.js';

/** Driver → worker thread. */
export type ToLocalWorker =
  | { readonly t: 'launch'; readonly task: TaskDescription }
  | { readonly t: 'kill'; readonly taskId: number }
  | { readonly t: 'removeRdd'; readonly rddId: number }
  | { readonly t: 'removeShuffle'; readonly shuffleId: number }
  | { readonly t: 'removeBroadcast'; readonly id: number }
  | { readonly t: 'reply'; readonly requestId: number; readonly bytes?: Uint8Array; readonly error?: string }
  | { readonly t: 'shutdown' };

/** Worker thread → driver (posted in arrays: one batch per event-loop turn). */
export type FromLocalWorker =
  | { readonly t: 'ready' }
  | { readonly t: 'started'; readonly taskId: number }
  | { readonly t: 'status'; readonly update: TaskStatusUpdate }
  /** Request/reply: `broadcast` (key: id) and `binary` (key: binary id) reply with bytes; `commit` (key: a JSON CommitRequest) replies with an encoded CommitDecision. */
  | { readonly t: 'request'; readonly requestId: number; readonly what: 'broadcast' | 'binary' | 'commit'; readonly key: string }
  | { readonly t: 'stopped' };

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
