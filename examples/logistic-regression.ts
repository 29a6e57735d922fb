/**
 * Logistic regression by batch gradient descent, the RDD paper's example (§3.2.1): the points
 * are cached, and each iteration is one map + reduce over them.
 *
 *   kuberdd run examples/logistic-regression.ts [points-file] [iterations]
 *
 * points-file: one point per line, "label x1 x2 … xd" with label 1 or -1. Without one, points
 * are generated (two Gaussian-ish clusters separated along every dimension).
 */
import type { SparkContext } from '../src/index.js';

export interface LabeledPoint {
  readonly y: number;
  readonly x: number[];
}

export default async function main(sc: SparkContext, args: string[]): Promise<number[]> {
  const iterations = Number(args[1] ?? 10);
  const points = (
    args[0] !== undefined
      ? sc.textFile(args[0]).map((line) => {
          const [y, ...x] = line.trim().split(/\s+/).map(Number);
          return { y: y!, x } as LabeledPoint;
        })
      : sc.range(0, 20_000, 1, sc.defaultParallelism * 2).map((i) => generatedPoint(i, 10), { generatedPoint, unitNoise })
  ).cache();

  const dims = (await points.first()).x.length;
  let w = Array.from({ length: dims }, (_, d) => (d % 2 === 0 ? 0.5 : -0.5));
  for (let i = 0; i < iterations; i++) {
    const gradient = await points
      .map(
        (p) => {
          let dot = 0;
          for (let d = 0; d < p.x.length; d++) dot += w[d]! * p.x[d]!;
          const scale = (1 / (1 + Math.exp(-p.y * dot)) - 1) * p.y;
          return p.x.map((v) => v * scale);
        },
        { w },
      )
      .reduce((a, b) => a.map((v, d) => v + b[d]!));
    w = w.map((v, d) => v - gradient[d]!);
  }
  console.log(`w = [${w.map((v) => v.toFixed(4)).join(', ')}]`);
  return w;
}

/** Point i: label ±1, features around ±1 with noise, derived from i alone (no shared state). */
export function generatedPoint(i: number, dims: number): LabeledPoint {
  const y = i % 2 === 0 ? 1 : -1;
  return { y, x: Array.from({ length: dims }, (_, d) => y * 0.7 + unitNoise(i * 31 + d) * 2) };
}

/** A deterministic pseudo-random number in [-0.5, 0.5) from an integer. */
export function unitNoise(n: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32 - 0.5;
}
