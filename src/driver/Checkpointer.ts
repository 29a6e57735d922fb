import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { captureClosure } from '../common/closure/captureClosure.js';
import type { Closure } from '../common/closure/Closure.js';
import { CheckpointError } from '../common/errors/CheckpointError.js';
import { JobFailedError } from '../common/errors/JobFailedError.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { RDD } from '../engine/RDD.js';
import { walkLineage } from '../engine/walkLineage.js';
import type { PartitionFunction } from '../engine/RDDContext.js';
import { LocalCheckpointNode } from '../engine/rdd/LocalCheckpointNode.js';
import { StorageLevel } from '../engine/StorageLevel.js';
import type { TaskContext } from '../engine/TaskContext.js';
import type { CheckpointStorage } from '../storage/CheckpointStorage.js';
import {
  readCheckpointMetadata,
  verifyCheckpointParts,
  writeCheckpointMetadata,
  writeCheckpointPartition,
} from '../storage/checkpointFiles.js';
import '../storage/checkpointRegistration.js';
import { checkpointStorageAt } from '../storage/checkpointStorageAt.js';
import { JETSTREAM_CHECKPOINT_SCHEME } from '../storage/JetStreamCheckpointStorage.js';
import { ReliableCheckpointNode } from '../storage/ReliableCheckpointNode.js';

type RunJob = <T, U>(
  rdd: RDD<T>,
  func: Closure<PartitionFunction<T, U>>,
  options?: { partitions?: readonly number[]; description?: string },
) => Promise<U[]>;

/**
 * The driver's side of `rdd.checkpoint()` / `rdd.localCheckpoint()` (Spark's
 * RDDCheckpointData.doCheckpoint): after a job, finds the marked RDDs in its lineage, writes
 * them with a separate job, then truncates their lineage.
 */
export class Checkpointer {
  #dir: string | undefined;

  constructor(
    private readonly o: {
      readonly runJob: RunJob;
      /** Whether some executor caches partition `p` of RDD `rddId`. */
      readonly isCached: (rddId: number, p: number) => boolean;
      /** The application's NATS server (`kuberdd.nats.url`), for `nats-js://` checkpoint locations. */
      readonly natsUrl?: () => string | undefined;
    },
  ) {}

  /**
   * Checkpoints go to `<dir>/<uuid>/rdd-<id>/` (a fresh uuid per call, as in Spark). `dir` may
   * be `nats-js://<bucket>[/<path>]`: JetStream on the application's NATS server.
   */
  setDir(dir: string): void {
    if (typeof dir !== 'string' || dir.length === 0) throw new UserInputError('setCheckpointDir() needs a directory path');
    if (dir.startsWith(JETSTREAM_CHECKPOINT_SCHEME)) {
      this.#dir = checkpointStorageAt(`${dir.replace(/\/+$/, '')}/${randomUUID()}`, this.o.natsUrl?.()).location;
      return;
    }
    const appDir = path.resolve(dir, randomUUID());
    try {
      mkdirSync(appDir, { recursive: true });
    } catch (error) {
      throw new UserInputError(`setCheckpointDir(): cannot create ${appDir}: ${(error as Error).message}`, { cause: error });
    }
    this.#dir = appDir;
  }

  get dir(): string | undefined {
    return this.#dir;
  }

  /** Storage of an existing checkpoint directory, verified complete (metadata and every part file). */
  open(dir: string): { storage: CheckpointStorage; numPartitions: number } {
    if (typeof dir !== 'string' || dir.length === 0) throw new UserInputError('checkpointFile() needs a path');
    const storage = checkpointStorageAt(dir, this.o.natsUrl?.());
    const meta = readCheckpointMetadata(storage);
    verifyCheckpointParts(storage, meta.numPartitions);
    return { storage, numPartitions: meta.numPartitions };
  }

