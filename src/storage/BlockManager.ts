import type { StorageLevel } from '../engine/StorageLevel.js';

/** One cached RDD partition. */
interface StoredBlock {
  readonly rddId: number;
  readonly partition: number;
  readonly level: StorageLevel;
  readonly batches: readonly unknown[][];
  readonly records: number;
}

/**
 * An executor's store of cached RDD partitions, in memory, most recently used last.
 * (Byte budgets, LRU eviction, serialized and disk levels arrive with the storage issue;
 * the interface callers use — get, put, remove — stays the same.)
 */
export class BlockManager {
  readonly #blocks = new Map<string, StoredBlock>();

  static blockId(rddId: number, partition: number): string {
    return `rdd_${rddId}_${partition}`;
  }

  get(rddId: number, partition: number): readonly unknown[][] | undefined {
    const id = BlockManager.blockId(rddId, partition);
    const block = this.#blocks.get(id);
    if (block === undefined) return undefined;
    // Re-insert: Map order is the LRU order.
    this.#blocks.delete(id);
    this.#blocks.set(id, block);
    return block.batches;
  }

  /** Stores a computed partition; returns whether it was kept. */
  put(rddId: number, partition: number, level: StorageLevel, batches: readonly unknown[][]): boolean {
    let records = 0;
    for (const b of batches) records += b.length;
    this.#blocks.set(BlockManager.blockId(rddId, partition), { rddId, partition, level, batches, records });
    return true;
  }

  /** Drops every partition of an RDD; returns the partitions dropped. */
  removeRdd(rddId: number): number[] {
    const dropped: number[] = [];
    for (const [id, block] of this.#blocks) {
      if (block.rddId === rddId) {
        this.#blocks.delete(id);
        dropped.push(block.partition);
      }
    }
    return dropped;
  }

  get size(): number {
    return this.#blocks.size;
  }
}
