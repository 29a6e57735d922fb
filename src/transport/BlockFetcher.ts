import { crc32 } from '../common/codec/crc32.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import { BlockFetchError, type BlockFetchErrorCode } from './BlockFetchError.js';
import { BLOCK_REPLY_OVERHEAD, decodeBlockReply, encodeBlockRequest } from './blockProtocol.js';
import type { MessageBus } from './MessageBus.js';
import { TransportError } from './TransportError.js';

export interface BlockFetcherOptions {
  /** Chunk requests outstanding per fetch: the flow-control window. Default 4. */
  readonly maxInFlightChunks?: number;
  /** How long one request (open or chunk) waits for its reply. Default 15 s. */
  readonly chunkTimeoutMs?: number;
  /** Fetches running at once through this fetcher; more wait their turn. Default 8. */
  readonly maxConcurrentFetches?: number;
  /**
   * Extra attempts for a request that timed out or found no server. Chunk reads are
   * idempotent, and a server briefly unreachable (NATS restarting) is back within a second.
   * Default 2.
   */
  readonly retries?: number;
}

const noop = (): void => {};

/**
 * Fetches byte blocks served by serveBlocks, pull-based: it asks for one chunk range per
 * request and keeps at most `maxInFlightChunks` requests outstanding per fetch, refilling the
 * window only as the consumer takes chunks, so a slow consumer holds at most the window in
 * memory. The block's CRC32, computed by the server, is checked before the last chunk is
 * handed out; the chunks are only known good once the iteration ends without an error.
 */
export class BlockFetcher {
  private readonly window: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly slots: FetchSlots;

  constructor(
    private readonly bus: MessageBus,
    options: BlockFetcherOptions = {},
  ) {
    this.window = positiveInteger(options.maxInFlightChunks ?? 4, 'maxInFlightChunks');
    this.timeoutMs = positiveInteger(options.chunkTimeoutMs ?? 15_000, 'chunkTimeoutMs');
    this.slots = new FetchSlots(positiveInteger(options.maxConcurrentFetches ?? 8, 'maxConcurrentFetches'));
    this.retries = options.retries ?? 2;
    if (!Number.isSafeInteger(this.retries) || this.retries < 0) throw new UserInputError(`BlockFetcher: retries must be a non-negative integer (got ${options.retries}).`);
  }

  /**
   * The block's bytes in order, as chunks no larger than the server's max_payload minus
   * overhead. Throws BlockFetchError (MISSING_BLOCK, TIMEOUT, CHECKSUM_MISMATCH, SERVER_GONE,
   * SESSION_LOST, ABORTED, …). Breaking out of the loop early releases the server's session.
   */
  fetch(subject: string, blockId: string, opts: { signal?: AbortSignal } = {}): AsyncIterable<Uint8Array> {
    return this.chunks(subject, blockId, opts.signal);
  }

