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
    expect([...reader.readSegment(s, 0)]).toEqual([1, 2]);
    expect([...reader.readSegment(s, 1)]).toEqual([]);
    expect([...reader.readSegment(s, 2)]).toEqual([3, 4, 5, 6]);
    reader.close();
    expect([...reader.readSegment(s, 2)]).toEqual([3, 4, 5, 6]);
    reader.close();
  });

  it('throws on a missing file, a truncated file, or a partition outside the status', () => {
    const reader = new LocalFileBlockReader();
    expect(() => reader.readSegment(status(join(dir, 'missing.data'), [0, 3]), 0)).toThrow(/ENOENT/);
    const path = join(dir, 'short.data');
    writeFileSync(path, Uint8Array.from([1, 2]));
    expect(() => reader.readSegment(status(path, [0, 5]), 0)).toThrow(/ends at byte 2/);
    expect(() => reader.readSegment(status(path, [0, 2]), 1)).toThrow(RangeError);
    reader.close();
  });
});
