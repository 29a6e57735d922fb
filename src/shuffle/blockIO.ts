import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { FRAME_HEADER_BYTES, frameBlock, readFramedBlocks } from '../common/codec/frameBlock.js';
import { decodeRecordBatches, encodeRecords } from './recordBlockCodec.js';

type Rec = [unknown, unknown];

// Small segments are coalesced before hitting the disk, so many reduce partitions don't cost
// a syscall each.
const WRITE_BUFFER_BYTES = 1 << 20;

/** Encodes record arrays as framed blocks (recordBlockCodec), each at most `maxBytes` of payload. */
export class BlockEncoder {
  // Encoded bytes per record seen so far, to size the next chunk without trial and error.
  private bytesPerRecord = 0;
  constructor(readonly maxBytes: number) {}

  encodeBucket(bucket: readonly Rec[], out: BlockFileWriter): void {
    let i = 0;
    while (i < bucket.length) {
      // Aim below the limit so estimation error rarely forces a re-encode.
      let n =
        this.bytesPerRecord === 0 ? 512 : Math.max(1, Math.floor((this.maxBytes * 0.8) / this.bytesPerRecord));
      n = Math.min(n, bucket.length - i);
      for (;;) {
        const chunk = i === 0 && n === bucket.length ? bucket : bucket.slice(i, i + n);
        const payload = encodeRecords(chunk);
        this.bytesPerRecord = payload.length / n;
        if (payload.length > this.maxBytes && n > 1) {
          n = Math.max(1, Math.floor((this.maxBytes * 0.8) / this.bytesPerRecord));
          continue;
        }
        out.append(frameBlock(payload));
        i += n;
        break;
      }
    }
  }
}

/** Appends to a file through a small buffer, tracking the file position. */
export class BlockFileWriter {
  position = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  constructor(private readonly fd: number) {}

  append(bytes: Uint8Array): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.position += bytes.length;
    if (this.pendingBytes >= WRITE_BUFFER_BYTES) this.flush();
  }

  /**
   * Like append, for bytes the caller reuses once this returns (a staging area): large ones are
   * written at once, small ones copied into the buffer.
   */
  appendTransient(bytes: Uint8Array): void {
    if (bytes.length < WRITE_BUFFER_BYTES / 4) {
      // A copy (a Buffer's slice() would be a view).
      this.append(new Uint8Array(bytes));
      return;
    }
    this.flush();
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    this.position += bytes.length;
  }

  flush(): void {
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done);
    this.pending = [];
    this.pendingBytes = 0;
  }
}

function readFully(fd: number, buf: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new Error(`${path} ends at byte ${position + done}, expected ${buf.length - done} more bytes`);
    done += n;
  }
}

/**
 * Streams the record batches stored as framed blocks in bytes `[start, end)` of `path`, one
 * block in memory at a time (checksums verified). The file is opened on the first `next()` and
 * closed when the stream ends, fails or is abandoned (`return()`).
 */
export function* readBlockFile(path: string, start: number, end: number): Generator<Rec[]> {
  if (start >= end) return;
  const fd = openSync(path, 'r');
  try {
    const header = new Uint8Array(FRAME_HEADER_BYTES);
    const view = new DataView(header.buffer);
    let pos = start;
    while (pos < end) {
      readFully(fd, header, pos, path);
      const length = view.getUint32(4, true);
      const frame = new Uint8Array(FRAME_HEADER_BYTES + length);
      frame.set(header);
      readFully(fd, frame.subarray(FRAME_HEADER_BYTES), pos + FRAME_HEADER_BYTES, path);
      for (const payload of readFramedBlocks(frame, `${path} at ${pos}`)) yield* decodeRecordBatches(payload);
      pos += frame.length;
    }
  } finally {
    closeSync(fd);
  }
}
