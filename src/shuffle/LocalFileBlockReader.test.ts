import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