  /** Runs after every successful job on `root`: checkpoints the marked RDDs it computed. */
  async afterJob(root: RDD<unknown>): Promise<void> {
    const marked: RDD<unknown>[] = [];
    walkLineage(root, (rdd) => {
      const data = rdd.checkpointData;
      // As in Spark, a marked RDD stops the walk: its ancestors are not checkpointed by this job.
      if (data === undefined) return true;
      if (data.state === 'marked') marked.push(rdd);
      return false;
    });
    for (const rdd of marked) {
      const data = rdd.checkpointData!;
      if (data.state !== 'marked') continue;
      data.state = 'inProgress';
      try {
        if (data.kind === 'reliable') await this.#reliable(rdd);
        else await this.#local(rdd);
      } catch (error) {
        data.state = 'marked';
        throw error;
      }
    }
  }

  /** A failed job whose task hit a damaged or missing checkpoint becomes that CheckpointError. */
  static translateFailure(error: unknown): unknown {
    if (error instanceof JobFailedError && error.site !== undefined) {
      return CheckpointError.fromRemote(error.site.remoteName, error.site.remoteMessage, error) ?? error;
    }
    return error;
  }

  async #reliable(rdd: RDD<unknown>): Promise<void> {
    if (this.#dir === undefined) {
      throw new UserInputError(`cannot checkpoint RDD ${rdd.id}: no checkpoint directory (call sc.setCheckpointDir(dir))`, {
        code: 'CHECKPOINT_DIR_NOT_SET',
      });
    }
    const location = this.#dir.startsWith(JETSTREAM_CHECKPOINT_SCHEME) ? `${this.#dir}/rdd-${rdd.id}` : path.join(this.#dir, `rdd-${rdd.id}`);
    const storage = checkpointStorageAt(location, this.o.natsUrl?.());
    const wire = storage.toWire();
    const lib = { writeCheckpointPartition };
    const write = captureClosure(
      (batches: Iterable<unknown[]>, ctx: TaskContext): number => lib.writeCheckpointPartition(wire, ctx.partitionId, batches),
      { lib, wire },
      { transformation: 'checkpoint' },
    );
    // Reads the cached copy when the RDD is persisted; recomputes it otherwise (as Spark does).
    await this.o.runJob(rdd, write, { description: `checkpoint RDD ${rdd.id}` });
    const numPartitions = rdd.partitions.length;
    verifyCheckpointParts(storage, numPartitions);
    writeCheckpointMetadata(storage, { numPartitions, rddId: rdd.id });
    rdd.truncateLineage(new ReliableCheckpointNode(wire, numPartitions, rdd.partitioner), storage.location);
  }

  async #local(rdd: RDD<unknown>): Promise<void> {
    // The user may have unpersisted since localCheckpoint(); the blocks are the checkpoint.
    if (rdd.getStorageLevel() === StorageLevel.NONE) rdd.persist(StorageLevel.MEMORY_AND_DISK);
    const missing = rdd.partitions.map((p) => p.index).filter((p) => !this.o.isCached(rdd.id, p));
    if (missing.length > 0) {
      const materialize = captureClosure(
        (batches: Iterable<unknown[]>): number => {
          let n = 0;
          for (const b of batches) n += b.length;
          return n;
        },
        undefined,
        { transformation: 'localCheckpoint' },
      );
      await this.o.runJob(rdd, materialize, { partitions: missing, description: `localCheckpoint RDD ${rdd.id}` });
    }
    // Truncating with a partition nowhere in storage would make it unreadable: keep the lineage.
    const lost = rdd.partitions.map((p) => p.index).filter((p) => !this.o.isCached(rdd.id, p));
    if (lost.length > 0) {
      throw new KuberddError(
        'CHECKPOINT_FAILED',
        `localCheckpoint() of RDD ${rdd.id}: partitions ${lost.join(', ')} could not be kept in executor storage at level ${rdd.getStorageLevel().name}; ` +
          'persist the RDD with a disk level (MEMORY_AND_DISK, the default of localCheckpoint()) or use checkpoint()',
      );
    }
    rdd.truncateLineage(new LocalCheckpointNode(rdd.partitions.length, rdd.id), undefined);
  }
}
