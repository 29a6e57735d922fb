/**
 * k-means (Lloyd's algorithm), iterative with the points cached in memory.
 *
 *   kuberdd run examples/kmeans.ts [points-file] [k] [iterations]
 *
 * points-file: one point per line, coordinates separated by spaces. Without one, points are
 * generated around k well-separated centres.
 */
import type { SparkContext } from '../src/index.js';

type Point = number[];

export default async function main(sc: SparkContext, args: string[]): Promise<Point[]> {
  const k = Number(args[1] ?? 4);
  const iterations = Number(args[2] ?? 10);
  const points = (
    args[0] !== undefined
      ? sc.textFile(args[0]).map((line) => line.trim().split(/\s+/).map(Number))
      : sc.parallelize(generatedPoints(2000, k, 3))
  ).cache();

  // Deterministic start: the first k distinct points.
  let centres = (await points.distinct().takeOrdered(k)) as Point[];
  for (let i = 0; i < iterations; i++) {
    const sums = await points
      .map((p) => [closest(p, centres), [p, 1]] as [number, [Point, number]], { closest, squaredDistance, centres })
      .reduceByKey(([s1, n1], [s2, n2]) => [s1.map((x, d) => x + s2[d]!), n1 + n2] as [Point, number])
      .collectAsMap();
    centres = centres.map((c, j) => {
      const entry = sums.get(j);
      return entry === undefined ? c : entry[0].map((x) => x / entry[1]);
    });
  }
  for (const c of centres) console.log(c.map((x) => x.toFixed(3)).join(' '));
  return centres;
}

export function squaredDistance(a: Point, b: Point): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += (a[d]! - b[d]!) ** 2;
  return s;
}

/** Index of the nearest centre (ties: the lowest index). */
export function closest(p: Point, centres: Point[]): number {
  let best = 0;
  let bestDistance = Infinity;
  centres.forEach((c, j) => {
    const d = squaredDistance(p, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = j;
    }
  });
  return best;
}

/** Points scattered around k centres on a circle of radius 100, in `dims` dimensions. */
export function generatedPoints(n: number, k: number, dims: number): Point[] {
  let state = 99;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: n }, (_, i) => {
    const c = i % k;
    return Array.from({ length: dims }, (__, d) => (d === 0 ? 100 * Math.cos((2 * Math.PI * c) / k) : d === 1 ? 100 * Math.sin((2 * Math.PI * c) / k) : 0) + (next() - 0.5) * 20);
  });
}
