import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameBlock, readFramedStream } from '../common/codec/frameBlock.js';
import { LocalFileBlockReader } from './LocalFileBlockReader.js';
import type { MapStatus } from './MapStatus.js';

const dir = mkdtempSync(join(tmpdir(), 'kuberdd-lfbr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function status(dataPath: string, offsets: number[]): MapStatus {
  return { shuffleId: 1, mapId: 0, executorId: 'e1', dataPath, offsets, records: offsets.slice(1).map(() => 0) };
}

describe('LocalFileBlockReader', () => {
  it('reads exactly each segment, and again after close', () => {
    const path = join(dir, 'a.data');
    writeFileSync(path, Uint8Array.from([1, 2, 3, 4, 5, 6]));
    const s = status(path, [0, 2, 2, 6]);
    const reader = new LocalFileBlockReader();
    const bytes = (it: Iterable<Uint8Array>): number[] => [...it].flatMap((c) => [...c]);
    expect(bytes(reader.readSegment(s, 0))).toEqual([1, 2]);
    expect([...reader.readSegment(s, 1)]).toEqual([]);
    expect(bytes(reader.readSegment(s, 2))).toEqual([3, 4, 5, 6]);
    reader.close();
    expect(bytes(reader.readSegment(s, 2))).toEqual([3, 4, 5, 6]);
    reader.close();
  });

  it('streams a segment in chunks of at most chunkBytes', () => {
    const path = join(dir, 'b.data');
    writeFileSync(path, Uint8Array.from({ length: 10 }, (_, i) => i));
    const reader = new LocalFileBlockReader(3);
    const chunks = [...reader.readSegment(status(path, [1, 9]), 0)].map((c) => [...c]);
    expect(chunks).toEqual([[1, 2, 3], [4, 5, 6], [7, 8]]);
    reader.close();
  });

  it('cuts chunks where frames end, and reads a frame larger than a chunk whole', () => {
    const frames = [10, 3, 40, 2, 2].map((n, i) => frameBlock(new Uint8Array(n).fill(i + 1)));
    const bytes = Buffer.concat(frames);
    const path = join(dir, 'frames.data');
    writeFileSync(path, bytes);
    const reader = new LocalFileBlockReader(32);
    const chunks = [...reader.readSegment(status(path, [0, bytes.length]), 0)];
    reader.close();
    // Frames of 22, 15, 52, 14 and 14 bytes: 22 + 15 do not fit 32, the 52-byte frame comes whole, 14 + 14 share a chunk.
    expect(chunks.map((c) => c.length)).toEqual([22, 15, 52, 28]);
    expect(Buffer.concat(chunks)).toEqual(bytes);
    expect([...readFramedStream(chunks, path, bytes.length)].map((p) => p.length)).toEqual([10, 3, 40, 2, 2]);
  });

  it('throws on a missing file, a truncated file, or a partition outside the status', () => {
    const reader = new LocalFileBlockReader();
    expect(() => [...reader.readSegment(status(join(dir, 'missing.data'), [0, 3]), 0)]).toThrow(/ENOENT/);
    const path = join(dir, 'short.data');
    writeFileSync(path, Uint8Array.from([1, 2]));
    expect(() => [...reader.readSegment(status(path, [0, 5]), 0)]).toThrow(/ends at byte 2/);
    expect(() => reader.readSegment(status(path, [0, 2]), 1)).toThrow(RangeError);
    reader.close();
  });
});
