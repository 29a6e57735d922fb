import type { MessagePort } from 'node:worker_threads';
import { decode } from '../common/codec/codec.js';
import type { CommitDecision } from '../scheduler/OutputCommitCoordinator.js';
import type { DriverEndpoint, Executor } from './Executor.js';
import type { FromExecutorThread, ToExecutorThread } from './ExecutorThreadMessage.js';

/**
 * An executor thread's side of its port to the thread that owns it: messages leave in batches,
 * one postMessage per turn of the event loop (a finished task's status and the next task's
 * start usually travel together), requests are matched with their replies, and the messages
 * every executor thread handles alike are dispatched to its Executor.
 */
export class ExecutorThreadPort<Out extends { readonly t: string }> {
  #outbox: (Out | FromExecutorThread)[] = [];
  readonly #pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  #nextRequest = 0;

  constructor(private readonly port: MessagePort) {}

  send(msg: Out | FromExecutorThread): void {
    if (this.#outbox.push(msg) === 1) queueMicrotask(() => this.flush());
  }

  flush(): void {
    if (this.#outbox.length === 0) return;
    const batch = this.#outbox;
    this.#outbox = [];
    this.port.postMessage(batch);
  }

  request(what: 'broadcast' | 'binary' | 'commit', key: string): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const requestId = this.#nextRequest++;
      this.#pending.set(requestId, { resolve, reject });
      this.send({ t: 'request', requestId, what, key });
    });
  }

  /** The DriverEndpoint calls that travel as plain requests; the caller adds taskStarted and statusUpdate. */
  driverRequests(): Pick<DriverEndpoint, 'fetchBroadcast' | 'fetchStageBinary' | 'canCommit'> {
    return {
      fetchBroadcast: (id) => this.request('broadcast', String(id)),
      fetchStageBinary: (binaryId) => this.request('binary', binaryId),
      canCommit: async (req) => decode<CommitDecision>(await this.request('commit', JSON.stringify(req))),
    };
  }

  /**
   * Handles a message common to every executor thread; false for `shutdown` (each thread shuts
   * down its own way) and for messages of its own kind.
   */
  handleCommon(msg: ToExecutorThread | { readonly t: string }, executor: Executor): boolean {
    const m = msg as ToExecutorThread;
    switch (m.t) {
      case 'launch':
        executor.launchTask(m.task);
        return true;
      case 'kill':
        executor.killTask(m.taskId);
        return true;
      case 'removeRdd':
        executor.removeRdd(m.rddId);
        return true;
      case 'removeShuffle':
        executor.removeShuffle(m.shuffleId);
        return true;
      case 'removeBroadcast':
        executor.removeBroadcast(m.id);
        return true;
      case 'reply': {
        const p = this.#pending.get(m.requestId);
        this.#pending.delete(m.requestId);
        if (m.bytes !== undefined) p?.resolve(m.bytes);
        else p?.reject(new Error(m.error ?? 'request failed'));
        return true;
      }
      default:
        return false;
    }
  }
}
