import type { Closure } from '../common/closure/Closure.js';
import type { SerializedClosure } from '../common/closure/SerializedClosure.js';
import type { Dependency } from './Dependency.js';
import type { PartitionerWire } from './Partitioner.js';
import { partitionerFromWire } from './partitionerFromWire.js';
import type { RDDNode } from './RDDNode.js';
import { BoundaryNode } from './rdd/BoundaryNode.js';
import { CartesianNode } from './rdd/CartesianNode.js';
import { CoalescedNode } from './rdd/CoalescedNode.js';
import { CoGroupedNode } from './rdd/CoGroupedNode.js';
import { EmptyNode } from './rdd/EmptyNode.js';
import { LocalCheckpointNode } from './rdd/LocalCheckpointNode.js';
import { MapPartitionsNode, type MapOp } from './rdd/MapPartitionsNode.js';
import { ObjectFileNode } from './rdd/ObjectFileNode.js';
import { ParallelCollectionNode } from './rdd/ParallelCollectionNode.js';
import { PartitionerAwareUnionNode } from './rdd/PartitionerAwareUnionNode.js';
import { PipedNode } from './rdd/PipedNode.js';
import { RangeNode } from './rdd/RangeNode.js';
import { SampledNode, type Sampler } from './rdd/SampledNode.js';
import { ShuffledNode } from './rdd/ShuffledNode.js';
import { TextFileNode } from './rdd/TextFileNode.js';
import { UnionNode } from './rdd/UnionNode.js';
import { WholeTextFilesNode } from './rdd/WholeTextFilesNode.js';
import { ZippedPartitionsNode } from './rdd/ZippedPartitionsNode.js';
import { ZippedWithIndexNode } from './rdd/ZippedWithIndexNode.js';

/** What an executor has when it rebuilds a node: rebuilt dependencies, the wire args, a closure reviver. */
export interface NodeRebuild {
  readonly dependencies: readonly Dependency[];
  // The args are whatever the node's own toWire() produced.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly args: any;
  revive<F extends (...args: never[]) => unknown>(closure: SerializedClosure): Closure<F>;
}

export type NodeFactory = (rebuild: NodeRebuild) => RDDNode<unknown>;

const factories = new Map<string, NodeFactory>([
  ['parallelCollection', ({ args }) => new ParallelCollectionNode([], args.numSlices as number)],
  ['range', ({ args }) => new RangeNode(args.start, args.end, args.step, args.numSlices)],
  ['textFile', ({ args }) => new TextFileNode(args.path, args.minPartitions, args.maxSplitBytes)],
  ['wholeTextFiles', ({ args }) => new WholeTextFilesNode(args.path, args.minPartitions)],
  ['objectFile', ({ args }) => new ObjectFileNode(args.path, args.minPartitions)],
  ['empty', () => new EmptyNode()],
  ['boundary', ({ args }) => new BoundaryNode(args.numPartitions)],
  [
    'mapPartitions',
    ({ dependencies, args, revive }) =>
      new MapPartitionsNode(dependencies, {
        op: args.op as MapOp,
        fn: args.fn === undefined ? undefined : revive(args.fn as SerializedClosure),
        preservesPartitioning: args.preservesPartitioning as boolean,
      }),
  ],
  ['union', ({ dependencies }) => new UnionNode(dependencies)],
  ['partitionerAwareUnion', ({ dependencies }) => new PartitionerAwareUnionNode(dependencies)],
  ['coalesced', ({ dependencies }) => new CoalescedNode(dependencies)],
  ['shuffled', ({ dependencies }) => new ShuffledNode(dependencies)],
  [
    'coGrouped',
    ({ dependencies, args, revive }) =>
      new CoGroupedNode(dependencies, partitionerFromWire(args.partitioner as PartitionerWire, revive)),
  ],
  [
    'zippedPartitions',
    ({ dependencies, args, revive }) =>
      new ZippedPartitionsNode(dependencies, args.fn === undefined ? undefined : revive(args.fn as SerializedClosure)),
  ],
  ['cartesian', ({ dependencies }) => new CartesianNode(dependencies)],
  ['sampled', ({ dependencies, args }) => new SampledNode(dependencies, args.sampler as Sampler, args.preservesPartitioning)],
  ['piped', ({ dependencies, args }) => new PipedNode(dependencies, args.command, args.env)],
  ['zippedWithIndex', ({ dependencies }) => new ZippedWithIndexNode(dependencies, undefined)],
  ['localCheckpoint', ({ args }) => new LocalCheckpointNode(args.numPartitions as number, args.rddId as number)],
]);

/** Lets jobs ship their own RDD node kinds (the job module must register them on import). */
export function registerRDDNodeKind(kind: string, factory: NodeFactory): void {
  factories.set(kind, factory);
}

export function rddNodeFactory(kind: string): NodeFactory {
  const factory = factories.get(kind);
  if (factory === undefined) {
    throw new Error(`unknown RDD node kind "${kind}": the executor runs a different kuberdd version than the driver, or a custom node was not registered`);
  }
  return factory;
}
