import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encode } from '../common/codec/codec.js';
import { StorageLevel } from '../engine/StorageLevel.js';
import { BlockManager, DEFAULT_STORAGE_BYTES, type BlockStatusUpdate } from './BlockManager.js';
import { estimateSize, measureBatch } from './blockCodec.js';

/** A fake partition: `batches` batches of `n` numbers, distinct per (rdd, partition). */
function block(rddId: number, partition: number, n = 100, batches = 1): number[][] {
  return Array.from({ length: batches }, (_, b) => Array.from({ length: n }, (_, i) => rddId * 1_000_000 + partition * 10_000 + b * 1000 + i));
}
const size = (batches: readonly unknown[][]): number => batches.reduce((s, b) => s + encode(b).byteLength + 12, 0);

/** An iterable that counts the batches pulled from it. */
function counted(batches: unknown[][]): { source: Iterable<unknown[]>; pulled: () => number } {
  let pulled = 0;
  return {
    source: (function* () {
      for (const b of batches) {
        pulled++;
        yield b;
      }
    })(),
    pulled: () => pulled,
  };
}

let dir: string;
let updates: BlockStatusUpdate[];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-bm-test-'));
  updates = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function manager(maxMemoryBytes: number): BlockManager {
  return new BlockManager({ maxMemoryBytes, diskDir: path.join(dir, 'blocks'), onBlockUpdate: (u) => void updates.push(u) });
}
const put = (bm: BlockManager, rddId: number, p: number, level: StorageLevel, data: unknown[][]): unknown[][] => [
  ...bm.putIterator(rddId, p, level, data),
];
const blockFiles = (): string[] => (existsSync(path.join(dir, 'blocks')) ? readdirSync(path.join(dir, 'blocks')) : []);

describe('BlockManager: memory budget and measurement', () => {
  it('defaults to 256 MiB', () => {
    expect(new BlockManager().maxMemoryBytes).toBe(DEFAULT_STORAGE_BYTES);
    expect(DEFAULT_STORAGE_BYTES).toBe(256 * 1024 * 1024);
  });

  it('MEMORY_ONLY counts the exact encoded size and reports it', () => {
    const bm = manager(1 << 20);
    const data = block(1, 0, 500, 3);
    expect(put(bm, 1, 0, StorageLevel.MEMORY_ONLY, data)).toEqual(data);
    expect(bm.memoryUsed).toBe(size(data));
    expect(updates).toEqual([{ rddId: 1, partition: 0, bytes: size(data), level: 'MEMORY_ONLY' }]);
    // Deserialized: the very objects come back.
    expect([...bm.get(1, 0)!][0]).toBe(data[0]);
  });

  it('the deserialized measure equals the serialized bytes for any data', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.jsonValue(), { maxLength: 20 }), { maxLength: 5 }), (batches) => {
        const a = new BlockManager({ maxMemoryBytes: 1 << 24 });
        const b = new BlockManager({ maxMemoryBytes: 1 << 24 });
        [...a.putIterator(1, 0, StorageLevel.MEMORY_ONLY, batches)];
        [...b.putIterator(1, 0, StorageLevel.MEMORY_ONLY_SER, batches)];
        expect(a.memoryUsed).toBe(size(batches));
        expect(b.memoryUsed).toBe(size(batches));
      }),
      { numRuns: 50 },
    );
  });

  it('an empty partition is cached with 0 bytes, even with a zero budget', () => {
    const bm = manager(0);
    expect(put(bm, 1, 0, StorageLevel.MEMORY_ONLY, [])).toEqual([]);
    expect(bm.status(1, 0)).toEqual({ memoryBytes: 0, diskBytes: 0 });
    expect(updates).toEqual([{ rddId: 1, partition: 0, bytes: 0, level: 'MEMORY_ONLY' }]);
  });

  it('records the codec cannot encode are measured by estimate at MEMORY_ONLY, and fail at serialized levels', () => {
    const fn = () => 1;
    const bm = manager(1 << 20);
    expect(put(bm, 1, 0, StorageLevel.MEMORY_ONLY, [[{ fn }]])[0]![0]).toEqual({ fn });
    expect(bm.memoryUsed).toBe(estimateSize([{ fn }]));
    expect(() => put(bm, 2, 0, StorageLevel.MEMORY_ONLY_SER, [[{ fn }]])).toThrow(/Cannot serialize/);
    expect(bm.status(2, 0)).toBeUndefined();
  });
});

