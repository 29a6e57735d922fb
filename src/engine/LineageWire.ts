import type { Closure } from '../common/closure/Closure.js';
import type { SerializedClosure } from '../common/closure/SerializedClosure.js';
import {
  type Dependency,
  OneToOneDependency,
  RangeDependency,
  ShuffleDependency,
  TableDependency,
} from './Dependency.js';
import type { Partition } from './Partition.js';
import type { PartitionerWire } from './Partitioner.js';
import { partitionerFromWire } from './partitionerFromWire.js';
import { RDD } from './RDD.js';
import type { RDDContext } from './RDDContext.js';
import { rddNodeFactory } from './rddNodeKinds.js';
import { BoundaryNode } from './rdd/BoundaryNode.js';
import { storageLevelByName, StorageLevel } from './StorageLevel.js';

/** A shuffle dependency as it travels: the map side is named by id only when it is shipped too. */
export interface ShuffleDependencyWire {
  readonly type: 'shuffle';
  readonly parent: number;
  readonly parentPartitions: number;
  readonly shuffleId: number;
  readonly partitioner: PartitionerWire;
  readonly aggregation?:
    | {
        readonly createCombiner: SerializedClosure;
        readonly mergeValue: SerializedClosure;
        readonly mergeCombiners: SerializedClosure;
      }
    | undefined;
  readonly mapSideCombine: boolean;
  readonly keyOrdering?: true | SerializedClosure | undefined;
}

export type DependencyWire =
  | { readonly type: 'oneToOne'; readonly parent: number }
  | { readonly type: 'range'; readonly parent: number; readonly inStart: number; readonly outStart: number; readonly length: number }
  | { readonly type: 'table'; readonly parent: number; readonly table: readonly (readonly number[])[] }
  | ShuffleDependencyWire;

export interface RDDWire {
  readonly id: number;
  readonly kind: string;
  readonly args: unknown;
  readonly deps: readonly DependencyWire[];
  readonly partitions: readonly Partition[];
  readonly storageLevel: string;
  readonly operation: string;
  readonly creationSite: string;
}

/**
 * The part of a lineage graph one stage needs, parents before children: from `root` back
 * through narrow dependencies, stopping at shuffle boundaries.
 */
export interface LineageWire {
  readonly rdds: readonly RDDWire[];
  readonly root: number;
}

export function encodeShuffleDependency(dep: ShuffleDependency): ShuffleDependencyWire {
  const a = dep.options.aggregation;
  const ordering = dep.options.keyOrdering;
  return {
    type: 'shuffle',
    parent: dep.rdd.id,
    parentPartitions: dep.rdd.partitions.length,
    shuffleId: dep.shuffleId,
    partitioner: dep.partitioner.toWire(),
    aggregation:
      a === undefined
        ? undefined
        : {
            createCombiner: a.createCombiner.serialized,
            mergeValue: a.mergeValue.serialized,
            mergeCombiners: a.mergeCombiners.serialized,
          },
    mapSideCombine: dep.options.mapSideCombine,
    keyOrdering: ordering === undefined || ordering === true ? ordering : ordering.serialized,
  };
}

function encodeDependency(dep: Dependency): DependencyWire {
  if (dep instanceof ShuffleDependency) return encodeShuffleDependency(dep);
  if (dep instanceof OneToOneDependency) return { type: 'oneToOne', parent: dep.rdd.id };
  if (dep instanceof RangeDependency) {
    return { type: 'range', parent: dep.rdd.id, inStart: dep.inStart, outStart: dep.outStart, length: dep.length };
  }
  if (dep instanceof TableDependency) return { type: 'table', parent: dep.rdd.id, table: dep.parentsByPartition };
  throw new Error(`internal: cannot ship a ${dep.constructor.name}; narrow dependencies must be one-to-one, range or table`);
}

export function encodeLineage(root: RDD<unknown>): LineageWire {
  const out: RDDWire[] = [];
  const seen = new Set<number>();
  const visit = (rdd: RDD<unknown>): void => {
    if (seen.has(rdd.id)) return;
    seen.add(rdd.id);
    for (const dep of rdd.dependencies) if (dep.type === 'narrow') visit(dep.rdd);
    out.push({
      id: rdd.id,
      kind: rdd.node.kind,
      args: rdd.node.toWire(),
      deps: rdd.dependencies.map(encodeDependency),
      partitions: rdd.partitions,
      storageLevel: rdd.getStorageLevel().name,
      operation: rdd.operation,
      creationSite: rdd.creationSite,
    });
  };
  visit(root);
  return { rdds: out, root: root.id };
}

/** Turns shipped closures back into functions; implementations cache per closure object. */
export type Reviver = <F extends (...args: never[]) => unknown>(closure: SerializedClosure) => Closure<F>;

/** Rebuilds the RDDs of a lineage on an executor. Returns every RDD by id. */
export function decodeLineage(wire: LineageWire, context: RDDContext, revive: Reviver): Map<number, RDD<unknown>> {
  const rdds = new Map<number, RDD<unknown>>();
  const boundary = (id: number, numPartitions: number): RDD<unknown> => {
    let rdd = rdds.get(id);
    if (rdd === undefined) {
      const node = new BoundaryNode<unknown>(numPartitions);
      rdd = new RDD(context, node, { id, partitions: node.getPartitions(), operation: 'shuffle', creationSite: '' });
      rdds.set(id, rdd);
    }
    return rdd;
  };
  for (const r of wire.rdds) {
    const dependencies = r.deps.map((d) => decodeDependency(d, rdds, boundary, revive));
    const node = rddNodeFactory(r.kind)({ dependencies, args: r.args, revive });
    rdds.set(
      r.id,
      new RDD(context, node, {
        id: r.id,
        partitions: r.partitions,
        operation: r.operation,
        creationSite: r.creationSite,
        storageLevel: storageLevelByName(r.storageLevel) ?? StorageLevel.NONE,
      }),
    );
  }
  return rdds;
}

export function decodeShuffleDependency(
  d: ShuffleDependencyWire,
  parent: RDD<unknown>,
  revive: Reviver,
): ShuffleDependency {
  return new ShuffleDependency(
    parent as RDD<readonly [unknown, unknown]>,
    d.shuffleId,
    partitionerFromWire(d.partitioner, revive),
    {
      aggregation:
        d.aggregation === undefined
          ? undefined
          : {
              createCombiner: revive(d.aggregation.createCombiner),
              mergeValue: revive(d.aggregation.mergeValue),
              mergeCombiners: revive(d.aggregation.mergeCombiners),
            },
      mapSideCombine: d.mapSideCombine,
      keyOrdering: d.keyOrdering === undefined || d.keyOrdering === true ? d.keyOrdering : revive(d.keyOrdering),
    },
  );
}

function decodeDependency(
  d: DependencyWire,
  rdds: Map<number, RDD<unknown>>,
  boundary: (id: number, n: number) => RDD<unknown>,
  revive: Reviver,
): Dependency {
  if (d.type === 'shuffle') return decodeShuffleDependency(d, rdds.get(d.parent) ?? boundary(d.parent, d.parentPartitions), revive);
  const parent = rdds.get(d.parent);
  if (parent === undefined) throw new Error(`internal: lineage wire lists RDD ${d.parent} after its child`);
  switch (d.type) {
    case 'oneToOne':
      return new OneToOneDependency(parent);
    case 'range':
      return new RangeDependency(parent, d.inStart, d.outStart, d.length);
    case 'table':
      return new TableDependency(parent, d.table);
  }
}
