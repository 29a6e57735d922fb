import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';

/**
 * Stands on an executor for the map side of a shuffle that this stage only reads: the
 * records come from shuffle blocks, so computing it here is always a bug.
 */
export class BoundaryNode<T> implements RDDNode<T> {
  readonly kind = 'boundary';
  readonly displayName = 'ShuffleBoundary';
  readonly dependencies: readonly Dependency[] = [];

  constructor(private readonly numPartitions: number) {}

  getPartitions(): Partition[] {
    return Array.from({ length: this.numPartitions }, (_, index) => ({ index }));
  }

  compute(): Iterable<T[]> {
    throw new Error('internal: the map side of a shuffle was computed inside its reduce stage');
  }

  toWire(): unknown {
    return { numPartitions: this.numPartitions };
  }
}
