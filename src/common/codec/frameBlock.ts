import { KuberddError } from '../errors/KuberddError.js';
import { crc32 } from './crc32.js';

/*
 * Frame layout (12-byte header, little-endian):
 *   0  u8[2] magic   'K' 'B'
 *   2  u8    version 1
 *   3  u8    flags   0 (reserved, e.g. for compression; readers reject frames with unknown flags)
 *   4  u32   payload length
 *   8  u32   CRC-32 of header bytes 0..7 followed by the payload
 *  12  payload
 * The CRC covers the header too, so a damaged length or flag byte is caught even when the
 * damaged value still looks plausible.
 */
const MAGIC_0 = 0x4b; // 'K'
const MAGIC_1 = 0x42; // 'B'
const VERSION = 1;
const HEADER_BYTES = 12;
const MAX_PAYLOAD = 0xffffffff;

/** Wraps `payload` in a checksummed frame; frames can be concatenated and read back with readFramedBlocks. */
export function frameBlock(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_PAYLOAD) {
    throw new KuberddError('BLOCK_TOO_LARGE', `a block of ${payload.length} bytes does not fit a frame (at most ${MAX_PAYLOAD} bytes)`);
  }
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = VERSION;
  out[3] = 0;
  view.setUint32(4, payload.length, true);
  out.set(payload, HEADER_BYTES);
  view.setUint32(8, crc32(payload, crc32(out.subarray(0, 8))), true);
  return out;
}

function corrupt(source: string, offset: number, problem: string): KuberddError {
  return new KuberddError('CORRUPT_BLOCK', `Corrupt block in ${source} at byte offset ${offset}: ${problem}. The data was damaged after it was written; it must be recomputed.`);
}

function hex(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

/**
 * Yields the payload of each frame in `buf` (concatenated frameBlock outputs), in order, as
 * subarrays of `buf` (no copy: they stay valid only as long as `buf` is not reused). Throws
 * KuberddError `CORRUPT_BLOCK` naming `source` and the frame's byte offset on bad magic, an
 * unknown version or flags, truncation, or a checksum mismatch. Frames before a bad one are
 * yielded first; a frame's payload is only yielded once its checksum has been verified.
 */
export function* readFramedBlocks(buf: Uint8Array, source: string): Generator<Uint8Array> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let offset = 0;
  while (offset < buf.length) {
    if (buf.length - offset < HEADER_BYTES) {
      throw corrupt(source, offset, `truncated header (${buf.length - offset} of ${HEADER_BYTES} bytes present)`);
    }
    if (buf[offset] !== MAGIC_0 || buf[offset + 1] !== MAGIC_1) {
      throw corrupt(source, offset, `bad magic ${hex(view.getUint16(offset, false), 4)} (expected 0x4b42, "KB")`);
    }
    const version = buf[offset + 2]!;
    if (version !== VERSION) throw corrupt(source, offset, `unsupported frame version ${version} (expected ${VERSION})`);
    const flags = buf[offset + 3]!;
    if (flags !== 0) throw corrupt(source, offset, `unsupported frame flags ${hex(flags, 2)}`);
    const length = view.getUint32(offset + 4, true);
    const start = offset + HEADER_BYTES;
    if (length > buf.length - start) {
      throw corrupt(source, offset, `truncated payload (header says ${length} bytes, ${buf.length - start} present)`);
    }
    const payload = buf.subarray(start, start + length);
    const expected = view.getUint32(offset + 8, true);
    const actual = crc32(payload, crc32(buf.subarray(offset, offset + 8)));
    if (actual !== expected) {
      throw corrupt(source, offset, `checksum mismatch (stored ${hex(expected, 8)}, computed ${hex(actual, 8)} over ${length} payload bytes)`);
    }
    yield payload;
    offset = start + length;
  }
}

/**
 * readFramedBlocks over a stream of byte chunks (a segment read from disk piece by piece, or
 * fetched over the network in messages): chunk boundaries may fall anywhere, even inside a
 * header. Payloads are subarrays of a chunk when a frame lies within one, else of a copy.
 * `totalBytes`, when known, is checked: a stream that ends early or runs long is corrupt.
 */
export function* readFramedStream(chunks: Iterable<Uint8Array>, source: string, totalBytes?: number): Generator<Uint8Array> {
  let pending: Uint8Array | undefined; // bytes of an incomplete frame carried over from earlier chunks
  let consumed = 0; // stream offset of the first byte of `pending` (or of the next chunk)
  for (const chunk of chunks) {
    if (chunk.length === 0) continue;
    let buf = chunk;
    if (pending !== undefined) {
      buf = new Uint8Array(pending.length + chunk.length);
      buf.set(pending, 0);
      buf.set(chunk, pending.length);
      pending = undefined;
    }
    const complete = completeFramesLength(buf);
    if (complete > 0) {
      for (const payload of readFramedBlocks(buf.subarray(0, complete), source)) yield payload;
    }
    consumed += complete;
    if (complete < buf.length) {
      // Copy: the chunk's buffer may be reused by the producer once we ask for the next one.
      pending = buf.slice(complete);
      if (pending.length >= 4 && (pending[0] !== MAGIC_0 || pending[1] !== MAGIC_1)) {
        // Let readFramedBlocks produce the precise complaint (bad magic at this offset).
        for (const _ of readFramedBlocks(pending, `${source} (from byte ${consumed})`)) void _;
      }
    }
  }
  if (pending !== undefined) {
    for (const _ of readFramedBlocks(pending, `${source} (from byte ${consumed})`)) void _;
  }
  const total = consumed + (pending?.length ?? 0);
  if (totalBytes !== undefined && total !== totalBytes) {
    throw corrupt(source, total, `the stream holds ${total} bytes, ${totalBytes} were expected`);
  }
}

/** Length of the longest prefix of `buf` made of whole frames (headers are not validated here). */
function completeFramesLength(buf: Uint8Array): number {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let offset = 0;
  while (buf.length - offset >= HEADER_BYTES) {
    if (buf[offset] !== MAGIC_0 || buf[offset + 1] !== MAGIC_1) return offset === 0 ? buf.length : offset; // let the reader report it
    const end = offset + HEADER_BYTES + view.getUint32(offset + 4, true);
    if (end > buf.length) break;
    offset = end;
  }
  return offset;
}
