import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readFramedBlocks } from '../common/codec/frameBlock.js';
import { compareKeys } from '../common/keys/compareKeys.js';
import type { Aggregator } from '../engine/Aggregator.js';
import { emptyTaskMetrics, type TaskMetrics } from '../engine/TaskMetrics.js';
import { FetchFailedError } from './FetchFailedError.js';
import { LocalDiskShuffleManager } from './LocalDiskShuffleManager.js';
import { LocalFileBlockReader } from './LocalFileBlockReader.js';
import type { MapStatus } from './MapStatus.js';
import type { ShuffleHandle } from './ShuffleHandle.js';
import { hashPartitioner, sum, tempDirs } from './shuffleFixtures.testing.js';

type Rec = [unknown, unknown];

const dirs = tempDirs('kuberdd-shuffle-');
const tempDir = dirs.make;
afterAll(dirs.removeAll);
const group: Aggregator<unknown, unknown> = {
  createCombiner: (v) => [v],
  mergeValue: (c, v) => {
    (c as unknown[]).push(v);
    return c;
  },
  mergeCombiners: (a, b) => (a as unknown[]).concat(b as unknown[]),
};

let nextShuffleId = 0;
function handleFor(numPartitions: number, numMaps: number, extra: Partial<ShuffleHandle> = {}): ShuffleHandle {
  return { shuffleId: nextShuffleId++, numMaps, partitioner: hashPartitioner(numPartitions), mapSideCombine: false, ...extra };
}

/** Writes every map's batches and reads each reduce partition separately. */
function runShuffle(
  manager: LocalDiskShuffleManager,
  handle: ShuffleHandle,
  maps: Rec[][][],
): { statuses: MapStatus[]; partitions: Rec[][]; writeMetrics: TaskMetrics; readMetrics: TaskMetrics } {
  const writeMetrics = emptyTaskMetrics();
  const statuses = maps.map((batches, mapId) => manager.getWriter(handle, mapId, 0, writeMetrics).write(batches));
  const readMetrics = emptyTaskMetrics();
  const partitions: Rec[][] = [];
  for (let r = 0; r < handle.partitioner.numPartitions; r++) {
    partitions.push([...manager.getReader(handle, r, r + 1, statuses, readMetrics).read()].flat());
  }
  return { statuses, partitions, writeMetrics, readMetrics };
}

const canon = (x: unknown): string => JSON.stringify(x);
const multiset = (recs: readonly unknown[]): string[] => recs.map(canon).sort();

function expectEachInItsPartition(partitions: Rec[][], handle: ShuffleHandle): void {
  partitions.forEach((recs, r) => {
    for (const [k] of recs) expect(handle.partitioner.getPartition(k)).toBe(r);
  });
}

const keyArb = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -30, max: 30 }),
  fc.tuple(fc.string({ maxLength: 2 }), fc.integer({ min: 0, max: 3 })),
);
/** Map inputs: 1–7 maps, each a list of records cut into batches of a random size. */
const mapsArb = fc
  .tuple(
    fc.array(fc.array(fc.tuple(keyArb, fc.integer({ min: -100, max: 100 })), { maxLength: 80 }), { minLength: 1, maxLength: 7 }),
    fc.integer({ min: 1, max: 16 }),
  )
  .map(([maps, batchSize]) =>
    maps.map((recs) => {
      const batches: Rec[][] = [];
      for (let i = 0; i < recs.length; i += batchSize) batches.push(recs.slice(i, i + batchSize) as Rec[]);
      return batches;
    }),
  );
const reducersArb = fc.integer({ min: 1, max: 5 });
const NUM_RUNS = 60;

