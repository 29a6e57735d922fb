import { afterAll, describe, expect, it } from 'vitest';
import { SparkContext } from '../driver/SparkContext.js';
import type { RDD } from './RDD.js';
import { walkLineage } from './walkLineage.js';

const sc = new SparkContext({ master: 'local[1]' });
afterAll(() => sc.stop());

describe('walkLineage', () => {
  const base = sc.parallelize([1, 2, 3], 2);
  const mapped = base.map((x) => [x % 2, x] as [number, number]);
  const reduced = mapped.reduceByKey((a, b) => a + b, 2);
  const joined = reduced.join(mapped); // `mapped` is reached twice, visited once
  const operations = (root: RDD<unknown>, options?: { narrowOnly?: boolean }, stopAt?: number): string[] => {
    const seen: string[] = [];
    walkLineage(root, (rdd) => {
      seen.push(rdd.operation);
      return rdd.id !== stopAt;
    }, options);
    return seen;
  };

  it('visits every ancestor once', () => {
    const all = operations(joined);
    expect(all.filter((o) => o === 'map')).toHaveLength(1);
    expect(all).toContain('parallelize');
    expect(all).toContain('reduceByKey');
    expect(new Set(all).size).toBe(all.length);
  });

  it('stops at shuffles when asked, and below an RDD whose visit returns false', () => {
    expect(operations(reduced, { narrowOnly: true })).toEqual(['reduceByKey']);
    expect(operations(mapped, {}, mapped.id)).toEqual(['map']);
  });
});
