import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { CachedRddIdentity } from '../scheduler/TaskDescription.js';
import type { BlockUpdate } from '../scheduler/TaskStatusUpdate.js';
import type { BlockManager } from '../storage/BlockManager.js';
import { encodeBatch } from '../storage/blockCodec.js';
import type { ReplicaBlocks } from './ReplicaBlocks.js';

/** A cached partition written to a file of its own for the next driver. */
export interface HeldBlockFile {
  readonly identity: string;
  readonly partition: number;
  readonly level: string;
  readonly file: string;
  readonly bytes: number;
}

/** A held file to store again as partition `partition` of this driver's RDD `rddId`. */
export interface BlockToAdopt {
  readonly file: string;
  readonly rddId: number;
  readonly partition: number;
  readonly level: string;
}

/**
 * Cached partitions carried from one driver to the next. When an executor's driver is gone and
 * a restarted one takes over, the task thread (whose heap holds the memory blocks) is replaced:
 * first the partitions of the RDDs whose lineage identity is known are written to files, as the
 * framed batches blocks are stored in (checksummed); the new task thread stores those the new
 * driver adopts, under the new driver's RDD ids. A partition is written one batch at a time, so
 * the old thread never holds a second copy of one.
 */
export class HeldBlockFiles {
  /** Writes every partition of the named RDDs under `dir`; a partition that cannot be encoded or read is left behind. */
  static write(blockManager: BlockManager, rdds: readonly CachedRddIdentity[], dir: string): HeldBlockFile[] {
    const identities = new Map(rdds.map((r) => [r.rddId, r.identity]));
    const held: HeldBlockFile[] = [];
    for (const { rddId, partition, level } of blockManager.blocks()) {
      const identity = identities.get(rddId);
      if (identity === undefined) continue;
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${identity}-${partition}.blocks`);
      const fd = openSync(file, 'w');
      let bytes = 0;
      let complete = false;
      try {
        for (const batch of blockManager.get(rddId, partition) ?? []) bytes += writeSync(fd, encodeBatch(batch));
        complete = true;
      } catch {
        // Records the codec cannot encode (deserialized levels) or a damaged disk block: the
        // new driver recomputes this partition from lineage.
      } finally {
        closeSync(fd);
      }
      if (complete) held.push({ identity, partition, level: level.name, file, bytes });
      else rmSync(file, { force: true });
    }
    return held;
  }

  /**
   * Stores held files again (through the replica path: same level, budget and eviction) and
   * removes them; returns what was stored. A file gone, damaged or too big for memory is skipped.
   */
  static adopt(replicas: ReplicaBlocks, blocks: readonly BlockToAdopt[]): BlockUpdate[] {
    const stored: BlockUpdate[] = [];
    for (const b of blocks) {
      try {
        if (!statSync(b.file).isFile()) continue;
        const bytes = replicas.store(b.rddId, b.partition, b.level, [readFileSync(b.file)]);
        stored.push({ rddId: b.rddId, partition: b.partition, bytes, level: b.level });
      } catch {
        // Recomputed from lineage instead.
      } finally {
        rmSync(b.file, { force: true });
      }
    }
    return stored;
  }
}
