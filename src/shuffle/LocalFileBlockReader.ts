import { closeSync, openSync, readSync } from 'node:fs';
import type { MapStatus } from './MapStatus.js';
import type { ShuffleBlockReader } from './ShuffleBlockReader.js';

/** Reads segments straight from committed data files on this machine's disk. */
export class LocalFileBlockReader implements ShuffleBlockReader {
  // A reducer reads one segment per (map output, reduce partition); keeping each file open
  // across its segments saves an open/close pair per segment.
  private readonly fds = new Map<string, number>();

  readSegment(status: MapStatus, reduceId: number): Uint8Array {
    const start = status.offsets[reduceId];
    const end = status.offsets[reduceId + 1];
    if (start === undefined || end === undefined || end < start) {
      throw new RangeError(
        `Map output ${status.mapId} of shuffle ${status.shuffleId} has no segment for reduce partition ${reduceId}`,
      );
    }
    const length = end - start;
    if (length === 0) return new Uint8Array(0);
    let fd = this.fds.get(status.dataPath);
    if (fd === undefined) {
      fd = openSync(status.dataPath, 'r');
      this.fds.set(status.dataPath, fd);
    }
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, start + done);
      if (n === 0) {
        throw new Error(
          `${status.dataPath} ends at byte ${start + done}, but reduce partition ${reduceId} needs bytes up to ${end}`,
        );
      }
      done += n;
    }
    return buf;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
