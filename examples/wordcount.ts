/**
 * Word count: the "hello world" of MapReduce and Spark.
 *
 *   kuberdd run examples/wordcount.ts [input-path-or-glob] [top-n]
 *
 * Prints the most frequent words with their counts, most frequent first.
 */
import type { SparkContext } from '../src/index.js';

export default async function main(sc: SparkContext, args: string[]): Promise<[string, number][]> {
  const input = args[0] ?? new URL('./data/mapreduce.txt', import.meta.url).pathname;
  const topN = Number(args[1] ?? 20);

  const counts = sc
    .textFile(input)
    .flatMap((line) => line.toLowerCase().split(/[^a-z0-9']+/).filter((w) => w.length > 0))
    .map((word) => [word, 1] as [string, number])
    .reduceByKey((a, b) => a + b);

  // Most frequent first; ties in alphabetical order so the output is stable.
  const top = await counts.takeOrdered(topN, (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [word, n] of top) console.log(`${String(n).padStart(6)}  ${word}`);
  return top;
}
