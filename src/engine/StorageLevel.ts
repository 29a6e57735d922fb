/**
 * Where and how a persisted RDD keeps its partitions. The names match Spark's.
 *
 * - MEMORY_ONLY (cache()): live records; partitions memory cannot take are not cached and are
 *   recomputed from their lineage when needed.
 * - MEMORY_ONLY_SER: encoded (framed CBOR) bytes, decoded on every read; smaller, slower.
 * - MEMORY_AND_DISK / MEMORY_AND_DISK_SER: as above, but partitions memory cannot take, or that
 *   are evicted, are written to the executor's local dir and read back from there.
 * - DISK_ONLY: encoded files under the executor's local dir only.
 *
 * Memory is a per-executor budget (`--conf kuberdd.memory.storageBytes`, see
 * storage/BlockManager.ts) with LRU eviction that never evicts a partition of the RDD being cached.
 * The `_2` levels keep a second copy on another executor when executors are processes that reach
 * each other over NATS (local-cluster, Kubernetes; executor/BlockReplicator.ts); in local[N]
 * they keep one copy, like their plain forms.
 */
export interface StorageLevel {
  readonly name: string;
  readonly useMemory: boolean;
  readonly useDisk: boolean;
  /** Keep the partition as encoded bytes (smaller, slower to read) rather than live objects. */
  readonly serialized: boolean;
  readonly replication: number;
}

function level(name: string, useMemory: boolean, useDisk: boolean, serialized: boolean, replication = 1): StorageLevel {
  return Object.freeze({ name, useMemory, useDisk, serialized, replication });
}

export const StorageLevel = Object.freeze({
  NONE: level('NONE', false, false, false),
  MEMORY_ONLY: level('MEMORY_ONLY', true, false, false),
  MEMORY_ONLY_SER: level('MEMORY_ONLY_SER', true, false, true),
  MEMORY_AND_DISK: level('MEMORY_AND_DISK', true, true, false),
  MEMORY_AND_DISK_SER: level('MEMORY_AND_DISK_SER', true, true, true),
  DISK_ONLY: level('DISK_ONLY', false, true, true),
  MEMORY_ONLY_2: level('MEMORY_ONLY_2', true, false, false, 2),
  MEMORY_ONLY_SER_2: level('MEMORY_ONLY_SER_2', true, false, true, 2),
  MEMORY_AND_DISK_2: level('MEMORY_AND_DISK_2', true, true, false, 2),
  MEMORY_AND_DISK_SER_2: level('MEMORY_AND_DISK_SER_2', true, true, true, 2),
  DISK_ONLY_2: level('DISK_ONLY_2', false, true, true, 2),
});

export function storageLevelByName(name: string): StorageLevel | undefined {
  return (StorageLevel as Record<string, StorageLevel>)[name];
}
