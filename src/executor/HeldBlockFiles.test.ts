import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageLevel } from '../engine/StorageLevel.js';
import { BlockManager } from '../storage/BlockManager.js';
import { HeldBlockFiles } from './HeldBlockFiles.js';
import { ReplicaBlocks } from './ReplicaBlocks.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'kuberdd-held-'));
  dirs.push(d);
  return d;
}

const ID_A = 'a'.repeat(40);
const ID_B = 'b'.repeat(40);

/** The old driver's executor: RDD 3 (memory) and RDD 5 (disk) cached, RDD 9 cached but unnamed. */
function oldExecutor(dir: string): BlockManager {
  const bm = new BlockManager({ maxMemoryBytes: 1 << 24, diskDir: path.join(dir, 'old-blocks') });
  [...bm.putIterator(3, 0, StorageLevel.MEMORY_ONLY, [[1, 2], [3]])];
  [...bm.putIterator(3, 1, StorageLevel.MEMORY_ONLY, [[{ k: 'x' }, ['y', 4]]])];
  [...bm.putIterator(5, 0, StorageLevel.DISK_ONLY, [['on', 'disk'], ['twice']])];
  [...bm.putIterator(9, 0, StorageLevel.MEMORY_ONLY, [[7]])];
  return bm;
}

describe('HeldBlockFiles', () => {
  it('carries the cached partitions of named RDDs to a new block manager, under new RDD ids, at their levels', () => {
    const dir = tempDir();
    const held = HeldBlockFiles.write(oldExecutor(dir), [{ rddId: 3, identity: ID_A }, { rddId: 5, identity: ID_B }], path.join(dir, 'held'));
    expect(held.map((h) => [h.identity, h.partition, h.level]).sort()).toEqual([
      [ID_A, 0, 'MEMORY_ONLY'],
      [ID_A, 1, 'MEMORY_ONLY'],
      [ID_B, 0, 'DISK_ONLY'],
    ]);
    for (const h of held) expect(h.bytes).toBeGreaterThan(0);

    const fresh = new BlockManager({ maxMemoryBytes: 1 << 24, diskDir: path.join(dir, 'new-blocks') });
    const toAdopt = held.map((h) => ({ file: h.file, rddId: h.identity === ID_A ? 0 : 1, partition: h.partition, level: h.level }));
    const stored = HeldBlockFiles.adopt(new ReplicaBlocks(fresh), toAdopt);
    expect(stored.map((s) => [s.rddId, s.partition, s.level]).sort()).toEqual([
      [0, 0, 'MEMORY_ONLY'],
      [0, 1, 'MEMORY_ONLY'],
      [1, 0, 'DISK_ONLY'],
    ]);
    expect([...fresh.get(0, 0)!]).toEqual([[1, 2], [3]]);
    expect([...fresh.get(0, 1)!]).toEqual([[{ k: 'x' }, ['y', 4]]]);
    expect([...fresh.get(1, 0)!]).toEqual([['on', 'disk'], ['twice']]);
    expect(fresh.status(1, 0)).toMatchObject({ memoryBytes: 0 });
    // Taken over: the files are gone.
    expect(readdirSync(path.join(dir, 'held'))).toEqual([]);
  });

  it('skips a held file that is damaged or gone, and removes it; the partition is recomputed instead', () => {
    const dir = tempDir();
    const [first, second] = HeldBlockFiles.write(oldExecutor(dir), [{ rddId: 3, identity: ID_A }], path.join(dir, 'held'));
    writeFileSync(first!.file, Buffer.from('not a framed block at all'));
    rmSync(second!.file);
    const fresh = new BlockManager({ maxMemoryBytes: 1 << 24 });
    const stored = HeldBlockFiles.adopt(new ReplicaBlocks(fresh), [first!, second!].map((h) => ({ file: h.file, rddId: 0, partition: h.partition, level: h.level })));
    expect(stored).toEqual([]);
    expect(fresh.size).toBe(0);
    expect(existsSync(first!.file)).toBe(false);
  });

  it('writes nothing for RDDs whose lineage identity it was not told', () => {
    const dir = tempDir();
    expect(HeldBlockFiles.write(oldExecutor(dir), [{ rddId: 42, identity: ID_A }], path.join(dir, 'held'))).toEqual([]);
    expect(existsSync(path.join(dir, 'held'))).toBe(false);
  });
});
