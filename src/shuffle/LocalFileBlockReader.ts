import { closeSync, openSync, readSync } from 'node:fs';
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

  *#chunks(status: MapStatus, reduceId: number, start: number, end: number): Generator<Uint8Array> {
    let position = start;
    while (position < end) {
      let fd = this.fds.get(status.dataPath);
      if (fd === undefined) {
        fd = openSync(status.dataPath, 'r');
        this.fds.set(status.dataPath, fd);
      }
      // A fresh buffer per chunk: the consumer may still hold payloads that point into the last one.
      const buf = Buffer.allocUnsafe(Math.min(this.chunkBytes, end - position));
      let filled = 0;
      while (filled < buf.length) {
        const n = readSync(fd, buf, filled, buf.length - filled, position + filled);
        if (n === 0) {
          throw new Error(
            `${status.dataPath} ends at byte ${position + filled}, but reduce partition ${reduceId} needs bytes up to ${end}`,
          );
        }
        filled += n;
      }
      position += filled;
      yield buf;
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
