/**
 * Top-k: the k most frequent words, using top() with a comparator, so each partition keeps
 * only its own k best candidates and the driver merges them.
 *
 *   kuberdd run examples/topk.ts [input] [k]
 */
import type { SparkContext } from '../src/index.js';

export default async function main(sc: SparkContext, args: string[]): Promise<[string, number][]> {
  const input = args[0] ?? new URL('./data/mapreduce.txt', import.meta.url).pathname;
  const k = Number(args[1] ?? 10);
  const counts = sc
    .textFile(input)
    .flatMap((line) => line.toLowerCase().match(/[a-z]+/g) ?? [])
    .map((w) => [w, 1] as [string, number])
    .reduceByKey((a, b) => a + b);
  // Larger count wins; on a tie the alphabetically smaller word wins.
  const top = await counts.top(k, (a, b) => a[1] - b[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
  for (const [w, n] of top) console.log(`${w}\t${n}`);
  return top;
}
