import { randomBytes } from 'node:crypto';
import type { StagedPayload } from './ExecutorProtocol.js';

/** How long a staged payload waits to be fetched before it is dropped, by default. */
export const DEFAULT_STAGED_TTL_MS = 120_000;

interface Entry {
  readonly bytes: Uint8Array;
  readonly expires: number;
}

/**
 * Payloads too large for one control message (task results, stage binaries, broadcast values,
 * exported cached partitions), held until the receiver fetches them as blocks: the message
 * carries a StagedPayload naming one. Each is served to one fetch and dropped when that fetch
 * closes, or after `ttlMs` if nobody comes for it. Block ids are unguessable, so only the
 * receiver of the (signed) message can ask for the bytes.
 */
export class StagedPayloads {
  static readonly PREFIX = 'staged-';
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  #sweep: NodeJS.Timeout | undefined;

  constructor(ttlMs = DEFAULT_STAGED_TTL_MS) {
    this.#ttlMs = ttlMs;
  }

  stage(bytes: Uint8Array): StagedPayload {
    const blockId = `${StagedPayloads.PREFIX}${randomBytes(12).toString('hex')}`;
    this.#entries.set(blockId, { bytes, expires: Date.now() + this.#ttlMs });
    this.#sweep ??= setInterval(() => this.#dropExpired(), Math.min(this.#ttlMs, 10_000)).unref();
    return { blockId, size: bytes.byteLength };
  }

  /** A staged payload as a block source entry; it is dropped when the fetch closes it. */
  open(blockId: string): { size: number; read(offset: number, length: number): Uint8Array; close(): void } | undefined {
    const entry = this.#entries.get(blockId);
    if (entry === undefined) return undefined;
    const { bytes } = entry;
    return {
      size: bytes.byteLength,
      read: (offset, length) => bytes.subarray(offset, offset + length),
      close: () => void this.#entries.delete(blockId),
    };
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  #dropExpired(): void {
    const now = Date.now();
    for (const [id, e] of this.#entries) if (e.expires <= now) this.#entries.delete(id);
    if (this.#entries.size === 0 && this.#sweep !== undefined) {
      clearInterval(this.#sweep);
      this.#sweep = undefined;
    }
  }
}
