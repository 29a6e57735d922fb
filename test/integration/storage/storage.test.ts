// Caching end to end with a tiny per-executor memory budget (`kuberdd.memory.storageBytes`):
// every storage level, LRU eviction with the same-RDD rule, disk levels surviving eviction,
// and no block file left behind by unpersist() or stop().
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../../src/common/codec/codec.js';
import { type RDD, SparkContext, StorageLevel, UserInputError } from '../../../src/index.js';

const N = 1000;
const PARTS = 4;
const record = (x: number): string => `r${String(x).padStart(20, '0')}`;
/** Measured bytes of one partition of `data()` (all partitions have the same size). */
const PART_BYTES = encode(Array.from({ length: N / PARTS }, (_, i) => record(i))).byteLength + 12;

/** Every block file under `root`. */
function blockFiles(root: string): string[] {
  const out: string[] = [];
  // Executors create and delete files while we look: an entry may vanish between listing and use.
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (/^rdd_\d+_\d+\.blk$/.test(e.name)) out.push(e.name);
    }
  };
  walk(root);
  return out.sort();
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`timed out waiting until ${what}`);
}

describe('storage: caching under a tiny memory budget (local[1])', () => {
  let sc: SparkContext;
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'kuberdd-storage-it-'));
    // Room for two partitions and a half.
    sc = new SparkContext({
      master: 'local[1]',
      appName: 'storage',
      conf: { 'kuberdd.local.dir': root, 'kuberdd.memory.storageBytes': String(Math.floor(PART_BYTES * 2.5)) },
    });
  });
  afterAll(async () => {
    await sc.stop();
    // Executor shutdown removed every block file (and the whole local dir).
    expect(blockFiles(root)).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });

  /** An RDD of N records in PARTS equal partitions, counting the records it computes. */
  function data(): { rdd: RDD<string>; computed: () => number } {
    const acc = sc.longAccumulator('computed');
    const rdd = sc.parallelize(Array.from({ length: N }, (_, i) => i), PARTS).map(
      (x) => {
        acc.add(1);
        return `r${String(x).padStart(20, '0')}`;
      },
      { acc },
    );
    return { rdd, computed: () => acc.value };
  }
  const expected = Array.from({ length: N }, (_, i) => record(i));

  it('MEMORY_ONLY partitions beyond the budget are not cached and are recomputed; results stay right', async () => {
    const { rdd, computed } = data();
    const cached = rdd.cache();
    expect(await cached.collect()).toEqual(expected);
    expect(computed()).toBe(N);
    // Two partitions fit; the third would need its own RDD's memory (the same-RDD rule), so it
    // and the fourth are not cached and are computed again.
    expect(await cached.collect()).toEqual(expected);
    expect(computed()).toBe(N + N / 2);
    expect(await cached.count()).toBe(N);
    expect(computed()).toBe(N + N);
    cached.unpersist();
  });

  it('MEMORY_AND_DISK partitions memory cannot take go to disk and are never recomputed; unpersist deletes the files', async () => {
    const { rdd, computed } = data();
    const cached = rdd.persist(StorageLevel.MEMORY_AND_DISK);
    expect(await cached.collect()).toEqual(expected);
    expect(await cached.collect()).toEqual(expected);
    expect(await cached.count()).toBe(N);
    expect(computed()).toBe(N);
    expect(blockFiles(root)).toEqual([`rdd_${cached.id}_2.blk`, `rdd_${cached.id}_3.blk`]);
    cached.unpersist();
    await eventually(() => blockFiles(root).length === 0, 'unpersist removed the block files');
  });

  it('LRU across RDDs: caching a second RDD evicts the first; MEMORY_ONLY is recomputed, *_AND_DISK survives on disk', async () => {
    for (const level of [StorageLevel.MEMORY_ONLY, StorageLevel.MEMORY_AND_DISK_SER]) {
      const a = data();
      const b = data();
      const ra = a.rdd.persist(level);
      const rb = b.rdd.persist(level);
      await ra.count(); // a's partitions 0 and 1 in memory
      await rb.count(); // b's partitions 0 and 1 evict a's (the least recently used RDD)
      expect(a.computed()).toBe(N);
      expect(b.computed()).toBe(N);
      expect(await ra.collect()).toEqual(expected);
      expect(a.computed()).toBe(level === StorageLevel.MEMORY_ONLY ? 2 * N : N);
      if (level.useDisk) expect(blockFiles(root)).toContain(`rdd_${ra.id}_0.blk`);
      ra.unpersist();
      rb.unpersist();
    }
    await eventually(() => blockFiles(root).length === 0, 'unpersist removed the block files');
  });

  it('every storage level returns the same records as no caching, every time', async () => {
    const mixed = sc.parallelize(Array.from({ length: 300 }, (_, i) => i), 3).map((i) => ({
      i,
      s: `s${i}`,
      f: i / 7,
      big: BigInt(i) ** 3n,
      m: new Map([[i, [i, 'x']]]),
      d: new Date(1_700_000_000_000 + i),
      u: i % 2 === 0 ? undefined : null,
    }));
    const plain = await mixed.collect();
    for (const level of Object.values(StorageLevel).filter((l) => l !== StorageLevel.NONE)) {
      const p = mixed.map((x) => x).persist(level);
      expect(await p.collect(), level.name).toEqual(plain);
      expect(await p.collect(), level.name).toEqual(plain);
      p.unpersist();
    }
    await eventually(() => blockFiles(root).length === 0, 'unpersist removed the block files');
  });
});

describe('storage: a cached RDD that cannot fit at all', () => {
  it('still completes with correct results, at every level', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kuberdd-storage-it-'));
    const sc = new SparkContext({ master: 'local[2]', conf: { 'kuberdd.local.dir': root, 'kuberdd.memory.storageBytes': '64' } });
    try {
      const words = sc.parallelize(Array.from({ length: 20_000 }, (_, i) => `w${i % 97}`), 4);
      for (const level of [StorageLevel.MEMORY_ONLY, StorageLevel.MEMORY_ONLY_SER, StorageLevel.MEMORY_AND_DISK]) {
        const pairs = words.map((w) => [w, 1] as [string, number]).persist(level);
        const counts = new Map(await pairs.reduceByKey((a, b) => a + b).collect());
        expect(counts.size).toBe(97);
        expect(counts.get('w0')).toBe(207);
        expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(20_000);
        expect(await pairs.count()).toBe(20_000);
        pairs.unpersist();
      }
    } finally {
      await sc.stop();
    }
    expect(blockFiles(root)).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });

  it('rejects a bad kuberdd.memory.storageBytes', () => {
    expect(() => new SparkContext({ master: 'local[1]', conf: { 'kuberdd.memory.storageBytes': '-1' } })).toThrow(UserInputError);
  });
});
