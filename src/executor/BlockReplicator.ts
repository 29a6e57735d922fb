import type { Logger } from '../common/logging/Logger.js';
import type { BlockFetcher } from '../transport/BlockFetcher.js';
import type { IncomingMessage, MessageBus } from '../transport/MessageBus.js';
import { executorBlocksSubject, executorSubject } from '../transport/subjects.js';
import { decodeControlMessage, encodeControlMessage, type ControlMessages, type ControlType } from './ExecutorProtocol.js';
import type { StagedPayloads } from './StagedPayloads.js';
import type { ToTaskWorker } from './TaskWorkerMessage.js';

/** Longest a task's status waits for its partitions' copies to be stored elsewhere. */
const PUSH_TIMEOUT_MS = 30_000;
/** Longest a pushed copy waits for this executor's task thread (busy with a task) to store it. */
const STORE_TIMEOUT_MS = 25_000;
const DRIVER_TIMEOUT_MS = 5_000;

export interface BlockReplicatorOptions {
  readonly appId: string;
  readonly executorId: string;
  readonly secret: Uint8Array;
  readonly bus: MessageBus;
  /** Where this executor serves payloads for one fetch (on its blocks subject). */
  readonly staged: StagedPayloads;
  readonly fetcher: BlockFetcher;
  /** A request to the driver, retried `attempts` times on a timeout. */
  readonly requestDriver: <K extends ControlType, R extends ControlType>(type: K, body: ControlMessages[K], replyType: R, timeoutMs: number, attempts?: number) => Promise<ControlMessages[R]>;
  readonly toWorker: (msg: ToTaskWorker) => void;
  readonly logger: Logger;
}

/**
 * The executor process's side of replicated storage levels (`*_2`, Spark's block replication).
 *
 * Pushing: when a task stored a partition at such a level, the task thread hands its encoded
 * batches over (`replicate`) just before the task's status. The driver names a live executor that
 * does not hold the partition (`replicaTarget`); the batches are staged on this executor's blocks
 * subject and that executor is asked to `replicateBlock`. The task's status is held until every
 * copy is stored (or failed, or PUSH_TIMEOUT_MS passed), so a job that saw its tasks succeed finds
 * two locations per partition. A failed copy only leaves the partition with one, logged.
 *
 * Receiving: the pushed bytes are fetched (chunked, as every block), stored by the task thread at
 * the same level without replicating again, and reported to the driver (`replicaStored`, whose
 * CacheTracker then lists both holders) before the pusher is answered.
 */
export class BlockReplicator {
  readonly #o: BlockReplicatorOptions;
  /** Copies being pushed, by the task that stored them. */
  readonly #pushes = new Map<number, Promise<void>[]>();
  readonly #stores = new Map<number, (answer: { bytes?: number | undefined; error?: string | undefined }) => void>();
  /** Pushes waiting on an executor's answer, by that executor: aborted when it is lost, so no status waits for a dead peer. */
  readonly #awaiting = new Map<string, Set<AbortController>>();
  #nextStore = 0;

  constructor(options: BlockReplicatorOptions) {
    this.#o = options;
  }

