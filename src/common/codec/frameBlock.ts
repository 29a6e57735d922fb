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

/** Bytes a frame takes before its payload. */
export const FRAME_HEADER_BYTES = HEADER_BYTES;

/** Wraps `payload` in a checksummed frame; frames can be concatenated and read back with readFramedBlocks. */
export function frameBlock(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_PAYLOAD) {
    throw new KuberddError('BLOCK_TOO_LARGE', `a block of ${payload.length} bytes does not fit a frame (at most ${MAX_PAYLOAD} bytes)`);
  }
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  out.set(payload, HEADER_BYTES);
  frameInPlace(out, 0, payload.length);
  return out;
}

/**
 * Frames a payload already sitting at `buf[at + 12, at + 12 + payloadLength)`: writes the 12-byte
 * header into `buf[at, at + 12)`, so `buf[at, at + 12 + payloadLength)` equals
 * `frameBlock(payload)` without copying the payload (for writers that build blocks in place).
 */
export function frameInPlace(buf: Uint8Array, at: number, payloadLength: number): void {
  if (payloadLength > MAX_PAYLOAD) {
    throw new KuberddError('BLOCK_TOO_LARGE', `a block of ${payloadLength} bytes does not fit a frame (at most ${MAX_PAYLOAD} bytes)`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset + at, HEADER_BYTES);
  buf[at] = MAGIC_0;
  buf[at + 1] = MAGIC_1;
  buf[at + 2] = VERSION;
  buf[at + 3] = 0;
  view.setUint32(4, payloadLength, true);
  const payloadAt = at + HEADER_BYTES;
  view.setUint32(8, crc32(buf.subarray(payloadAt, payloadAt + payloadLength), crc32(buf.subarray(at, at + 8))), true);
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
 * header. Payloads are subarrays of a chunk when a frame lies within one; a frame split across
 * chunks is assembled in a buffer of its own size, so only its bytes are copied (copying the
 * rest of the chunk along with it doubled the memory traffic of every shuffle read).
 * `totalBytes`, when known, is checked: a stream that ends early or runs long is corrupt, and
 * a damaged length field can never make it allocate beyond what the stream holds.
 */
export function* readFramedStream(chunks: Iterable<Uint8Array>, source: string, totalBytes?: number): Generator<Uint8Array> {
  let consumed = 0; // stream offset of the first byte not yet part of a yielded frame
  const head = new Uint8Array(HEADER_BYTES); // a header split across chunks
  let headFilled = 0;
  let frame: Uint8Array | undefined; // a frame split across chunks, once its length is known
  let frameFilled = 0;
  const from = (): string => `${source} (from byte ${consumed})`;
  const startFrame = (header: Uint8Array): Uint8Array => {
    if (header[0] !== MAGIC_0 || header[1] !== MAGIC_1) {
      for (const _ of readFramedBlocks(header, from())) void _; // throws: bad magic, at this offset
    }
    const length = HEADER_BYTES + new DataView(header.buffer, header.byteOffset, HEADER_BYTES).getUint32(4, true);
    if (totalBytes !== undefined && length > totalBytes - consumed) {
      throw corrupt(
        from(),
        0,
        consumed >= totalBytes
          ? `the stream runs past the ${totalBytes} bytes expected`
          : `truncated payload (header says ${length - HEADER_BYTES} bytes, the ${totalBytes} expected leave ${totalBytes - consumed - HEADER_BYTES})`,
      );
    }
    return new Uint8Array(length);
  };
  for (let chunk of chunks) {
    if (chunk.length === 0) continue;
    if (headFilled > 0 || frame !== undefined) {
      if (frame === undefined) {
        const take = Math.min(HEADER_BYTES - headFilled, chunk.length);
        head.set(chunk.subarray(0, take), headFilled);
        headFilled += take;
        chunk = chunk.subarray(take);
        if (headFilled < HEADER_BYTES) continue;
        frame = startFrame(head);
        frame.set(head);
        frameFilled = HEADER_BYTES;
        headFilled = 0;
      }
      const take = Math.min(frame.length - frameFilled, chunk.length);
      frame.set(chunk.subarray(0, take), frameFilled);
      frameFilled += take;
      chunk = chunk.subarray(take);
      if (frameFilled < frame.length) continue;
      for (const payload of readFramedBlocks(frame, from())) yield payload;
      consumed += frame.length;
      frame = undefined;
      if (chunk.length === 0) continue;
    }
    const complete = completeFramesLength(chunk);
    if (complete > 0) {
      for (const payload of readFramedBlocks(chunk.subarray(0, complete), from())) yield payload;
    }
    consumed += complete;
    const rest = chunk.subarray(complete);
    if (rest.length >= HEADER_BYTES) {
      frame = startFrame(rest);
      frame.set(rest);
      frameFilled = rest.length;
    } else if (rest.length > 0) {
      if (rest[0] !== MAGIC_0 || (rest.length > 1 && rest[1] !== MAGIC_1)) {
        for (const _ of readFramedBlocks(rest, from())) void _; // throws: a truncated or bad header
      }
      head.set(rest);
      headFilled = rest.length;
    }
  }
  // A frame or header still open when the stream ends is truncated: let the reader say how.
  if (frame !== undefined) for (const _ of readFramedBlocks(frame.subarray(0, frameFilled), from())) void _;
  if (headFilled > 0) for (const _ of readFramedBlocks(head.subarray(0, headFilled), from())) void _;
  if (totalBytes !== undefined && consumed !== totalBytes) {
    throw corrupt(source, consumed, `the stream holds ${consumed} bytes, ${totalBytes} were expected`);
  }
}

/**
 * Length of the longest prefix of `buf` made of whole frames (headers are not validated here;
 * bytes that do not start with the magic count as whole, for the reader to report).
 */
export function completeFramesLength(buf: Uint8Array): number {
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
