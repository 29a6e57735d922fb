import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { JetStreamBlobError, type JetStreamBlobErrorCode } from './JetStreamBlobError.js';
import type { JetStreamBlobStoreOptions } from './JetStreamBlobStore.js';
import type { NatsConnectOptions } from './NatsConnectOptions.js';

/** What the calling thread asks its helper thread (see jetStreamBlobSyncWorkerMain.ts). */
export type BlobSyncRequest =
  | { readonly id: number; readonly op: 'put'; readonly name: string; readonly bytes: Uint8Array }
  | { readonly id: number; readonly op: 'get'; readonly name: string }
  | { readonly id: number; readonly op: 'list'; readonly prefix: string }
  | { readonly id: number; readonly op: 'delete'; readonly name: string };

export type BlobSyncReply =
  | { readonly id: number; readonly ok: true; readonly value: Uint8Array | string[] | boolean | undefined }
  | { readonly id: number; readonly ok: false; readonly code: JetStreamBlobErrorCode; readonly message: string };

export interface BlobSyncWorkerData {
  readonly nats: NatsConnectOptions;
  readonly store: JetStreamBlobStoreOptions;
  readonly port: MessagePort;
  readonly signal: Int32Array;
}

const fromSources = new URL(import.meta.url).pathname.endsWith('.ts');
const workerEntry = new URL(`./jetStreamBlobSyncWorkerMain${fromSources ? '.ts' : '.js'}`, import.meta.url);
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Synchronous access to a JetStreamBlobStore, for callers that must not await (checkpoint
 * files are read and written inside tasks, which compute synchronously). The store lives on a
 * helper thread with its own event loop; a call posts the request and blocks this thread in
 * Atomics.wait until the helper answers. The helper thread is unref'd: it never keeps the
 * process alive.
 */
export class JetStreamBlobSyncClient {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #signal = new Int32Array(new SharedArrayBuffer(4));
  readonly #timeoutMs: number;
  #nextId = 0;
  #closed = false;
  #exited: string | undefined;

  constructor(nats: NatsConnectOptions, store: JetStreamBlobStoreOptions, opts: { timeoutMs?: number } = {}) {
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const workerData: BlobSyncWorkerData = { nats, store, port: port2, signal: this.#signal };
    const options = { workerData, transferList: [port2] };
    this.#worker = fromSources
      ? new Worker(`import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(workerEntry.href)}, ${JSON.stringify(import.meta.url)}))`, { ...options, eval: true })
      : new Worker(workerEntry, options);
    this.#worker.on('error', (e) => (this.#exited = `failed: ${e.message}`));
    this.#worker.on('exit', (code) => (this.#exited ??= `exited with code ${code}`));
    this.#worker.unref();
    this.#port.unref();
  }

  put(name: string, bytes: Uint8Array): void {
    this.#call({ id: this.#nextId++, op: 'put', name, bytes });
  }

  /** The blob, or undefined when there is none. */
  get(name: string): Uint8Array | undefined {
    return this.#call({ id: this.#nextId++, op: 'get', name }) as Uint8Array | undefined;
  }

  list(prefix: string): string[] {
    return this.#call({ id: this.#nextId++, op: 'list', prefix }) as string[];
  }

  delete(name: string): boolean {
    return this.#call({ id: this.#nextId++, op: 'delete', name }) as boolean;
  }

  /** Stops the helper thread (and its connection). */
  close(): Promise<number> {
    this.#closed = true;
    return this.#worker.terminate();
  }

  #call(request: BlobSyncRequest): Uint8Array | string[] | boolean | undefined {
    if (this.#closed) throw new JetStreamBlobError('CLOSED', `Cannot ${request.op} a blob: the blob client is closed`);
    Atomics.store(this.#signal, 0, 0);
    this.#port.postMessage(request);
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const reply = this.#receive(request.id);
      if (reply !== undefined) {
        if (reply.ok) return reply.value;
        throw new JetStreamBlobError(reply.code, reply.message);
      }
      if (this.#exited !== undefined) throw new JetStreamBlobError('FAILED', `The JetStream blob helper thread ${this.#exited}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new JetStreamBlobError('TIMEOUT', `No answer from JetStream within ${this.#timeoutMs} ms to ${request.op} a blob`);
      // Wakes on the helper's notify; the short slice also notices a helper thread that died.
      Atomics.wait(this.#signal, 0, 0, Math.min(left, 1_000));
      Atomics.store(this.#signal, 0, 0);
    }
  }

  /** The reply to `id`, dropping late replies to calls that timed out. */
  #receive(id: number): BlobSyncReply | undefined {
    for (;;) {
      const received = receiveMessageOnPort(this.#port);
      if (received === undefined) return undefined;
      const reply = received.message as BlobSyncReply;
      if (reply.id === id) return reply;
    }
  }
}
