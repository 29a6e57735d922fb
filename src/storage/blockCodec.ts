import { decode, encode } from '../common/codec/codec.js';
import { frameBlock, readFramedBlocks } from '../common/codec/frameBlock.js';

/*
 * A stored block's bytes, in memory (MEMORY_*_SER) or in a file (disk levels), are one
 * checksummed frame (frameBlock) per batch, each frame's payload the CBOR encoding of that
 * batch's records. Batches can then be decoded one at a time while reading, never the whole
 * partition at once.
 */

/** Header bytes frameBlock adds to every payload. */
export const FRAME_HEADER_BYTES = 12;

/** One batch as a framed block. Throws UserInputError NOT_SERIALIZABLE for records that cannot be encoded. */
export function encodeBatch(batch: readonly unknown[]): Uint8Array {
  return frameBlock(encode(batch));
}

/** The batches held in concatenated frames, decoded one at a time as the caller pulls. */
export function* decodeFrames(frames: readonly Uint8Array[], source: string): Generator<unknown[]> {
  for (const f of frames) for (const payload of readFramedBlocks(f, source)) yield decode<unknown[]>(payload);
}

/**
 * Bytes a batch takes when encoded (what the batch costs in a serialized level, and the
 * measure used for deserialized levels). Records the codec cannot encode — possible only in
 * deserialized levels, whose records never leave the process — fall back to estimateSize.
 */
export function measureBatch(batch: readonly unknown[]): number {
  try {
    return encode(batch).byteLength + FRAME_HEADER_BYTES;
  } catch {
    return estimateSize(batch);
  }
}

/**
 * A rough structural size for values the codec rejects (functions, cycles): 8 bytes per
 * number/reference, 2 per string character, 16 per object or array header. Shared and cyclic
 * references are counted once.
 */
export function estimateSize(value: unknown): number {
  const seen = new Set<object>();
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    switch (typeof v) {
      case 'string':
        total += 16 + 2 * v.length;
        break;
      case 'object':
        if (v === null) {
          total += 8;
          break;
        }
        if (seen.has(v)) {
          total += 8;
          break;
        }
        seen.add(v);
        if (ArrayBuffer.isView(v)) total += 16 + v.byteLength;
        else if (v instanceof Map) {
          total += 16;
          for (const [k, x] of v) stack.push(k, x);
        } else if (v instanceof Set) {
          total += 16;
          for (const x of v) stack.push(x);
        } else if (Array.isArray(v)) {
          total += 16 + 8 * v.length;
          for (const x of v) stack.push(x);
        } else {
          total += 16;
          for (const [k, x] of Object.entries(v)) {
            total += 16 + 2 * k.length;
            stack.push(x);
          }
        }
        break;
      default:
        total += 8;
    }
  }
  return total;
}
