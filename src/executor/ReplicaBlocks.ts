import { storageLevelByName } from '../engine/StorageLevel.js';
import type { TaskStatusUpdate } from '../scheduler/TaskStatusUpdate.js';
import type { BlockManager } from '../storage/BlockManager.js';
import { decodeFrames, encodeBatch } from '../storage/blockCodec.js';

/** A partition a task stored at a replicated level, encoded for another executor. */
export interface ReplicaToPush {
  readonly rddId: number;
  readonly partition: number;
  readonly level: string;
  /** Framed CBOR batches, as blocks are stored and fetched. */
  readonly frames: Uint8Array[];
}

/**
 * The task thread's side of replicated storage levels (`*_2`): which partitions a finished task
 * stored at such a level (to be pushed to another executor by the main thread), and storing a
 * copy another executor pushed here. A copy is stored like a computed partition (same level, same
 * memory budget and eviction) but outside any task, so it is never replicated again.
 */
export class ReplicaBlocks {
  constructor(private readonly blockManager: BlockManager) {}

  /**
   * The partitions a task's update says it stored at a replicated level, encoded. Moves to disk
   * by eviction are reported too; the driver answers "no target needed" for those that already
   * have their second copy. A block gone since (evicted by the same task) is skipped.
   */
  toPush(update: TaskStatusUpdate): ReplicaToPush[] {
    const out: ReplicaToPush[] = [];
    const seen = new Set<string>();
    for (const u of update.blockUpdates) {
      const level = storageLevelByName(u.level);
      if (level === undefined || level.replication < 2) continue;
      const key = `${u.rddId}:${u.partition}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        const batches = this.blockManager.get(u.rddId, u.partition);
        if (batches === undefined) continue;
        const frames: Uint8Array[] = [];
        for (const batch of batches) frames.push(encodeBatch(batch));
        out.push({ rddId: u.rddId, partition: u.partition, level: level.name, frames });
      } catch {
        // Records the codec cannot encode (possible in deserialized levels) or a damaged disk
        // block: the partition keeps its one copy, and is recomputed from lineage if lost.
      }
    }
    return out;
  }

  /**
   * Stores a pushed copy at `levelName`; returns the bytes it holds here (memory, else disk).
   * Throws, saying why, when the level is unknown, the bytes are damaged, or memory could not
   * take a MEMORY_ONLY* copy.
   */
  store(rddId: number, partition: number, levelName: string, frames: readonly Uint8Array[]): number {
    const level = storageLevelByName(levelName);
    if (level === undefined || (!level.useMemory && !level.useDisk)) {
      throw new Error(`cannot store a replica at storage level ${JSON.stringify(levelName)}: not a level that keeps data`);
    }
    // Decoded eagerly, so damaged bytes fail here instead of leaving half a block behind.
    const batches = [...decodeFrames(frames, `replica of partition ${partition} of RDD ${rddId}`)];
    this.blockManager.putIterator(rddId, partition, level, batches);
    const status = this.blockManager.status(rddId, partition);
    if (status === undefined) throw new Error(`partition ${partition} of RDD ${rddId} did not fit in this executor's storage memory`);
    return status.memoryBytes > 0 ? status.memoryBytes : status.diskBytes;
  }
}
