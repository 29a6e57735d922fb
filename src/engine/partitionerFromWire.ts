import type { Closure } from '../common/closure/Closure.js';
import type { SerializedClosure } from '../common/closure/SerializedClosure.js';
import { HashPartitioner } from './HashPartitioner.js';
import type { Partitioner, PartitionerWire } from './Partitioner.js';
import { PassthroughPartitioner } from './PassthroughPartitioner.js';
import { RangePartitioner, type KeyComparator } from './RangePartitioner.js';

/** Rebuilds a partitioner that `equals` the one that produced `wire`. */
export function partitionerFromWire(
  wire: PartitionerWire,
  revive: <F extends (...args: never[]) => unknown>(closure: SerializedClosure) => Closure<F>,
): Partitioner {
  switch (wire.kind) {
    case 'hash':
      return new HashPartitioner(wire.numPartitions);
    case 'passthrough':
      return new PassthroughPartitioner(wire.numPartitions);
    case 'range':
      return new RangePartitioner(
        wire.numPartitions,
        wire.ascending,
        wire.comparator === undefined ? undefined : revive<KeyComparator>(wire.comparator),
        wire.bounds,
      );
  }
}