  /** Starts pushing a copy of a partition task `taskId` stored; never rejects. */
  push(taskId: number, rddId: number, partition: number, level: string, frames: readonly Uint8Array[]): void {
    const pushing = withTimeout(this.#push(rddId, partition, level, frames), PUSH_TIMEOUT_MS, `no copy stored within ${PUSH_TIMEOUT_MS / 1000} s`).catch((error: unknown) => {
      this.#o.logger.warn('could not replicate a cached partition; it keeps one copy', { rddId, partition, level, error: String((error as Error).message ?? error) });
    });
    this.#pushes.set(taskId, [...(this.#pushes.get(taskId) ?? []), pushing]);
  }

  /** Resolves once the copies task `taskId` pushed are settled; undefined when it pushed none. */
  settled(taskId: number): Promise<void> | undefined {
    const pushes = this.#pushes.get(taskId);
    if (pushes === undefined) return undefined;
    this.#pushes.delete(taskId);
    return Promise.all(pushes).then(() => {});
  }

  /** Another executor asks this one to keep a copy; answered with `replicated`. */
  async receive(msg: IncomingMessage, body: ControlMessages['replicateBlock']): Promise<void> {
    const { rddId, partition, level } = body;
    let answer: ControlMessages['replicated'];
    try {
      const bytes = await this.#o.fetcher.fetchAll(executorBlocksSubject(this.#o.appId, body.executorId), body.staged.blockId);
      const stored = await this.#store(rddId, partition, level, bytes);
      await this.#o.requestDriver('replicaStored', { executorId: this.#o.executorId, rddId, partition, bytes: stored, level }, 'blockLocations', DRIVER_TIMEOUT_MS, 2);
      answer = { bytes: stored };
      this.#o.logger.debug('stored a replica', { rddId, partition, level, from: body.executorId, bytes: stored });
    } catch (error) {
      answer = { error: String((error as Error).message ?? error) };
    }
    try {
      msg.respond(encodeControlMessage('replicated', answer, this.#o.secret));
    } catch (error) {
      this.#o.logger.warn('could not answer a replication request', { error: String(error) });
    }
  }

  /** Another executor is gone: pushes waiting on it fail now instead of timing out. */
  executorLost(executorId: string): void {
    for (const abort of this.#awaiting.get(executorId) ?? []) abort.abort(new Error(`executor ${executorId} was lost`));
    this.#awaiting.delete(executorId);
  }

  /** The task thread's answer to `storeReplica`. */
  stored(requestId: number, bytes: number | undefined, error: string | undefined): void {
    const resolve = this.#stores.get(requestId);
    this.#stores.delete(requestId);
    resolve?.({ bytes, error });
  }

  async #push(rddId: number, partition: number, level: string, frames: readonly Uint8Array[]): Promise<void> {
    const { executorIds } = await this.#o.requestDriver('replicaTarget', { executorId: this.#o.executorId, rddId, partition }, 'blockLocations', DRIVER_TIMEOUT_MS, 2);
    const target = executorIds[0];
    if (target === undefined) return; // it has its copies already, or there is no other executor
    const staged = this.#o.staged.stage(Buffer.concat(frames));
    const request = encodeControlMessage('replicateBlock', { executorId: this.#o.executorId, rddId, partition, level, staged }, this.#o.secret);
    const abort = new AbortController();
    const waiting = this.#awaiting.get(target) ?? new Set();
    this.#awaiting.set(target, waiting.add(abort));
    let data: Uint8Array;
    try {
      data = await this.#o.bus.request(executorSubject(this.#o.appId, target), request, { timeoutMs: PUSH_TIMEOUT_MS, signal: abort.signal });
    } finally {
      waiting.delete(abort);
      if (waiting.size === 0 && this.#awaiting.get(target) === waiting) this.#awaiting.delete(target);
    }
    const reply = decodeControlMessage(data, this.#o.secret, ['replicated']);
    if (!reply.ok) throw new Error(`executor ${target} answered with a refused message: ${reply.reason}`);
    if (reply.value.body.error !== undefined) throw new Error(`executor ${target} did not store it: ${reply.value.body.error}`);
  }

  #store(rddId: number, partition: number, level: string, bytes: Uint8Array): Promise<number> {
    const requestId = this.#nextStore++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#stores.delete(requestId);
        reject(new Error(`the task thread did not store it within ${STORE_TIMEOUT_MS / 1000} s`));
      }, STORE_TIMEOUT_MS);
      this.#stores.set(requestId, (answer) => {
        clearTimeout(timer);
        if (answer.bytes !== undefined) resolve(answer.bytes);
        else reject(new Error(answer.error ?? 'not stored'));
      });
      this.#o.toWorker({ t: 'storeReplica', requestId, rddId, partition, level, frames: [bytes] });
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

