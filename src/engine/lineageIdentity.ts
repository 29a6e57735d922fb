import { createHash } from 'node:crypto';
import { encode } from '../common/codec/codec.js';
import { ShuffleDependency } from './Dependency.js';
import { encodeLineage, encodeShuffleDependency, type DependencyWire, type RDDWire } from './LineageWire.js';
import type { RDD } from './RDD.js';

/*
 * Lineage identities: names for shuffles and RDDs that are the same in every driver that builds
 * the same lineage. Each is a SHA-256 over the wire form of an RDD chain back to the shuffles it
 * reads (kinds, arguments, partitions, storage levels, the functions' sources and environments),
 * with per-driver numbers left out: RDD ids become positions in the chain, the shuffles it reads
 * become their own identities, creation sites are dropped.
 *
 * A restarted driver running the same job finds what executors of the last attempt still hold
 * by these names: map outputs by their shuffle's identity, cached partitions by their RDD's.
 * Nondeterministic inputs are on the user, as in Spark.
 */

const shuffleIdentities = new WeakMap<ShuffleDependency, string>();
const rddIdentities = new WeakMap<RDD<unknown>, { readonly node: object; readonly level: string; readonly identity: string }>();

/** The identity of a shuffle: its map side's chain, its partitioner, aggregator and ordering. */
export function shuffleLineageIdentity(dep: ShuffleDependency): string {
  const known = shuffleIdentities.get(dep);
  if (known !== undefined) return known;
  const { shuffleId: _id, parent: _p, ...shuffle } = encodeShuffleDependency(dep);
  const identity = digest({ rdds: normalizedChain(dep.rdd as RDD<unknown>), shuffle });
  shuffleIdentities.set(dep, identity);
  return identity;
}

/** The identity of an RDD, for its cached partitions (it changes with the storage level and with a checkpoint). */
export function rddLineageIdentity(rdd: RDD<unknown>): string {
  const level = rdd.getStorageLevel().name;
  const known = rddIdentities.get(rdd);
  if (known !== undefined && known.node === rdd.node && known.level === level) return known.identity;
  const identity = digest({ rdds: normalizedChain(rdd), cached: true });
  rddIdentities.set(rdd, { node: rdd.node, level, identity });
  return identity;
}

function digest(value: unknown): string {
  return createHash('sha256').update(encode(value)).digest('hex').slice(0, 40);
}

/** The narrow chain ending at `root`, without per-driver numbers. */
function normalizedChain(root: RDD<unknown>): unknown[] {
  const lineage = encodeLineage(root);
  const position = new Map(lineage.rdds.map((r, i) => [r.id, i]));
  const readShuffles = new Map<number, ShuffleDependency>();
  collectReadShuffles(root, readShuffles, new Set());
  const normalizeDep = (d: DependencyWire): unknown => {
    if (d.type !== 'shuffle') return { ...d, parent: position.get(d.parent) ?? -1 };
    const read = readShuffles.get(d.shuffleId);
    const { shuffleId: _shuffleId, parent: _parent, ...rest } = d;
    return { ...rest, reads: read === undefined ? `shuffle-${d.shuffleId}` : shuffleLineageIdentity(read) };
  };
  return lineage.rdds.map((r: RDDWire) => ({
    kind: r.kind,
    args: r.args,
    deps: r.deps.map(normalizeDep),
    partitions: r.partitions,
    storageLevel: r.storageLevel,
    operation: r.operation,
  }));
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
