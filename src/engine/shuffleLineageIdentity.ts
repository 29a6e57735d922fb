import { createHash } from 'node:crypto';
import { encode } from '../common/codec/codec.js';
import { ShuffleDependency } from './Dependency.js';
import { encodeLineage, encodeShuffleDependency, type DependencyWire, type RDDWire } from './LineageWire.js';
import type { RDD } from './RDD.js';

const identities = new WeakMap<ShuffleDependency, string>();

/**
 * A name for a shuffle that is the same in every driver that builds the same lineage: a
 * SHA-256 over the wire form of its map side (the RDD chain back to the shuffles it reads, with
 * kinds, arguments, partitions and the functions' sources and environments), its partitioner,
 * aggregator and ordering — with per-driver numbers left out (RDD ids become positions in the
 * chain, the shuffles it reads become their own identities, creation sites are dropped).
 *
 * A restarted driver running the same job finds the map outputs that executors of the last
 * attempt still hold by this name. Nondeterministic inputs are on the user, as in Spark.
 */
export function shuffleLineageIdentity(dep: ShuffleDependency): string {
  const known = identities.get(dep);
  if (known !== undefined) return known;
  const lineage = encodeLineage(dep.rdd as RDD<unknown>);
  const position = new Map(lineage.rdds.map((r, i) => [r.id, i]));
  const readShuffles = new Map<number, ShuffleDependency>();
  collectReadShuffles(dep.rdd as RDD<unknown>, readShuffles, new Set());
  const normalizeDep = (d: DependencyWire): unknown => {
    if (d.type !== 'shuffle') return { ...d, parent: position.get(d.parent) ?? -1 };
    const read = readShuffles.get(d.shuffleId);
    const { shuffleId: _shuffleId, parent: _parent, ...rest } = d;
    return { ...rest, reads: read === undefined ? `shuffle-${d.shuffleId}` : shuffleLineageIdentity(read) };
  };
  const rdds = lineage.rdds.map((r: RDDWire) => ({
    kind: r.kind,
    args: r.args,
    deps: r.deps.map(normalizeDep),
    partitions: r.partitions,
    storageLevel: r.storageLevel,
    operation: r.operation,
  }));
  const { shuffleId: _id, parent: _p, ...shuffle } = encodeShuffleDependency(dep);
  const identity = createHash('sha256').update(encode({ rdds, shuffle })).digest('hex').slice(0, 40);
  identities.set(dep, identity);
  return identity;
}

/** The shuffles a stage reads: the shuffle dependencies reached from `rdd` through narrow ones. */
function collectReadShuffles(rdd: RDD<unknown>, out: Map<number, ShuffleDependency>, seen: Set<number>): void {
  if (seen.has(rdd.id)) return;
  seen.add(rdd.id);
  for (const d of rdd.dependencies) {
    if (d instanceof ShuffleDependency) out.set(d.shuffleId, d);
    else collectReadShuffles(d.rdd, out, seen);
  }
}
