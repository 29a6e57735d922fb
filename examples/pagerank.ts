/**
 * PageRank as in the RDD paper (§3.2.2): the link table is hash-partitioned once and cached,
 * and each iteration's ranks keep the same partitioner, so the join between links and ranks
 * never shuffles the (large) links again.
 *
 *   kuberdd run examples/pagerank.ts [edges-file] [iterations]
 *
 * edges-file: one "source target" pair per line. Without one, a small graph is generated.
 */
import { HashPartitioner, type SparkContext } from '../src/index.js';

export default async function main(sc: SparkContext, args: string[]): Promise<[string, number][]> {
  const iterations = Number(args[1] ?? 10);
  const partitioner = new HashPartitioner(sc.defaultParallelism * 2);
  const edges = args[0] !== undefined ? sc.textFile(args[0]) : sc.parallelize(generatedEdges(200, 7));

  const links = edges
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 2)
    .map((parts) => [parts[0]!, parts[1]!] as [string, string])
    .distinct()
    .groupByKey(partitioner)
    .cache();

  let ranks = links.mapValues(() => 1.0);
  for (let i = 0; i < iterations; i++) {
    const contributions = links
      .join(ranks)
      .values()
      .flatMap(([targets, rank]) => targets.map((t) => [t, rank / targets.length] as [string, number]));
    ranks = contributions.reduceByKey((a, b) => a + b, partitioner).mapValues((sum) => 0.15 + 0.85 * sum);
  }

  const top = await ranks.top(10, (a, b) => a[1] - b[1] || (a[0] < b[0] ? 1 : -1));
  for (const [page, rank] of top) console.log(`${page}\t${rank.toFixed(5)}`);
  return ranks.collect();
}

/** A deterministic small web: every page links to a few others, a few pages are popular. */
export function generatedEdges(pages: number, outDegree: number): string[] {
  const edges: string[] = [];
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  for (let p = 0; p < pages; p++) {
    for (let j = 0; j < outDegree; j++) {
      const target = next() < 0.3 ? Math.floor(next() * 5) : Math.floor(next() * pages);
      if (target !== p) edges.push(`page${p} page${target}`);
    }
  }
  return edges;
}