describe('LocalDiskShuffleManager', () => {
  const manager = new LocalDiskShuffleManager({ executorId: 'exec-1', dir: tempDir() });

  it('(a) reduces by key with map-side combine like a plain Map would', () => {
    fc.assert(
      fc.property(mapsArb, reducersArb, (maps, n) => {
        const handle = handleFor(n, maps.length, { aggregator: sum, mapSideCombine: true });
        const { partitions, writeMetrics, readMetrics, statuses } = runShuffle(manager, handle, maps);
        const expected = new Map<string, number>();
        for (const [k, v] of maps.flat(2)) expected.set(canon(k), (expected.get(canon(k)) ?? 0) + (v as number));
        const out = partitions.flat();
        expect(new Map(out.map(([k, v]) => [canon(k), v]))).toEqual(expected);
        expect(out.length).toBe(expected.size);
        expectEachInItsPartition(partitions, handle);
        // Combined records are what crosses the shuffle.
        const written = statuses.reduce((acc, s) => acc + s.records.reduce((a, b) => a + b, 0), 0);
        expect(writeMetrics.shuffleRecordsWritten).toBe(written);
        expect(readMetrics.shuffleRecordsRead).toBe(written);
        expect(writeMetrics.shuffleBytesWritten).toBe(statuses.reduce((acc, s) => acc + statSync(s.dataPath).size, 0));
        expect(readMetrics.shuffleBytesWritten).toBe(0);
        expect(readMetrics.shuffleBytesRead).toBe(writeMetrics.shuffleBytesWritten);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('(b) groups by key without map-side combine', () => {
    fc.assert(
      fc.property(mapsArb, reducersArb, fc.boolean(), (maps, n, mapSideCombine) => {
        const handle = handleFor(n, maps.length, { aggregator: group, mapSideCombine });
        const { partitions, writeMetrics } = runShuffle(manager, handle, maps);
        const expected = new Map<string, unknown[]>();
        for (const [k, v] of maps.flat(2)) expected.set(canon(k), [...(expected.get(canon(k)) ?? []), v]);
        const out = partitions.flat();
        expect(out.length).toBe(expected.size);
        for (const [k, vs] of out) expect(multiset(vs as unknown[])).toEqual(multiset(expected.get(canon(k)) ?? []));
        expectEachInItsPartition(partitions, handle);
        if (!mapSideCombine) expect(writeMetrics.shuffleRecordsWritten).toBe(maps.flat(2).length);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('(c) with keyOrdering, each partition comes out sorted, stably, with every record once', () => {
    fc.assert(
      fc.property(mapsArb, reducersArb, (maps, n) => {
        // Values say where each record came from, so stability is observable.
        const tagged = maps.map((batches, m) => {
          let i = 0;
          return batches.map((b) => b.map(([k]): Rec => [k, [m, i++]]));
        });
        const handle = handleFor(n, maps.length, { keyOrdering: compareKeys });
        const { partitions } = runShuffle(manager, handle, tagged);
        for (const recs of partitions) {
          for (let i = 1; i < recs.length; i++) {
            const c = compareKeys(recs[i - 1]![0], recs[i]![0]);
            expect(c).toBeLessThanOrEqual(0);
            if (c === 0) {
              const [m0, i0] = recs[i - 1]![1] as number[];
              const [m1, i1] = recs[i]![1] as number[];
              expect(m0! < m1! || (m0 === m1 && i0! < i1!)).toBe(true);
            }
          }
        }
        expect(multiset(partitions.flat())).toEqual(multiset(tagged.flat(2)));
        expectEachInItsPartition(partitions, handle);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('(c) keyOrdering with an aggregator sorts the combined output', () => {
    const handle = handleFor(2, 2, { aggregator: sum, mapSideCombine: true, keyOrdering: compareKeys });
    const maps: Rec[][][] = [[[['b', 1], ['a', 1], ['c', 1]]], [[['c', 2], ['a', 2]]]];
    const { partitions } = runShuffle(manager, handle, maps);
    for (const recs of partitions) {
      expect(recs.map(([k]) => k)).toEqual(recs.map(([k]) => k).sort((x, y) => compareKeys(x, y)));
    }
    expect(new Map(partitions.flat())).toEqual(new Map([['a', 3], ['b', 1], ['c', 3]]));
  });

  it('(d) without an aggregator moves every record exactly once', () => {
    fc.assert(
      fc.property(mapsArb, reducersArb, (maps, n) => {
        const handle = handleFor(n, maps.length);
        const { partitions, readMetrics } = runShuffle(manager, handle, maps);
        expect(multiset(partitions.flat())).toEqual(multiset(maps.flat(2)));
        expectEachInItsPartition(partitions, handle);
        expect(readMetrics.shuffleRecordsRead).toBe(maps.flat(2).length);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('reads a range of partitions at once', () => {
    const handle = handleFor(4, 2, { aggregator: sum, mapSideCombine: true });
    const maps: Rec[][][] = [[Array.from({ length: 50 }, (_, i): Rec => [i % 20, 1])], [[[3, 10]]]];
    const w = emptyTaskMetrics();
    const statuses = maps.map((b, m) => manager.getWriter(handle, m, 0, w).write(b));
    const out = [...manager.getReader(handle, 1, 3, statuses, emptyTaskMetrics()).read()].flat();
    const expected = [...Array(20).keys()]
      .filter((k) => [1, 2].includes(handle.partitioner.getPartition(k)))
      .map((k): Rec => [k, (k < 10 ? 3 : 2) + (k === 3 ? 10 : 0)]);
    expect(multiset(out)).toEqual(multiset(expected));
    expect(() => manager.getReader(handle, 3, 5, statuses, emptyTaskMetrics())).toThrow(RangeError);
  });

  it('(e) handles empty map outputs and empty partitions', () => {
    const handle = handleFor(5, 3);
    // Map 0 writes nothing, map 1 only empty batches, map 2 one key (so four empty partitions).
    const maps: Rec[][][] = [[], [[], []], [[['only', 1], ['only', 2]]]];
    const { statuses, partitions } = runShuffle(manager, handle, maps);
    for (const s of statuses.slice(0, 2)) {
      expect(s.offsets).toEqual([0, 0, 0, 0, 0, 0]);
      expect(s.records).toEqual([0, 0, 0, 0, 0]);
      expect(statSync(s.dataPath).size).toBe(0);
    }
    const r = handle.partitioner.getPartition('only');
    expect(statuses[2]!.records[r]).toBe(2);
    partitions.forEach((recs, p) => expect(recs).toEqual(p === r ? [['only', 1], ['only', 2]] : []));
    const combined = handleFor(3, 1, { aggregator: sum, mapSideCombine: true });
    expect(runShuffle(manager, combined, [[]]).partitions).toEqual([[], [], []]);
  });

  it('splits big segments into blocks of bounded payload', () => {
    const small = new LocalDiskShuffleManager({ executorId: 'e', dir: tempDir(), maxBlockBytes: 300 });
    const handle = handleFor(2, 1);
    const recs = Array.from({ length: 2000 }, (_, i): Rec => [`key-${i}`, i]);
    const status = small.getWriter(handle, 0, 0, emptyTaskMetrics()).write([recs]);
    const file = readFileSync(status.dataPath);
    for (let r = 0; r < 2; r++) {
      const blocks = [...readFramedBlocks(file.subarray(status.offsets[r], status.offsets[r + 1]), 'test')];
      expect(blocks.length).toBeGreaterThan(5);
      for (const b of blocks) expect(b.length).toBeLessThanOrEqual(300);
    }
    const out = [0, 1].flatMap((r) => [...small.getReader(handle, r, r + 1, [status], emptyTaskMetrics()).read()].flat());
    expect(multiset(out)).toEqual(multiset(recs));
    // A record bigger than the limit still travels, alone in its block.
    const big: Rec = ['big', 'x'.repeat(1000)];
    const s2 = small.getWriter(handle, 1, 0, emptyTaskMetrics()).write([[big, ['k', 1]]]);
    expect(multiset([...small.getReader(handle, 0, 2, [s2], emptyTaskMetrics()).read()].flat())).toEqual(
      multiset([big, ['k', 1]]),
    );
  });

  describe('(f) unreadable map output', () => {
    const handle = handleFor(3, 2);
    const maps: Rec[][][] = [
      [Array.from({ length: 300 }, (_, i): Rec => [i, i])],
      [Array.from({ length: 300 }, (_, i): Rec => [`s${i}`, i])],
    ];
    const failure = (statuses: MapStatus[], r: number): unknown => {
      try {
        for (const _ of manager.getReader(handle, r, r + 1, statuses, emptyTaskMetrics()).read());
      } catch (err) {
        return err;
      }
      return undefined;
    };

    it('a corrupted segment gives FetchFailedError naming that block; other segments still read', () => {
      const { statuses } = runShuffle(manager, handle, maps);
      const s = statuses[1]!;
      const bytes = readFileSync(s.dataPath);
      const at = s.offsets[1]! + Math.floor((s.offsets[2]! - s.offsets[1]!) / 2);
      bytes[at] = bytes[at]! ^ 0xff;
      writeFileSync(s.dataPath, bytes);
      const err = failure(statuses, 1);
      expect(err).toBeInstanceOf(FetchFailedError);
      expect(err).toMatchObject({ code: 'FETCH_FAILED', shuffleId: handle.shuffleId, mapId: 1, reduceId: 1, executorId: 'exec-1' });
      expect((err as Error).cause).toMatchObject({ code: 'CORRUPT_BLOCK' });
      expect(failure(statuses, 0)).toBeUndefined();
    });

    it('a missing or truncated data file gives FetchFailedError', () => {
      const { statuses } = runShuffle(manager, handle, maps);
      rmSync(statuses[0]!.dataPath);
      const err = failure(statuses, 2);
      expect(err).toMatchObject({ name: 'FetchFailedError', shuffleId: handle.shuffleId, mapId: 0, reduceId: 2, executorId: 'exec-1' });
      expect((err as Error).cause).toMatchObject({ code: 'ENOENT' });
      truncateSync(statuses[1]!.dataPath, statuses[1]!.offsets[2]! + 3);
      expect(failure(statuses.slice(1), 2)).toMatchObject({ name: 'FetchFailedError', mapId: 1, reduceId: 2 });
    });

    it('errors from user functions are not mistaken for fetch failures', () => {
      const boom: Aggregator<unknown, unknown> = {
        ...sum,
        mergeCombiners: () => {
          throw new Error('user bug');
        },
      };
      const h = handleFor(1, 2, { aggregator: boom, mapSideCombine: true });
      const w = emptyTaskMetrics();
      const statuses = [0, 1].map((m) => manager.getWriter(h, m, 0, w).write([[['k', 1]]]));
      expect(() => [...manager.getReader(h, 0, 1, statuses, emptyTaskMetrics()).read()]).toThrow(/^user bug$/);
    });
  });

  it('(g) two attempts of one map task write separate files, both readable', () => {
    const handle = handleFor(2, 1, { aggregator: sum, mapSideCombine: true });
    const batches: Rec[][] = [[['a', 1], ['b', 2], ['a', 3]]];
    const first = manager.getWriter(handle, 0, 0, emptyTaskMetrics()).write(batches);
    const second = manager.getWriter(handle, 0, 1, emptyTaskMetrics()).write(batches);
    expect(first.dataPath).not.toBe(second.dataPath);
    for (const s of [first, second]) {
      expect(existsSync(s.dataPath)).toBe(true);
      expect(new Map([...manager.getReader(handle, 0, 2, [s], emptyTaskMetrics()).read()].flat())).toEqual(
        new Map([['a', 4], ['b', 2]]),
      );
    }
    expect(readdirSync(manager.dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('(h) removeShuffle deletes only that shuffle’s files', () => {
    const dir = tempDir();
    const m = new LocalDiskShuffleManager({ executorId: 'e', dir });
    const keep = handleFor(2, 1);
    const drop = handleFor(2, 2);
    m.getWriter(keep, 0, 0, emptyTaskMetrics()).write([[['x', 1]]]);
    m.getWriter(drop, 0, 0, emptyTaskMetrics()).write([[['x', 1]]]);
    m.getWriter(drop, 1, 3, emptyTaskMetrics()).write([[['y', 1]]]);
    // A crashed attempt's leftover temp file goes too.
    writeFileSync(join(dir, `shuffle_${drop.shuffleId}_1_0.data.tmp`), 'partial');
    m.removeShuffle(drop.shuffleId);
    expect(readdirSync(dir)).toEqual([`shuffle_${keep.shuffleId}_0_0.data`]);
    new LocalDiskShuffleManager({ executorId: 'e', dir: join(dir, 'never-written') }).removeShuffle(1);
  });

  it('a writer failure leaves no files behind', () => {
    const dir = tempDir();
    const m = new LocalDiskShuffleManager({ executorId: 'e', dir });
    const handle = handleFor(2, 1);
    const badRecords: Rec[][] = [[['x', 1]]];
    const bad: ShuffleHandle = { ...handle, partitioner: { ...hashPartitioner(2), getPartition: () => 7 } };
    expect(() => m.getWriter(bad, 0, 0, emptyTaskMetrics()).write(badRecords)).toThrow(/returned 7/);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('reads through a pluggable block reader, skips empty segments and closes it', () => {
    const calls: number[] = [];
    let closes = 0;
    const local = new LocalFileBlockReader();
    const dir = tempDir();
    const m = new LocalDiskShuffleManager({
      executorId: 'e',
      dir,
      blockReader: {
        readSegment: (s, r) => {
          calls.push(r);
          return local.readSegment(s, r);
        },
        close: () => {
          closes++;
          local.close();
        },
      },
    });
    const handle = handleFor(4, 1);
    const key = 'k';
    const status = m.getWriter(handle, 0, 0, emptyTaskMetrics()).write([[[key, 1]]]);
    const out = [...m.getReader(handle, 0, 4, [status], emptyTaskMetrics()).read()].flat();
    expect(out).toEqual([[key, 1]]);
    expect(calls).toEqual([handle.partitioner.getPartition(key)]);
    expect(closes).toBe(1);
    // Abandoning a read part way still releases the reader.
    const many = m.getWriter(handle, 0, 1, emptyTaskMetrics()).write([Array.from({ length: 100 }, (_, i): Rec => [i, i])]);
    for (const _ of m.getReader(handle, 0, 4, [many], emptyTaskMetrics()).read()) break;
    expect(closes).toBe(2);
  });
});
