import type { SerializedClosure } from '../common/closure/SerializedClosure.js';

/**
 * Maps a key to a partition index in `[0, numPartitions)`. Two partitioners that are `equals`
 * place every key in the same partition, which is what lets co-partitioned joins skip a shuffle.
 */
export interface Partitioner {
  readonly numPartitions: number;
  getPartition(key: unknown): number;
  equals(other: Partitioner | undefined): boolean;
  /**
   * Driver side: computes data-dependent state (a range partitioner's bounds) before the first
   * `getPartition` or shipping. Runs once however often it is called; absent when not needed.
   */
  prepare?(): Promise<void>;
  /** An encodable description that `partitionerFromWire` turns back into an equal partitioner. */
  toWire(): PartitionerWire;
}

export type PartitionerWire =
  | { readonly kind: 'hash'; readonly numPartitions: number }
  | { readonly kind: 'passthrough'; readonly numPartitions: number }
  | {
      readonly kind: 'range';
      readonly numPartitions: number;
      readonly bounds: readonly unknown[];
      readonly ascending: boolean;
      readonly comparator?: SerializedClosure | undefined;
    };
