import type { TaskDescription } from '../scheduler/TaskDescription.js';
import type { TaskStatusUpdate } from '../scheduler/TaskStatusUpdate.js';

/**
 * Messages every executor thread understands, in local mode (a thread per executor) and in an
 * executor process (its task thread); each kind of thread adds its own.
 */
export type ToExecutorThread =
  | { readonly t: 'launch'; readonly task: TaskDescription }
  | { readonly t: 'kill'; readonly taskId: number }
  | { readonly t: 'removeRdd'; readonly rddId: number }
  | { readonly t: 'removeShuffle'; readonly shuffleId: number }
  | { readonly t: 'removeBroadcast'; readonly id: number }
  | { readonly t: 'reply'; readonly requestId: number; readonly bytes?: Uint8Array; readonly error?: string }
  | { readonly t: 'shutdown' };

/** What every executor thread sends (posted in arrays: one batch per event-loop turn). */
export type FromExecutorThread =
  | { readonly t: 'ready' }
  | { readonly t: 'started'; readonly taskId: number }
  | { readonly t: 'status'; readonly update: TaskStatusUpdate }
  /** Request/reply: `broadcast` (key: id) and `binary` (key: binary id) reply with bytes; `commit` (key: a JSON CommitRequest) replies with an encoded CommitDecision. */
  | { readonly t: 'request'; readonly requestId: number; readonly what: 'broadcast' | 'binary' | 'commit'; readonly key: string }
  | { readonly t: 'stopped' };
