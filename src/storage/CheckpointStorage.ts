/**
 * Reliable storage for checkpointed RDD partitions: one instance per checkpointed RDD, rooted
 * at that RDD's checkpoint location (a directory, later an object-store prefix). Names are
 * flat (`part-00000`, `_metadata`).
 *
 * Every method is synchronous on purpose. Partitions are read inside tasks, and tasks compute
 * synchronously (RDDNode.compute returns batches, not promises); partitions are written from
 * tasks too. A local or mounted directory (LocalDirCheckpointStorage) is naturally sync. A
 * remote store (the NATS JetStream object store of a later issue) must keep this contract by
 * fetching before the task starts, the way shuffle blocks are (the executor knows a stage's
 * checkpoint partitions from its lineage and can prefetch `read` results into memory), not by
 * making `read` async.
 *
 * Implementations register a factory with `registerCheckpointStorageType` so that executors
 * can rebuild them from `toWire()`.
 */
export interface CheckpointStorage {
  /** Where the files live, for messages and `getCheckpointFile()`: a directory path, a URL. */
  readonly location: string;
  /**
   * Stores `bytes` under `name` atomically: a reader sees the complete new content or no file
   * (or the previous content), never a part. Replaces an existing file of that name, so
   * re-running a task attempt is harmless.
   */
  write(name: string, bytes: Uint8Array): void;
  /** The bytes stored under `name`, or undefined when there is no such file. */
  read(name: string): Uint8Array | undefined;
  /** The names stored, sorted; writes in progress are not listed. Empty if the location does not exist. */
  list(): string[];
  /** Removes `name`; removing a missing name is not an error. */
  delete(name: string): void;
  /** Plain, encodable data that rebuilds an equivalent storage on an executor. */
  toWire(): CheckpointStorageWire;
}

/** What `toWire()` returns: a registered `type` and that type's own fields. */
export interface CheckpointStorageWire {
  readonly type: string;
  readonly [field: string]: unknown;
}

const factories = new Map<string, (wire: CheckpointStorageWire) => CheckpointStorage>();

/** Lets `checkpointStorageFromWire` rebuild storages of `type` (call it on driver and executors). */
export function registerCheckpointStorageType(type: string, factory: (wire: CheckpointStorageWire) => CheckpointStorage): void {
  factories.set(type, factory);
}

export function checkpointStorageFromWire(wire: CheckpointStorageWire): CheckpointStorage {
  const factory = factories.get(wire.type);
  if (factory === undefined) {
    throw new Error(`internal: unknown checkpoint storage type "${wire.type}" (its module was not loaded in this process)`);
  }
  return factory(wire);
}
