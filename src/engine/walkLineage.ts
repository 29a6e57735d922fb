import type { RDD } from './RDD.js';

/**
 * Visits `root` and its ancestors once each, depth first. `visit` returns false to stop the walk
 * below an RDD (a fully cached or checkpointed one, say); `narrowOnly` stops it at shuffles, so
 * only the RDDs one stage computes are visited.
 */
export function walkLineage(root: RDD<unknown>, visit: (rdd: RDD<unknown>) => boolean | void, options: { readonly narrowOnly?: boolean } = {}): void {
  const seen = new Set<number>();
  const stack: RDD<unknown>[] = [root];
  while (stack.length > 0) {
    const rdd = stack.pop()!;
    if (seen.has(rdd.id)) continue;
    seen.add(rdd.id);
    if (visit(rdd) === false) continue;
    for (const dep of rdd.dependencies) if (options.narrowOnly !== true || dep.type === 'narrow') stack.push(dep.rdd as RDD<unknown>);
  }
}
