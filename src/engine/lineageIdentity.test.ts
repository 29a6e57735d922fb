import { afterEach, describe, expect, it } from 'vitest';
import { SparkContext } from '../driver/SparkContext.js';
import { ShuffleDependency } from './Dependency.js';
import type { RDD } from './RDD.js';
import { rddLineageIdentity, shuffleLineageIdentity } from './lineageIdentity.js';
import { StorageLevel } from './StorageLevel.js';

const contexts: SparkContext[] = [];
afterEach(async () => {
  for (const sc of contexts.splice(0)) await sc.stop();
});

function context(): SparkContext {
  const sc = new SparkContext({ master: 'local[1]' });
  contexts.push(sc);
  return sc;
}

/** The shuffle dependency an RDD reads directly. */
function shuffleOf(rdd: RDD<unknown>): ShuffleDependency {
  const dep = rdd.dependencies.find((d) => d instanceof ShuffleDependency);
  if (!(dep instanceof ShuffleDependency)) throw new Error('no shuffle dependency');
  return dep;
}

const wordCount = (sc: SparkContext, factor: number) =>
  sc
    .parallelize(['a b', 'b c', 'c a a'], 3)
    .flatMap((l) => l.split(' '))
    .map((w) => [w, factor] as [string, number], { factor })
    .reduceByKey((a, b) => a + b, 2);

describe('shuffleLineageIdentity', () => {
  it('is the same for the same lineage built by two drivers, whatever their RDD and shuffle numbering', () => {
    const first = context();
    const second = context();
    second.parallelize([1, 2]).map((x) => [x, x] as [number, number]).groupByKey(); // shifts the second driver's ids
    const a = wordCount(first, 1);
    const b = wordCount(second, 1);
    expect(shuffleOf(a).shuffleId).not.toBe(shuffleOf(b).shuffleId);
    expect(shuffleLineageIdentity(shuffleOf(a))).toBe(shuffleLineageIdentity(shuffleOf(b)));
    expect(shuffleLineageIdentity(shuffleOf(a))).toMatch(/^[0-9a-f]{40}$/);
  });

  it('differs when data, a function\'s environment, the partitioner or an upstream shuffle differs', () => {
    const sc = context();
    const base = shuffleLineageIdentity(shuffleOf(wordCount(sc, 1)));
    expect(shuffleLineageIdentity(shuffleOf(wordCount(sc, 2)))).not.toBe(base);
    const otherData = sc.parallelize(['a b', 'b c', 'c a'], 3).flatMap((l) => l.split(' ')).map((w) => [w, 1] as [string, number]).reduceByKey((a, b) => a + b, 2);
    expect(shuffleLineageIdentity(shuffleOf(otherData))).not.toBe(base);
    const otherPartitions = sc.parallelize(['a b', 'b c', 'c a a'], 3).flatMap((l) => l.split(' ')).map((w) => [w, 1] as [string, number]).reduceByKey((a, b) => a + b, 3);
    expect(shuffleLineageIdentity(shuffleOf(otherPartitions))).not.toBe(base);
    const after = (factor: number) => wordCount(sc, factor).map(([w, n]) => [n, w] as [number, string]).groupByKey(2);
    expect(shuffleLineageIdentity(shuffleOf(after(1)))).toBe(shuffleLineageIdentity(shuffleOf(after(1))));
    expect(shuffleLineageIdentity(shuffleOf(after(1)))).not.toBe(shuffleLineageIdentity(shuffleOf(after(2))));
  });
});

describe('rddLineageIdentity', () => {
  const cachedWords = (sc: SparkContext, factor: number) =>
    sc
      .parallelize(['a b', 'b c', 'c a a'], 3)
      .flatMap((l) => l.split(' '))
      .map((w) => [w, factor] as [string, number], { factor })
      .persist();

  it('is the same for the same cached RDD built by two drivers, whatever their numbering', () => {
    const first = context();
    const second = context();
    second.parallelize([1, 2, 3]).map((x) => x + 1).cache(); // shifts the second driver's ids
    const a = cachedWords(first, 1);
    const b = cachedWords(second, 1);
    expect(a.id).not.toBe(b.id);
    expect(rddLineageIdentity(a)).toBe(rddLineageIdentity(b));
    expect(rddLineageIdentity(a)).toMatch(/^[0-9a-f]{40}$/);
    // An RDD after a shuffle: named through the shuffle's identity, not its number.
    const after = (sc: SparkContext) => wordCount(sc, 1).mapValues((n) => n * 2).cache();
    expect(rddLineageIdentity(after(first))).toBe(rddLineageIdentity(after(second)));
  });

  it('differs with the data, a function\'s environment, the storage level, and from the shuffle over it', () => {
    const sc = context();
    const base = cachedWords(sc, 1);
    expect(rddLineageIdentity(cachedWords(sc, 2))).not.toBe(rddLineageIdentity(base));
    const otherData = sc.parallelize(['a b', 'b c', 'c a'], 3).flatMap((l) => l.split(' ')).map((w) => [w, 1] as [string, number]).persist();
    expect(rddLineageIdentity(otherData)).not.toBe(rddLineageIdentity(base));
    const identity = rddLineageIdentity(base);
    base.unpersist();
    base.persist(StorageLevel.DISK_ONLY);
    expect(rddLineageIdentity(base)).not.toBe(identity);
    const shuffled = base.reduceByKey((x, y) => x + y, 2);
    expect(shuffleLineageIdentity(shuffleOf(shuffled))).not.toBe(rddLineageIdentity(base));
  });
});
