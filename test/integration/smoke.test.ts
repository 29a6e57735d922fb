import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkContext } from '../../src/index.js';

describe('engine smoke', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'smoke' });
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('counts and collects', async () => {
    const rdd = sc.parallelize([1, 2, 3, 4, 5], 3);
    expect(await rdd.count()).toBe(5);
    expect(await rdd.map((x) => x * 2).collect()).toEqual([2, 4, 6, 8, 10]);
  });

  it('reduces by key across a shuffle', async () => {
    const words = sc.parallelize(['a', 'b', 'a', 'c', 'b', 'a'], 2);
    const counts = await words.map((w) => [w, 1] as [string, number]).reduceByKey((a, b) => a + b).collectAsMap();
    expect(counts.get('a')).toBe(3);
    expect(counts.get('b')).toBe(2);
    expect(counts.get('c')).toBe(1);
  });

  it('binds environment values by name', async () => {
    const k = 10;
    expect(await sc.parallelize([1, 2], 2).map((x) => x * k, { k }).collect()).toEqual([10, 20]);
  });
});
