import { closeSync, openSync, readSync } from 'node:fs';
import { completeFramesLength, FRAME_HEADER_BYTES } from '../common/codec/frameBlock.js';
import type { MapStatus } from './MapStatus.js';
import type { ShuffleBlockReader } from './ShuffleBlockReader.js';

/** Bytes read from disk at a time: large enough for few syscalls, small enough to bound memory per open segment. */
export const SEGMENT_CHUNK_BYTES = 1024 * 1024;

/** Reads segments straight from committed data files on this machine's disk. */
export class LocalFileBlockReader implements ShuffleBlockReader {
  // A reducer reads one segment per (map output, reduce partition); keeping each file open
  // across its segments saves an open/close pair per segment.
  private readonly fds = new Map<string, number>();

  constructor(private readonly chunkBytes = SEGMENT_CHUNK_BYTES) {}

  readSegment(status: MapStatus, reduceId: number): Iterable<Uint8Array> {
    const start = status.offsets[reduceId];
    const end = status.offsets[reduceId + 1];
    if (start === undefined || end === undefined || end < start) {
      throw new RangeError(
        `Map output ${status.mapId} of shuffle ${status.shuffleId} has no segment for reduce partition ${reduceId}`,
      );
    }
    return this.#chunks(status, reduceId, start, end);
  }

  /**
   * Chunks end where a frame does, so the consumer never assembles a frame from two chunks (a
   * copy, and a buffer of its own, per block of a segment read in 1 MiB chunks): a chunk is cut
   * after its last whole frame (the rest is read again with the next), and a frame larger than
   * a chunk is read whole. Bytes that are not frames come as read.
   */
  *#chunks(status: MapStatus, reduceId: number, start: number, end: number): Generator<Uint8Array> {
    let position = start;
    while (position < end) {
      let fd = this.fds.get(status.dataPath);
      if (fd === undefined) {
        fd = openSync(status.dataPath, 'r');
        this.fds.set(status.dataPath, fd);
      }
      // A fresh buffer per chunk: the consumer may still hold payloads that point into the last one.
      let buf = this.#read(fd, status, reduceId, end, position, Math.min(this.chunkBytes, end - position));
      let whole = completeFramesLength(buf);
      if (whole === 0 && buf.length >= FRAME_HEADER_BYTES) {
        const frame = FRAME_HEADER_BYTES + buf.readUInt32LE(4);
        // A length past the segment is damage: read no further than it, the consumer reports it.
        buf = this.#read(fd, status, reduceId, end, position, Math.min(frame, end - position));
        whole = buf.length;
      }
      if (whole === 0) whole = buf.length;
      position += whole;
      yield whole === buf.length ? buf : buf.subarray(0, whole);
    }
  }

  #read(fd: number, status: MapStatus, reduceId: number, end: number, position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const n = readSync(fd, buf, filled, length - filled, position + filled);
      if (n === 0) {
        throw new Error(`${status.dataPath} ends at byte ${position + filled}, but reduce partition ${reduceId} needs bytes up to ${end}`);
      }
      filled += n;
    }
    return buf;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
