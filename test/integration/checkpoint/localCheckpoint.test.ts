// rdd.localCheckpoint(): lineage truncated onto executors' cached blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkContext, StorageLevel } from '../../../src/index.js';

describe('checkpoint: localCheckpoint', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'local-checkpoint' });
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('needs no checkpoint directory, persists MEMORY_AND_DISK and truncates the lineage after the next job', async () => {
    const computed = sc.longAccumulator('computed');
    const rdd = sc
      .parallelize(Array.from({ length: 80 }, (_, i) => i), 4)
      .map((x) => [x % 3, x] as [number, number])
      .reduceByKey((a, b) => a + b, 2)
      .map(
        (kv) => {
          computed.add(1);
          return kv[1];
        },
        { computed },
      );
    rdd.localCheckpoint();
    expect(rdd.getStorageLevel()).toBe(StorageLevel.MEMORY_AND_DISK);
    expect(rdd.toDebugString()).toMatch(/ShuffledRDD/);
    expect(rdd.isCheckpointed()).toBe(false);

    const total = Array.from({ length: 80 }, (_, i) => i).reduce((a, b) => a + b, 0);
    expect(await rdd.sum()).toBe(total);
    expect(rdd.isCheckpointed()).toBe(true);
    expect(rdd.isLocallyCheckpointed()).toBe(true);
    expect(rdd.getCheckpointFile()).toBeUndefined();
    expect(rdd.dependencies).toEqual([]);
    expect(rdd.getNumPartitions()).toBe(2);
    const after = rdd.toDebugString();
    expect(after).toMatch(/^\(2\) LocalCheckpointRDD\[\d+\] at map at .*\[MEMORY_AND_DISK\]$/);
    expect(after).not.toMatch(/ShuffledRDD|ParallelCollectionRDD/);
    expect(computed.value).toBe(3);

    // Later jobs read the cached blocks.
    expect((await rdd.collect()).sort((a, b) => a - b)).toHaveLength(3);
    expect(await rdd.map((x) => x * 2).sum()).toBe(2 * total);
    expect(computed.value).toBe(3);
  });

  it('a block lost after truncation is a CHECKPOINT_MISSING error naming the block', async () => {
    const rdd = sc.parallelize([1, 2, 3, 4], 2).map((x) => x * 10);
    rdd.localCheckpoint();
    expect(await rdd.count()).toBe(4);
    expect(rdd.isLocallyCheckpointed()).toBe(true);
    rdd.unpersist();
    await expect(rdd.collect()).rejects.toMatchObject({
      code: 'CHECKPOINT_MISSING',
      message: expect.stringMatching(new RegExp(`block rdd_${rdd.id}_[01] is missing`)),
    });
  });

  it('an RDD persisted by the user keeps its level', async () => {
    const rdd = sc.parallelize([1, 2, 3], 3).persist(StorageLevel.MEMORY_ONLY);
    rdd.localCheckpoint();
    expect(rdd.getStorageLevel()).toBe(StorageLevel.MEMORY_ONLY);
    expect(await rdd.collect()).toEqual([1, 2, 3]);
    expect(rdd.isLocallyCheckpointed()).toBe(true);
    expect(await rdd.collect()).toEqual([1, 2, 3]);
  });
});