  /** The whole block in one array. */
  async fetchAll(subject: string, blockId: string, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const part of this.chunks(subject, blockId, opts.signal)) {
      parts.push(part);
      total += part.byteLength;
    }
    if (parts.length === 1) return parts[0]!;
    const whole = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      whole.set(part, at);
      at += part.byteLength;
    }
    return whole;
  }

  private async *chunks(subject: string, blockId: string, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array, void, undefined> {
    const fail = (code: BlockFetchErrorCode, message: string, cause?: unknown): BlockFetchError =>
      new BlockFetchError(code, subject, blockId, message, cause === undefined ? undefined : { cause });
    if (signal?.aborted) throw fail('ABORTED', 'aborted before it started', signal.reason);
    let release: () => void;
    try {
      release = await this.slots.acquire(signal);
    } catch (e) {
      throw fail('ABORTED', 'aborted while waiting for a free fetch slot', e);
    }
    // Aborted when the fetch ends for any reason, so no request outlives it.
    const local = new AbortController();
    const onAbort = (): void => local.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let session: string | null = null;
    try {
      const chunkLimit = Math.max(1, this.bus.maxPayload - BLOCK_REPLY_OVERHEAD);
      const opened = decodeBlockReply(await this.ask(subject, encodeBlockRequest({ op: 'open', blockId, firstLength: chunkLimit }), local.signal));
      if ('malformed' in opened) throw fail('PROTOCOL', `malformed reply to 'open': ${opened.malformed}`);
      if (opened.kind === 'error') throw this.serverError(fail, opened.code, opened.message);
      if (opened.kind !== 'opened') throw fail('PROTOCOL', `expected an OPENED reply to 'open', got ${opened.kind.toUpperCase()}`);
      session = opened.session;
      const { size, first } = opened;
      const chunk = Math.min(chunkLimit, opened.maxChunk);
      if (first.byteLength !== Math.min(size, chunk)) throw fail('PROTOCOL', `'open' returned ${first.byteLength} first bytes of a ${size}-byte block (expected ${Math.min(size, chunk)})`);
      const openSession = session;
      if (openSession === null && first.byteLength < size) throw fail('PROTOCOL', `'open' returned part of a ${size}-byte block without a session`);

      const inFlight: Array<Promise<Uint8Array>> = [];
      let requested = first.byteLength;
      const refill = (): void => {
        while (inFlight.length < this.window && requested < size) {
          const length = Math.min(chunk, size - requested);
          const reply = this.readChunk(subject, openSession!, requested, length, local.signal, fail);
          reply.catch(noop); // Awaited in order below; this only keeps an early failure from going unhandled.
          inFlight.push(reply);
          requested += length;
        }
      };
      refill();

      let received = first.byteLength;
      // A self-checked block (crc null) is verified by its consumer, frame by frame.
      const checked = opened.crc !== null;
      let crc = checked ? crc32(first) : 0;
      const verify = (): void => {
        if (checked && crc !== opened.crc) {
          throw fail('CHECKSUM_MISMATCH', `CRC32 of the ${size} bytes received is ${hex(crc)}, the server computed ${hex(opened.crc)} (data changed or corrupted in transit)`);
        }
      };
      if (received === size) verify();
      if (first.byteLength > 0) yield first;
      while (inFlight.length > 0) {
        const data = await inFlight.shift()!;
        if (checked) crc = crc32(data, crc);
        received += data.byteLength;
        refill();
        if (received === size) verify();
        yield data;
      }
    } catch (e) {
      throw this.toFetchError(e, fail);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      local.abort();
      if (session !== null) {
        try {
          this.bus.publish(subject, encodeBlockRequest({ op: 'close', session }));
        } catch {
          // The bus is closed: the server drops the session when it goes idle.
        }
      }
      release();
    }
  }

  private async readChunk(
    subject: string,
    session: string,
    offset: number,
    length: number,
    signal: AbortSignal,
    fail: (code: BlockFetchErrorCode, message: string, cause?: unknown) => BlockFetchError,
  ): Promise<Uint8Array> {
    const reply = decodeBlockReply(await this.ask(subject, encodeBlockRequest({ op: 'read', session, offset, length }), signal));
    if ('malformed' in reply) throw fail('PROTOCOL', `malformed reply to 'read' at ${offset}: ${reply.malformed}`);
    if (reply.kind === 'error') throw this.serverError(fail, reply.code, reply.message);
    if (reply.kind !== 'data') throw fail('PROTOCOL', `expected a DATA reply to 'read', got ${reply.kind.toUpperCase()}`);
    if (reply.bytes.byteLength !== length) throw fail('PROTOCOL', `asked for ${length} bytes at ${offset}, got ${reply.bytes.byteLength}`);
    return reply.bytes;
  }

  /** One request, retried after a timeout or while nobody serves the subject. */
  private async ask(subject: string, data: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.bus.request(subject, data, { timeoutMs: this.timeoutMs, signal });
      } catch (e) {
        const retriable = e instanceof TransportError && (e.code === 'TIMEOUT' || e.code === 'NO_RESPONDERS');
        if (!retriable || attempt >= this.retries) throw e;
        await delay(100 * 2 ** attempt, signal);
      }
    }
  }

  private serverError(fail: (code: BlockFetchErrorCode, message: string) => BlockFetchError, code: string, message: string): BlockFetchError {
    if (code === 'MISSING') return fail('MISSING_BLOCK', message);
    if (code === 'UNKNOWN_SESSION') return fail('SESSION_LOST', message);
    return fail('SERVER_ERROR', `${code}: ${message}`);
  }

  private toFetchError(e: unknown, fail: (code: BlockFetchErrorCode, message: string, cause?: unknown) => BlockFetchError): BlockFetchError {
    if (e instanceof BlockFetchError) return e;
    const attempts = this.retries + 1;
    if (e instanceof TransportError) {
      switch (e.code) {
        case 'TIMEOUT':
          return fail('TIMEOUT', `no reply within ${this.timeoutMs} ms (${attempts} attempts)`, e);
        case 'NO_RESPONDERS':
          return fail('SERVER_GONE', `nobody serves blocks on this subject (${attempts} attempts): its executor or driver is gone`, e);
        case 'ABORTED':
          return fail('ABORTED', 'aborted', e);
        default:
          return fail('TRANSPORT', e.message, e);
      }
    }
    return fail('TRANSPORT', e instanceof Error ? e.message : String(e), e);
  }
}

/** A counting semaphore whose waits can be aborted; waiters are served in order. */
class FetchSlots {
  private readonly waiting: Array<() => void> = [];

  constructor(private free: number) {}

  acquire(signal: AbortSignal | undefined): Promise<() => void> {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.free++;
    };
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      this.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new TransportError('ABORTED', 'aborted', { cause: signal.reason }));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new TransportError('ABORTED', 'aborted', { cause: signal.reason }));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new UserInputError(`BlockFetcher: ${name} must be a positive integer (got ${value}).`);
  return value;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