describe('BlockManager: LRU eviction with the same-RDD rule', () => {
  const one = size(block(1, 0));

  it('evicts the least recently used partition of another RDD; reads refresh', () => {
    const bm = manager(3 * one);
    put(bm, 1, 0, StorageLevel.MEMORY_ONLY, block(1, 0));
    put(bm, 2, 0, StorageLevel.MEMORY_ONLY, block(2, 0));
    put(bm, 3, 0, StorageLevel.MEMORY_ONLY, block(3, 0));
    expect(bm.get(1, 0)).toBeDefined(); // 1 is now the most recently used; 2 the least
    updates = [];
    put(bm, 4, 0, StorageLevel.MEMORY_ONLY, block(4, 0));
    expect(bm.memoryBlockIds()).toEqual(['rdd_3_0', 'rdd_1_0', 'rdd_4_0']);
    expect(bm.get(2, 0)).toBeUndefined();
    expect(updates).toEqual([
      { rddId: 2, partition: 0, bytes: 0, level: 'NONE' },
      { rddId: 4, partition: 0, bytes: one, level: 'MEMORY_ONLY' },
    ]);
    expect(bm.memoryUsed).toBe(3 * one);
  });

  it('evicts several blocks, oldest first, when one is not enough', () => {
    const bm = manager(3 * one);
    for (const r of [1, 2, 3]) put(bm, r, 0, StorageLevel.MEMORY_ONLY, block(r, 0));
    const big = block(4, 0, 200); // about two blocks' worth
    put(bm, 4, 0, StorageLevel.MEMORY_ONLY, big);
    expect(bm.memoryBlockIds()).toEqual(['rdd_3_0', 'rdd_4_0']);
  });

  it('never evicts a partition of the RDD being cached: older partitions of other RDDs go first', () => {
    const bm = manager(2 * one);
    put(bm, 1, 0, StorageLevel.MEMORY_ONLY, block(1, 0)); // least recently used, but of the same RDD
    put(bm, 2, 0, StorageLevel.MEMORY_ONLY, block(2, 0));
    put(bm, 1, 1, StorageLevel.MEMORY_ONLY, block(1, 1));
    expect(bm.memoryBlockIds()).toEqual(['rdd_1_0', 'rdd_1_1']);
  });

  it('when only its own RDD could make room, the new partition is not cached (MEMORY_ONLY) and nothing is evicted', () => {
    const bm = manager(2 * one);
    put(bm, 1, 0, StorageLevel.MEMORY_ONLY, block(1, 0));
    put(bm, 1, 1, StorageLevel.MEMORY_ONLY, block(1, 1));
    updates = [];
    expect(put(bm, 1, 2, StorageLevel.MEMORY_ONLY, block(1, 2))).toEqual(block(1, 2));
    expect(bm.memoryBlockIds()).toEqual(['rdd_1_0', 'rdd_1_1']);
    expect(bm.get(1, 2)).toBeUndefined();
    expect(updates).toEqual([]);
  });

  it('evicts nothing when evicting every other RDD would still not make room', () => {
    const bm = manager(2 * one);
    put(bm, 2, 0, StorageLevel.MEMORY_ONLY, block(2, 0));
    put(bm, 1, 0, StorageLevel.MEMORY_ONLY, block(1, 0));
    updates = [];
    put(bm, 1, 1, StorageLevel.MEMORY_ONLY, block(1, 1, 150)); // needs 1.5 blocks; only rdd 2's one block is evictable
    expect(bm.memoryBlockIds()).toEqual(['rdd_2_0', 'rdd_1_0']);
    expect(updates).toEqual([]);
  });

  it('a partition bigger than the whole budget streams through uncached: the source is not read ahead', () => {
    const bm = manager(2 * one);
    put(bm, 2, 0, StorageLevel.MEMORY_ONLY, block(2, 0));
    const data = block(1, 0, 100, 10);
    const c = counted(data);
    const out = bm.putIterator(1, 0, StorageLevel.MEMORY_ONLY, c.source);
    expect(c.pulled()).toBe(3); // measuring stopped as soon as it passed the budget
    expect([...out]).toEqual(data);
    expect(c.pulled()).toBe(10);
    expect(bm.get(1, 0)).toBeUndefined();
    expect(bm.memoryBlockIds()).toEqual(['rdd_2_0']); // nothing evicted for a block that could never fit
  });

  it('a partition whose computation caches another RDD first (persist under persist) accounts for it', () => {
    const bm = manager(2 * one);
    put(bm, 9, 0, StorageLevel.MEMORY_ONLY, block(9, 0));
    const source = (function* () {
      yield* bm.putIterator(1, 0, StorageLevel.MEMORY_ONLY, [block(1, 0)[0]!]);
      yield* block(2, 0);
    })();
    expect([...bm.putIterator(2, 0, StorageLevel.MEMORY_ONLY, source)]).toEqual([block(1, 0)[0], block(2, 0)[0]]);
    // rdd 2's block (two batches' worth) evicted both others.
    expect(bm.memoryBlockIds()).toEqual(['rdd_2_0']);
    expect(bm.memoryUsed).toBeLessThanOrEqual(2 * one);
  });

  it('an evicted *_AND_DISK partition moves to disk and reads back from there', () => {
    for (const level of [StorageLevel.MEMORY_AND_DISK, StorageLevel.MEMORY_AND_DISK_SER]) {
      updates = [];
      const bm = manager(2 * one);
      put(bm, 1, 0, level, block(1, 0));
      put(bm, 2, 0, level, block(2, 0));
      put(bm, 3, 0, StorageLevel.MEMORY_ONLY, block(3, 0));
      expect(bm.memoryBlockIds()).toEqual(['rdd_2_0', 'rdd_3_0']);
      expect(bm.status(1, 0)).toEqual({ memoryBytes: 0, diskBytes: one });
      expect(updates).toContainEqual({ rddId: 1, partition: 0, bytes: one, level: level.name });
      expect([...bm.get(1, 0)!]).toEqual(block(1, 0));
      bm.clear();
    }
  });

  it('a *_AND_DISK partition read from disk comes back into memory once it fits without evicting', () => {
    for (const level of [StorageLevel.MEMORY_AND_DISK, StorageLevel.MEMORY_AND_DISK_SER]) {
      updates = [];
      const bm = manager(one);
      put(bm, 1, 0, level, block(1, 0));
      put(bm, 2, 0, StorageLevel.MEMORY_ONLY, block(2, 0)); // moves rdd 1's block to disk
      expect([...bm.get(1, 0)!]).toEqual(block(1, 0)); // no room: read from disk only
      expect(bm.memoryBlockIds()).toEqual(['rdd_2_0']);
      bm.removeRdd(2);
      expect([...bm.get(1, 0)!]).toEqual(block(1, 0));
      expect(bm.status(1, 0)).toEqual({ memoryBytes: one, diskBytes: one });
      expect([...bm.get(1, 0)!]).toEqual(block(1, 0));
      // Evicted again: the disk copy is still there, so nothing is written or reported.
      updates = [];
      put(bm, 3, 0, StorageLevel.MEMORY_ONLY, block(3, 0));
      expect(updates).toEqual([{ rddId: 3, partition: 0, bytes: one, level: 'MEMORY_ONLY' }]);
      expect(bm.status(1, 0)).toEqual({ memoryBytes: 0, diskBytes: one });
      expect([...bm.get(1, 0)!]).toEqual(block(1, 0));
      bm.clear();
    }
  });

  it('a *_AND_DISK partition that memory cannot take goes straight to disk', () => {
    const bm = manager(2 * one);
    put(bm, 1, 0, StorageLevel.MEMORY_AND_DISK, block(1, 0));
    put(bm, 1, 1, StorageLevel.MEMORY_AND_DISK, block(1, 1));
    expect(put(bm, 1, 2, StorageLevel.MEMORY_AND_DISK, block(1, 2))).toEqual(block(1, 2)); // same-RDD rule
    const huge = block(1, 3, 100, 5);
    expect(put(bm, 1, 3, StorageLevel.MEMORY_AND_DISK, huge)).toEqual(huge); // over the whole budget
    expect(bm.memoryBlockIds()).toEqual(['rdd_1_0', 'rdd_1_1']);
    expect(bm.status(1, 2)).toEqual({ memoryBytes: 0, diskBytes: one });
    expect(bm.status(1, 3)).toEqual({ memoryBytes: 0, diskBytes: size(huge) });
    expect([...bm.get(1, 3)!]).toEqual(huge);
  });
});

