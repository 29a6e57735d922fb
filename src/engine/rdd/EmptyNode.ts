import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';

/** `sc.emptyRDD()`: no partitions at all. */
export class EmptyNode<T> implements RDDNode<T> {
  readonly kind = 'empty';
  readonly displayName = 'EmptyRDD';
  readonly dependencies: readonly Dependency[] = [];
  getPartitions(): Partition[] {
    return [];
  }
  compute(): Iterable<T[]> {
    return [];
  }
  toWire(): unknown {
    return {};
  }
}
