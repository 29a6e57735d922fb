import type { MessagePort } from 'node:worker_threads';
import type { CachedRddIdentity } from '../scheduler/TaskDescription.js';
import type { BlockUpdate } from '../scheduler/TaskStatusUpdate.js';
import type { FromExecutorThread, ToExecutorThread } from './ExecutorThreadMessage.js';
import type { BlockToAdopt, HeldBlockFile } from './HeldBlockFiles.js';

/*
 * An executor process runs tasks on one worker thread (taskWorkerMain); its main thread owns
 * the NATS connection. They talk over two channels: `parentPort` for control, asynchronous as
 * in local mode, and a MessageChannel the worker reads synchronously (FetchChannel) while a
 * task blocks on bytes the main thread fetches from other executors.
 */

/** Main thread → task worker (parentPort). */
export type ToTaskWorker =
  | ToExecutorThread
  /** Another executor wants a cached partition: answer with `exported`. */
  | { readonly t: 'export'; readonly requestId: number; readonly rddId: number; readonly partition: number }
  /** Another executor pushed a copy of a partition stored at a `_2` level: store it at `level` (not replicating again) and answer with `replicaStored`. */
  | { readonly t: 'storeReplica'; readonly requestId: number; readonly rddId: number; readonly partition: number; readonly level: string; readonly frames: readonly Uint8Array[] }
  /** The driver is gone and a restarted one took over: write the partitions of these RDDs to files under `dir` for it, and answer with `handedOver`. */
  | { readonly t: 'handOver'; readonly requestId: number; readonly rdds: readonly CachedRddIdentity[]; readonly dir: string }
  /** The restarted driver takes these held partitions: store them and answer with `adoptedBlocks`. */
  | { readonly t: 'adoptBlocks'; readonly requestId: number; readonly blocks: readonly BlockToAdopt[] };

/** Task worker → main thread (parentPort; posted in arrays, one batch per event-loop turn). */
export type FromTaskWorker =
  | FromExecutorThread
  /** The cached partition as framed batches, or undefined when this executor does not hold it. */
  | { readonly t: 'exported'; readonly requestId: number; readonly frames: readonly Uint8Array[] | undefined }
  /** Task `taskId` stored a partition at a replicated level: a copy goes to another executor before the task's status (sent right after) goes to the driver. */
  | { readonly t: 'replicate'; readonly taskId: number; readonly rddId: number; readonly partition: number; readonly level: string; readonly frames: readonly Uint8Array[] }
  /** The answer to `storeReplica`: the bytes held, or why it was not stored. */
  | { readonly t: 'replicaStored'; readonly requestId: number; readonly bytes?: number; readonly error?: string }
  | { readonly t: 'handedOver'; readonly requestId: number; readonly blocks: readonly HeldBlockFile[] }
  | { readonly t: 'adoptedBlocks'; readonly requestId: number; readonly stored: readonly BlockUpdate[] };

/** What a fetch on the FetchChannel asks for. */
export type FetchTarget =
  /** Bytes [start, end) of a map output data file held by `executorId`. */
  | { readonly kind: 'segment'; readonly executorId: string; readonly file: string; readonly start: number; readonly end: number }
  /** A cached partition held by some other executor (the main thread asks the driver where). */
  | { readonly kind: 'rdd'; readonly rddId: number; readonly partition: number };

/** Task worker → main thread on the FetchChannel. */
export type FetchRequest =
  | { readonly t: 'fetch'; readonly id: number; readonly target: FetchTarget }
  /** The worker consumed `bytes` of stream `id`: the main thread may fetch that much more ahead. */
  | { readonly t: 'ack'; readonly id: number; readonly bytes: number }
  | { readonly t: 'cancel'; readonly id: number };

/** Main thread → task worker on the FetchChannel; each post is followed by a notify on the shared counter. */
export type FetchReply =
  | { readonly t: 'chunk'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly t: 'end'; readonly id: number }
  | { readonly t: 'error'; readonly id: number; readonly message: string };

/** What the main thread passes to the task worker at start. */
export interface TaskWorkerData {
  readonly executorId: string;
  readonly localDir: string;
  /** Int32Array over a SharedArrayBuffer, one slot per task the worker may hold: 0 or the id+1 of a task to kill. */
  readonly interrupt: SharedArrayBuffer;
  /** The worker's end of the FetchChannel (transferred). */
  readonly fetchPort: MessagePort;
  /** Int32Array[1] the main thread increments (and notifies) after each FetchReply it posts. */
  readonly fetchSignal: SharedArrayBuffer;
  /** Longest a task waits for the next chunk of a fetch before giving up on it. */
  readonly fetchWaitMs: number;
  readonly storageBytes?: number;
  readonly shuffleSpillBytes?: number;
}
