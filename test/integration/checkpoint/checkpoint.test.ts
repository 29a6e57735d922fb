// rdd.checkpoint(): lineage truncation, no recomputation afterwards, reading back from a new
// context, and clear errors for missing directories and damaged or missing files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../src/common/errors/CheckpointError.js';
import { HashPartitioner, SparkContext, StorageLevel, UserInputError } from '../../../src/index.js';

describe('checkpoint: reliable checkpoints', () => {
  let sc: SparkContext;
  let base: string;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'checkpoint' });
    base = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-checkpoint-'));
    sc.setCheckpointDir(base);
  });
  afterAll(async () => {
    await sc.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('checkpoint() without setCheckpointDir() is a clear UserInputError', async () => {
    const other = new SparkContext({ master: 'local[1]', appName: 'checkpoint-nodir' });
    try {
      const rdd = other.parallelize([1, 2, 3], 2).map((x) => x * 2);
      let error: unknown;
      try {
        rdd.checkpoint();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as UserInputError).code).toBe('CHECKPOINT_DIR_NOT_SET');
      expect((error as Error).message).toMatch(/setCheckpointDir/);
      expect(rdd.isCheckpointed()).toBe(false);
    } finally {
      await other.stop();
    }
  });

  it('truncates the lineage after the next job: dependencies, toDebugString, checkpoint file', async () => {
    const pairs = sc
      .parallelize(Array.from({ length: 60 }, (_, i) => i), 3)
      .map((x) => [x % 5, x] as [number, number])
      .reduceByKey((a, b) => a + b, 4)
      .mapValues((v) => v * 10);
    pairs.checkpoint();
    const before = pairs.toDebugString();
    expect(before).toMatch(/ShuffledRDD/);
    expect(before).toMatch(/ParallelCollectionRDD/);
    expect(pairs.dependencies.length).toBe(1);
    expect(pairs.isCheckpointed()).toBe(false);
    expect(pairs.getCheckpointFile()).toBeUndefined();

    const expected = new Map<number, number>();
    for (let i = 0; i < 60; i++) expected.set(i % 5, (expected.get(i % 5) ?? 0) + i * 10);
    expect(new Map(await pairs.collect())).toEqual(expected);

    expect(pairs.isCheckpointed()).toBe(true);
    expect(pairs.dependencies).toEqual([]);
    expect(pairs.getNumPartitions()).toBe(4);
    const after = pairs.toDebugString();
    expect(after).toMatch(/^\(4\) ReliableCheckpointRDD\[\d+\] at mapValues at /);
    expect(after).not.toMatch(/ShuffledRDD|ParallelCollectionRDD/);
    expect(after.split('\n')).toHaveLength(1);

    const file = pairs.getCheckpointFile()!;
    expect(file.startsWith(path.resolve(sc.getCheckpointDir()!))).toBe(true);
    expect(readdirSync(file).sort()).toEqual(['_metadata', 'part-00000', 'part-00001', 'part-00002', 'part-00003']);

    // Later jobs, and RDDs derived from the checkpointed one, read the files.
    expect(new Map(await pairs.collect())).toEqual(expected);
    const child = pairs.map(([k, v]) => k + v);
    expect(child.toDebugString()).toMatch(/ReliableCheckpointRDD/);
    expect(child.toDebugString()).not.toMatch(/ShuffledRDD/);
    expect((await child.collect()).sort((a, b) => a - b)).toEqual([...expected].map(([k, v]) => k + v).sort((a, b) => a - b));
  });

  it('a job on a child checkpoints the marked parent it computed', async () => {
    const parent = sc.parallelize(['a b', 'c', 'd e f'], 2).flatMap((l) => l.split(' '));
    parent.checkpoint();
    const child = parent.map((w) => w.toUpperCase());
    expect(await child.collect()).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect(parent.isCheckpointed()).toBe(true);
    const lines = child.toDebugString().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\(2\) MapPartitionsRDD\[\d+\] at map at /);
    expect(lines[1]).toMatch(/^ \|  ReliableCheckpointRDD\[\d+\] at flatMap at /);
    expect(await child.count()).toBe(6);
  });

  it('checkpoints empty RDDs and empty partitions', async () => {
    const empty = sc.parallelize<number>([], 3).filter((x) => x > 0);
    empty.checkpoint();
    expect(await empty.collect()).toEqual([]);
    expect(empty.isCheckpointed()).toBe(true);
    expect(await empty.count()).toBe(0);
    const none = sc.emptyRDD<number>();
    none.checkpoint();
    expect(await none.count()).toBe(0);
    expect(none.isCheckpointed()).toBe(true);
    expect(sc.checkpointFile(none.getCheckpointFile()!).getNumPartitions()).toBe(0);
  });

  it('keeps the partitioner, so a join with a co-partitioned RDD needs no shuffle of it', async () => {
    const p = new HashPartitioner(3);
    const left = sc.parallelize([[1, 'a'], [2, 'b'], [3, 'c']] as [number, string][], 2).partitionBy(p);
    left.checkpoint();
    await left.count();
    expect(left.isCheckpointed()).toBe(true);
    expect(left.partitioner?.equals(p)).toBe(true);
    const joined = await left.join(sc.parallelize([[1, 'x'], [3, 'y']] as [number, string][], 2)).collect();
    expect(joined.sort()).toEqual([[1, ['a', 'x']], [3, ['c', 'y']]]);
  });

  it('later jobs do not recompute the lineage (an accumulator inside the map counts computations)', async () => {
    const computed = sc.longAccumulator('computed');
    const mapped = sc.parallelize(Array.from({ length: 100 }, (_, i) => i), 4).map(
      (x) => {
        computed.add(1);
        return x * 2;
      },
      { computed },
    );
    mapped.persist(StorageLevel.MEMORY_ONLY);
    mapped.checkpoint();
    expect(await mapped.count()).toBe(100);
    // The first job computed each element once; the checkpoint job read the cached copy.
    expect(computed.value).toBe(100);
    expect(mapped.isCheckpointed()).toBe(true);

    mapped.unpersist();
    expect(await mapped.sum()).toBe(9900);
    expect(await mapped.filter((x) => x % 4 === 0).count()).toBe(50);
    expect(computed.value).toBe(100);
  });

  it('without persist, the checkpoint job recomputes once; afterwards nothing is recomputed', async () => {
    const computed = sc.longAccumulator('computed-unpersisted');
    const mapped = sc.parallelize(Array.from({ length: 40 }, (_, i) => i), 2).map(
      (x) => {
        computed.add(1);
        return x + 1;
      },
      { computed },
    );
    mapped.checkpoint();
    expect(await mapped.take(3)).toEqual([1, 2, 3]);
    const afterCheckpoint = computed.value;
    expect(mapped.isCheckpointed()).toBe(true);
    expect(await mapped.collect()).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await mapped.count()).toBe(40);
    expect(computed.value).toBe(afterCheckpoint);
  });

  it('a new SparkContext reads the checkpoint back with sc.checkpointFile(), partition count preserved', async () => {
    const data = Array.from({ length: 50 }, (_, i) => ({ id: i, tags: [`t${i % 3}`], nested: [i, `s${i}`] }));
    const rdd = sc.parallelize(data, 5).filter((r) => r.id % 2 === 0);
    rdd.checkpoint();
    const expected = await rdd.collect();
    const file = rdd.getCheckpointFile()!;
    const partitionSizes = await rdd.glom().map((p) => p.length).collect();

    const fresh = new SparkContext({ master: 'local[2]', appName: 'checkpoint-restart' });
    try {
      const back = fresh.checkpointFile<(typeof data)[number]>(file);
      expect(back.getNumPartitions()).toBe(5);
      expect(back.toDebugString()).toMatch(/ReliableCheckpointRDD\[\d+\] at checkpointFile/);
      expect(await back.collect()).toEqual(expected);
      expect(await back.glom().map((p) => p.length).collect()).toEqual(partitionSizes);
      expect(await back.map((r) => r.id).sum()).toBe(expected.reduce((a, r) => a + r.id, 0));
    } finally {
      await fresh.stop();
    }
  });

  it('a corrupt checkpoint file is a CHECKPOINT_CORRUPT error naming the file', async () => {
    const rdd = sc.parallelize(Array.from({ length: 30 }, (_, i) => `line ${i}`), 3).map((s) => s.toUpperCase());
    rdd.checkpoint();
    await rdd.count();
    const part = path.join(rdd.getCheckpointFile()!, 'part-00001');
    const bytes = readFileSync(part);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    writeFileSync(part, bytes);

    const error = await rdd.collect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).code).toBe('CHECKPOINT_CORRUPT');
    expect((error as Error).message).toContain(part);
    expect((error as Error).message).toMatch(/checksum mismatch/);

    // Also from a new context.
    const fresh = new SparkContext({ master: 'local[1]', appName: 'checkpoint-corrupt' });
    try {
      const back = fresh.checkpointFile<string>(rdd.getCheckpointFile()!);
      await expect(back.count()).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT', message: expect.stringContaining(part) });
    } finally {
      await fresh.stop();
    }
  });

  it('a truncated checkpoint file (cut at a frame boundary) is CHECKPOINT_CORRUPT', async () => {
    const rdd = sc.parallelize(Array.from({ length: 10 }, (_, i) => i), 1);
    rdd.checkpoint();
    await rdd.count();
    const part = path.join(rdd.getCheckpointFile()!, 'part-00000');
    writeFileSync(part, new Uint8Array(0));
    await expect(rdd.collect()).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT', message: expect.stringContaining(part) });
  });

  it('a missing checkpoint file is a CHECKPOINT_MISSING error naming the file', async () => {
    const rdd = sc.parallelize(Array.from({ length: 30 }, (_, i) => i), 3).map((x) => x + 1);
    rdd.checkpoint();
    await rdd.count();
    const dir = rdd.getCheckpointFile()!;
    const part = path.join(dir, 'part-00002');
    rmSync(part);

    await expect(rdd.collect()).rejects.toMatchObject({ code: 'CHECKPOINT_MISSING', message: expect.stringContaining(part) });
    // Reading back checks every part file up front, synchronously.
    expect(() => sc.checkpointFile(dir)).toThrow(CheckpointError);
    expect(() => sc.checkpointFile(dir)).toThrow(part);
    // A directory that is no checkpoint at all.
    const notACheckpoint = path.join(base, 'nothing-here');
    expect(() => sc.checkpointFile(notACheckpoint)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_MISSING' }));
    expect(() => sc.checkpointFile(notACheckpoint)).toThrow(path.join(notACheckpoint, '_metadata'));
    expect(existsSync(notACheckpoint)).toBe(false);
  });
});
