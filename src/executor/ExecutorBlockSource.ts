import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { BlockSource, OpenBlock } from '../transport/BlockServer.js';
import type { StagedPayloads } from './StagedPayloads.js';

const SEGMENT_ID = /^(shuffle_\d+_\d+_\d+\.data):(\d+)-(\d+)$/;

/**
 * What an executor process serves on its blocks subject: byte ranges of its committed map
 * output files (`shuffle_<shuffle>_<map>_<attempt>.data:<start>-<end>`, the segment of one
 * reduce partition) and its staged payloads. Ids are parsed strictly, so a request can name
 * nothing outside the executor's shuffle directory.
 */
export class ExecutorBlockSource implements BlockSource {
  constructor(
    private readonly shuffleDir: string,
    private readonly staged: StagedPayloads,
  ) {}

  /** The block id of bytes [start, end) of a map output file. */
  static segmentBlockId(file: string, start: number, end: number): string {
    return `${file}:${start}-${end}`;
  }

  open(blockId: string): OpenBlock | undefined {
    if (blockId.startsWith('staged-')) return this.staged.open(blockId);
    const m = SEGMENT_ID.exec(blockId);
    if (m === null) return undefined;
    const start = Number(m[2]);
    const end = Number(m[3]);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined;
    let fd: number;
    try {
      fd = openSync(path.join(this.shuffleDir, m[1]!), 'r');
    } catch {
      return undefined; // removed (its shuffle was cleaned up) or never written here
    }
    if (fstatSync(fd).size < end) {
      closeSync(fd);
      return undefined;
    }
    let closed = false;
    return {
      size: end - start,
      // Segments are CRC-framed blocks; a damaged frame fails its decode as a fetch failure.
      selfChecked: true,
      read(offset, length) {
        const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, end - start - offset)));
        let filled = 0;
        while (filled < buf.length) {
          const n = readSync(fd, buf, filled, buf.length - filled, start + offset + filled);
          if (n === 0) throw new Error(`${m[1]} ended early, at byte ${start + offset + filled}`);
          filled += n;
        }
        return buf;
      },
      close() {
        if (closed) return;
        closed = true;
        closeSync(fd);
      },
    };
  }
}
