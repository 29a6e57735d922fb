import type { CacheLocations } from '../scheduler/DAGScheduler.js';
import type { BlockUpdate } from '../scheduler/TaskStatusUpdate.js';

/** The driver's map of which executor caches which RDD partition (Spark's BlockManagerMaster). */
export class CacheTracker implements CacheLocations {
  readonly #locations = new Map<string, Set<string>>();

  executorsFor(rddId: number, partition: number): readonly string[] {
    const set = this.#locations.get(`${rddId}:${partition}`);
    return set === undefined ? [] : [...set];
  }

  recordBlockUpdates(executorId: string, updates: readonly BlockUpdate[]): void {
    for (const u of updates) {
      const key = `${u.rddId}:${u.partition}`;
      let set = this.#locations.get(key);
      // An empty cached partition is still cached: only a NONE level means the block is gone.
      if (u.level !== 'NONE') {
        if (set === undefined) this.#locations.set(key, (set = new Set()));
        set.add(executorId);
      } else {
        set?.delete(executorId);
      }
    }
  }

  removeRdd(rddId: number): void {
    for (const key of [...this.#locations.keys()]) if (key.startsWith(`${rddId}:`)) this.#locations.delete(key);
  }

  removeExecutor(executorId: string): void {
    for (const set of this.#locations.values()) set.delete(executorId);
  }

  /** Partitions of an RDD that are cached somewhere. */
  cachedPartitions(rddId: number): number {
    let n = 0;
    for (const [key, set] of this.#locations) if (key.startsWith(`${rddId}:`) && set.size > 0) n++;
    return n;
  }
}
