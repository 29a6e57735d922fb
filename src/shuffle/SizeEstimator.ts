import { encode } from '../common/codec/codec.js';

/** Used for a value the codec refuses (it would fail only if actually spilled). */
const UNENCODABLE_GUESS = 64;
/** Every value is measured until this many have been seen; then one in SAMPLE_EVERY. */
const EXACT_FIRST = 32;
const SAMPLE_EVERY = 32;

/** Encoded size of `value` in bytes (what spilling it would cost on disk, before framing). */
export function encodedSize(value: unknown): number {
  try {
    return encode(value).length;
  } catch {
    return UNENCODABLE_GUESS;
  }
}

/**
 * Estimates the encoded (CBOR) size of a stream of values without encoding every one: the first
 * 32 values are encoded and measured exactly, after that one value in 32 is; every other value
 * is assumed to have the mean size of the values measured so far. So the estimate for n values
 * is, in expectation, their total encoded size, at about 1/32 of the cost of encoding them.
 * Values of very uneven size are estimated less precisely (the budget is a soft limit).
 * Batches are estimated whole (`perRecord`) to keep the per-record cost to an addition.
 */
export class SizeEstimator {
  private seen = 0;
  private sampled = 0;
  private sampledBytes = 0;

  /** Estimated encoded size of `value`, which is the next value of the stream. */
  estimate(value: unknown): number {
    const i = this.seen++;
    if (i < EXACT_FIRST || i % SAMPLE_EVERY === 0) {
      const size = encodedSize(value);
      this.sampled++;
      this.sampledBytes += size;
      return size;
    }
    return this.sampledBytes / this.sampled;
  }

  /**
   * The next values of the stream are `batch`'s: measures those due for sampling and returns
   * the mean estimated size of one of them (so `batch.length * perRecord(batch)` estimates the
   * batch; the sum over batches equals the sum of `estimate` over their values).
   */
  perRecord(batch: readonly unknown[]): number {
    const n = batch.length;
    if (n === 0) return 0;
    const start = this.seen;
    const end = start + n;
    let total = 0;
    let exact = 0;
    // Indices below EXACT_FIRST, then multiples of SAMPLE_EVERY.
    for (let i = start; i < Math.min(end, EXACT_FIRST); i++) {
      const size = encodedSize(batch[i - start]);
      this.sampled++;
      this.sampledBytes += size;
      total += size;
      exact++;
    }
    const from = Math.max(start, EXACT_FIRST);
    for (let i = Math.ceil(from / SAMPLE_EVERY) * SAMPLE_EVERY; i < end; i += SAMPLE_EVERY) {
      const size = encodedSize(batch[i - start]);
      this.sampled++;
      this.sampledBytes += size;
      total += size;
      exact++;
    }
    this.seen = end;
    return (total + (n - exact) * (this.sampledBytes / this.sampled)) / n;
  }

  /** Values measured exactly so far (for tests). */
  get samples(): number {
    return this.sampled;
  }
}

/**
 * Estimates the encoded size of a whole collection of `size` entries by encoding at most
 * `maxSamples` of them, evenly spaced through iteration order, and scaling their mean size.
 * Iterates the whole collection (cheap next to encoding).
 */
export function estimateCollection(entries: Iterable<unknown>, size: number, maxSamples = 64): number {
  if (size === 0) return 0;
  const stride = Math.max(1, Math.ceil(size / maxSamples));
  let i = 0;
  let n = 0;
  let bytes = 0;
  for (const e of entries) {
    if (i++ % stride === 0) {
      bytes += encodedSize(e);
      n++;
    }
  }
  return n === 0 ? 0 : (bytes / n) * size;
}