describe('BlockManager: levels', () => {
  const records = [
    0, -0, 1.5, NaN, Infinity, 2n ** 70n, 'text', '', '\ud800', true, null, undefined,
    [1, [2, [3]]], { a: 1, b: { c: 'd' } }, new Map<unknown, unknown>([[1, 'x'], ['k', { y: 2 }]]), new Set([1, 'a']),
    new Date(1_700_000_000_123), new Uint8Array([1, 2, 3]), [['k', 1]],
  ];
  const data = [records, [], records.slice(0, 5)];

  for (const level of Object.values(StorageLevel).filter((l) => l !== StorageLevel.NONE)) {
    it(`${level.name} round-trips records as computed`, () => {
      const bm = manager(1 << 20);
      expect(put(bm, 1, 0, level, data)).toEqual(data);
      expect([...bm.get(1, 0)!]).toEqual(data);
      const s = bm.status(1, 0)!;
      if (level.useMemory) expect(s).toEqual({ memoryBytes: size(data), diskBytes: 0 });
      else expect(s).toEqual({ memoryBytes: 0, diskBytes: size(data) });
      // One copy, even for _2 levels (replication needs executors that reach each other).
      expect(updates).toEqual([{ rddId: 1, partition: 0, bytes: size(data), level: level.name }]);
      expect(blockFiles()).toHaveLength(level.useMemory ? 0 : 1);
    });
  }

  it('MEMORY_ONLY_SER keeps bytes: reads decode fresh copies', () => {
    const bm = manager(1 << 20);
    const d = [[{ a: 1 }]];
    put(bm, 1, 0, StorageLevel.MEMORY_ONLY_SER, d);
    const read = [...bm.get(1, 0)!];
    expect(read).toEqual(d);
    expect(read[0]).not.toBe(d[0]);
  });

  it('DISK_ONLY holds nothing in memory and detects a damaged file', () => {
    const bm = manager(1 << 20);
    put(bm, 1, 0, StorageLevel.DISK_ONLY, block(1, 0, 100, 2));
    expect(bm.memoryUsed).toBe(0);
    const file = path.join(dir, 'blocks', blockFiles()[0]!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    writeFileSync(file, bytes);
    expect(() => [...bm.get(1, 0)!]).toThrow(/Corrupt block/);
  });

  it('a computation that fails while writing to disk leaves no file and no block', () => {
    const bm = manager(1 << 20);
    const failing = (function* () {
      yield [1];
      throw new Error('boom');
    })();
    expect(() => put(bm, 1, 0, StorageLevel.DISK_ONLY, failing as Iterable<unknown[]> as unknown[][])).toThrow('boom');
    expect(bm.status(1, 0)).toBeUndefined();
    expect(blockFiles()).toEqual([]);
  });
});

describe('BlockManager: removal', () => {
  it('removeRdd drops memory and disk copies and deletes files; clear removes the directory', () => {
    const one = size(block(1, 0));
    const bm = manager(one);
    put(bm, 1, 0, StorageLevel.MEMORY_AND_DISK, block(1, 0));
    put(bm, 2, 0, StorageLevel.MEMORY_ONLY, block(2, 0)); // evicts rdd 1's partition to disk
    put(bm, 1, 1, StorageLevel.MEMORY_AND_DISK, block(1, 1)); // evicts rdd 2's (dropped)
    put(bm, 3, 0, StorageLevel.DISK_ONLY, block(3, 0));
    expect(blockFiles().sort()).toEqual(['rdd_1_0.blk', 'rdd_3_0.blk']);
    expect(bm.removeRdd(1)).toEqual([0, 1]);
    expect(blockFiles()).toEqual(['rdd_3_0.blk']);
    expect(bm.get(1, 0)).toBeUndefined();
    expect(bm.memoryUsed).toBe(0);
    expect(bm.size).toBe(1);
    bm.clear();
    expect(existsSync(path.join(dir, 'blocks'))).toBe(false);
    expect(bm.size).toBe(0);
  });
});

describe('BlockManager: listing', () => {
  it('lists every block once with its level, wherever it is kept', () => {
    const bm = manager(1 << 20);
    put(bm, 1, 0, StorageLevel.MEMORY_ONLY, [[1, 2]]);
    put(bm, 1, 1, StorageLevel.MEMORY_AND_DISK, [[3]]);
    put(bm, 2, 0, StorageLevel.DISK_ONLY, [['a']]);
    expect(bm.blocks().map((b) => [b.rddId, b.partition, b.level.name]).sort()).toEqual([
      [1, 0, 'MEMORY_ONLY'],
      [1, 1, 'MEMORY_AND_DISK'],
      [2, 0, 'DISK_ONLY'],
    ]);
    bm.removeRdd(1);
    expect(bm.blocks().map((b) => b.rddId)).toEqual([2]);
  });
});
