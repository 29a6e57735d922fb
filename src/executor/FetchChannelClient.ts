import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { FetchChannelError } from './FetchChannelError.js';
import type { FetchReply, FetchRequest, FetchTarget } from './TaskWorkerMessage.js';

interface Stream {
  readonly chunks: Uint8Array[];
  done: boolean;
  error: string | undefined;
}

/**
 * The task worker's side of the FetchChannel: synchronous reads of byte streams that the main
 * thread fetches over NATS. Tasks run synchronously, so a read blocks the worker with
 * `Atomics.wait` on a counter the main thread bumps after each reply it posts, then takes the
 * replies with `receiveMessageOnPort` (the synckit pattern). Several streams may be open at once
 * (prefetching); replies for each are queued until it is read. Each chunk handed out is
 * acknowledged, which lets the main thread fetch further ahead.
 */
export class FetchChannelClient {
  readonly #port: MessagePort;
  readonly #signal: Int32Array;
  readonly #waitMs: number;
  readonly #streams = new Map<number, Stream>();
  #nextId = 0;

  constructor(port: MessagePort, signal: SharedArrayBuffer, waitMs: number) {
    this.#port = port;
    this.#signal = new Int32Array(signal);
    this.#waitMs = waitMs;
  }

  /** Starts fetching `target`; its bytes are read with next(). */
  open(target: FetchTarget): number {
    const id = this.#nextId++;
    this.#streams.set(id, { chunks: [], done: false, error: undefined });
    this.#post({ t: 'fetch', id, target });
    return id;
  }

  /** The stream's next chunk, or undefined at its end. Blocks; throws FetchChannelError when the fetch failed or stalled. */
  next(id: number): Uint8Array | undefined {
    const stream = this.#streams.get(id);
    if (stream === undefined) throw new FetchChannelError(`internal: fetch stream ${id} is not open`);
    const deadline = Date.now() + this.#waitMs;
    for (;;) {
      const chunk = stream.chunks.shift();
      if (chunk !== undefined) {
        this.#post({ t: 'ack', id, bytes: chunk.length });
        return chunk;
      }
      if (stream.error !== undefined) {
        this.#streams.delete(id);
        throw new FetchChannelError(stream.error);
      }
      if (stream.done) {
        this.#streams.delete(id);
        return undefined;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        this.cancel(id);
        throw new FetchChannelError(`no data arrived for ${this.#waitMs} ms`);
      }
      this.#receive(remaining);
    }
  }

  /** Stops a stream that will not be read to its end. */
  cancel(id: number): void {
    if (this.#streams.delete(id)) this.#post({ t: 'cancel', id });
  }

  /** Streams opened and not yet finished or cancelled. */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Takes every reply already posted; if there is none, waits up to `timeoutMs` for one. */
  #receive(timeoutMs: number): void {
    if (this.#drain()) return;
    const seen = Atomics.load(this.#signal, 0);
    // A reply posted between the drain and the load bumped the counter already: look again first.
    if (this.#drain()) return;
    Atomics.wait(this.#signal, 0, seen, timeoutMs);
    this.#drain();
  }

  #drain(): boolean {
    let any = false;
    for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) {
      any = true;
      const reply = m.message as FetchReply;
      const stream = this.#streams.get(reply.id);
      if (stream === undefined) continue; // cancelled: late replies are dropped
      if (reply.t === 'chunk') stream.chunks.push(reply.bytes);
      else if (reply.t === 'end') stream.done = true;
      else stream.error = reply.message;
    }
    return any;
  }

  #post(request: FetchRequest): void {
    this.#port.postMessage(request);
  }
}
