import type { MessagePort } from 'node:worker_threads';
import type { Logger } from '../common/logging/Logger.js';
import type { FetchReply, FetchRequest, FetchTarget } from './TaskWorkerMessage.js';

/** Bytes of one stream the main thread fetches ahead of what the task worker consumed, by default. */
export const DEFAULT_STREAM_WINDOW_BYTES = 4 * 1024 * 1024;

interface Stream {
  readonly target: FetchTarget;
  readonly abort: AbortController;
  unacked: number;
  /** Wakes the fetch loop waiting for acknowledgements (or a cancel). */
  wake: (() => void) | undefined;
}

/**
 * The main thread's side of the FetchChannel: runs the fetches the task worker asks for and
 * posts their chunks, notifying the worker through the shared counter after every post. Each
 * stream runs at most `windowBytes` ahead of what the worker has consumed (it acknowledges each
 * chunk), so prefetched segments never pile up in memory; a cancelled stream aborts its fetch.
 */
export class FetchChannelServer {
  readonly #port: MessagePort;
  readonly #signal: Int32Array;
  readonly #streams = new Map<number, Stream>();
  #closed = false;

  constructor(
    port: MessagePort,
    signal: SharedArrayBuffer,
    private readonly open: (target: FetchTarget, signal: AbortSignal) => AsyncIterable<Uint8Array>,
    private readonly logger: Logger,
    private readonly windowBytes = DEFAULT_STREAM_WINDOW_BYTES,
  ) {
    this.#port = port;
    this.#signal = new Int32Array(signal);
    port.on('message', (request: FetchRequest) => this.#onRequest(request));
  }

  /** Aborts every fetch; the worker is gone or going. */
  close(): void {
    this.#closed = true;
    for (const s of this.#streams.values()) {
      s.abort.abort();
      s.wake?.();
    }
    this.#streams.clear();
    this.#port.close();
  }

  /** Fails the streams whose target matches at once (their source is known to be gone), rather than after a timeout. */
  failWhere(matches: (target: FetchTarget) => boolean, message: string): void {
    for (const [id, s] of [...this.#streams]) {
      if (!matches(s.target)) continue;
      this.#streams.delete(id);
      s.abort.abort();
      s.wake?.();
      this.#post({ t: 'error', id, message });
    }
  }

  #onRequest(request: FetchRequest): void {
    switch (request.t) {
      case 'fetch':
        void this.#run(request.id, request.target);
        return;
      case 'ack': {
        const s = this.#streams.get(request.id);
        if (s === undefined) return;
        s.unacked -= request.bytes;
        if (s.unacked <= this.windowBytes) s.wake?.();
        return;
      }
      case 'cancel': {
        const s = this.#streams.get(request.id);
        if (s === undefined) return;
        this.#streams.delete(request.id);
        s.abort.abort();
        s.wake?.();
        return;
      }
    }
  }

  async #run(id: number, target: FetchTarget): Promise<void> {
    const stream: Stream = { target, abort: new AbortController(), unacked: 0, wake: undefined };
    this.#streams.set(id, stream);
    const live = (): boolean => !this.#closed && this.#streams.get(id) === stream;
    try {
      for await (const chunk of this.open(target, stream.abort.signal)) {
        if (!live()) return;
        this.#post({ t: 'chunk', id, bytes: chunk });
        stream.unacked += chunk.byteLength;
        while (stream.unacked > this.windowBytes && live()) await new Promise<void>((resolve) => (stream.wake = resolve));
        stream.wake = undefined;
        if (!live()) return;
      }
      if (live()) this.#post({ t: 'end', id });
    } catch (error) {
      if (!live()) return;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.debug('fetch for the task thread failed', { target, error: message });
      this.#post({ t: 'error', id, message });
    } finally {
      if (this.#streams.get(id) === stream) this.#streams.delete(id);
    }
  }

  #post(reply: FetchReply): void {
    if (this.#closed) return;
    this.#port.postMessage(reply);
    Atomics.add(this.#signal, 0, 1);
    Atomics.notify(this.#signal, 0);
  }
}
