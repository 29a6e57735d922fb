import { KuberddError } from '../common/errors/KuberddError.js';
import { StorageLevel } from '../engine/StorageLevel.js';
import { decodeFrames, encodeBatch, measureBatch } from './blockCodec.js';
import { DiskStore } from './DiskStore.js';

/**
 * Default memory budget for cached partitions, per executor (`--conf kuberdd.memory.storageBytes=N`).
 *
 * 256 MiB because deserialized levels are measured by their encoded size (see below), and live
 * JS objects typically take 2–4× their CBOR size on the V8 heap: 256 MiB of cache can mean up to
 * ~1 GiB of heap, which still leaves room under Node's default old-space limit (2–4 GiB on
 * 64-bit machines, per isolate — each local[N] thread is its own isolate) for the running task's
 * working set, shuffle buffers and the stage binaries. Raise it with bigger heaps
 * (`--max-old-space-size` / executor pod memory).
 */
export const DEFAULT_STORAGE_BYTES = 256 * 1024 * 1024;

/**
 * A change to a cached block, reported to the driver's CacheTracker (the same shape as the
 * scheduler's BlockUpdate; storage/ cannot import scheduler/). `bytes` is the size held — in
 * memory, or on disk once a *_AND_DISK block was moved there; `level` NONE means dropped.
 */
export interface BlockStatusUpdate {
  readonly rddId: number;
  readonly partition: number;
  readonly bytes: number;
  readonly level: string;
}

export interface BlockManagerOptions {
  /** Memory budget in bytes for cached partitions (default DEFAULT_STORAGE_BYTES). */
  readonly maxMemoryBytes?: number;
  /** Directory for disk-level blocks, created on first write. Needed only for levels that use disk. */
  readonly diskDir?: string;
  /** Called, while a task runs, for each block stored, moved to disk by eviction, or dropped by eviction. */
  readonly onBlockUpdate?: (update: BlockStatusUpdate) => void;
}

/** A partition cached in memory: live batches (deserialized levels) or framed CBOR (serialized). */
type MemoryBlock = {
  readonly rddId: number;
  readonly partition: number;
  readonly level: StorageLevel;
  /** Measured: the encoded size (exact for serialized levels, see measureBatch for deserialized). */
  readonly bytes: number;
} & ({ readonly batches: readonly unknown[][]; readonly frames?: never } | { readonly frames: readonly Uint8Array[]; readonly batches?: never });

interface DiskBlock {
  readonly rddId: number;
  readonly partition: number;
  readonly level: StorageLevel;
}

/** What measuring a computed partition while holding it found. */
interface Unrolled {
  readonly batches: unknown[][];
  /** Encoded frames, kept only for serialized levels and levels that may spill to disk. */
  readonly frames: Uint8Array[];
  readonly bytes: number;
  /** The rest of the partition when it grew past what memory could take; undefined when it was read to the end. */
  readonly rest: Iterator<unknown[]> | undefined;
}

/**
 * An executor's store of cached RDD partitions (Spark's BlockManager + MemoryStore + DiskStore).
 *
 * Memory holds at most `maxMemoryBytes`, measured, not guessed: serialized levels count their
 * encoded bytes; deserialized levels are encoded once when stored, only to be measured (one
 * CBOR encode pass over the partition — about the cost of MEMORY_ONLY_SER's put, paid once per
 * cached partition, never on reads), so both count the same bytes for the same data.
 *
 * Eviction is LRU per partition (reads and writes refresh a block), with Spark's rule from the
 * RDD paper: to make room for a partition of RDD r, only partitions of *other* RDDs are evicted
 * — cycling r's own partitions in and out would just make every pass over r recompute. Blocks
 * are chosen first and evicted only if that frees enough; otherwise nothing is evicted and the
 * new partition is not cached in memory (MEMORY_ONLY*: not cached at all, recomputed from its
 * lineage next time; *_AND_DISK: written to disk). An evicted MEMORY_ONLY* block is dropped; an
 * evicted *_AND_DISK block is written to disk and read from there afterwards (and brought back
 * into memory by a read once it fits without evicting anything).
 *
 * While a partition is computed and measured it is held outside the budget (as Spark's unroll
 * memory), but never more than the budget: once it cannot fit, the rest streams through
 * (MEMORY_ONLY*) or to disk (*_AND_DISK) without being held. Serialized and *_AND_DISK levels
 * also hold the encoded frames meanwhile, so they can be kept or spilled without encoding twice.
 *
 * Replicated levels (`*_2`) keep one copy here, like their plain forms; executor processes send
 * the second copy to another executor (executor/ReplicaBlocks.ts, executor/BlockReplicator.ts).
 */
export class BlockManager {
  readonly maxMemoryBytes: number;
  /** Memory blocks, least recently used first (Map order). */
  readonly #memory = new Map<string, MemoryBlock>();
  readonly #diskBlocks = new Map<string, DiskBlock>();
  readonly #disk: DiskStore | undefined;
  readonly #onBlockUpdate: (update: BlockStatusUpdate) => void;
  #memoryUsed = 0;

  constructor(options: BlockManagerOptions = {}) {
    const max = options.maxMemoryBytes ?? DEFAULT_STORAGE_BYTES;
    if (!Number.isFinite(max) || max < 0) throw new KuberddError('BAD_STORAGE_BYTES', `the storage memory budget must be a non-negative number of bytes, not ${max}`);
    this.maxMemoryBytes = Math.floor(max);
    this.#disk = options.diskDir === undefined ? undefined : new DiskStore(options.diskDir);
    this.#onBlockUpdate = options.onBlockUpdate ?? (() => {});
  }

  static blockId(rddId: number, partition: number): string {
    return `rdd_${rddId}_${partition}`;
  }

  /** Bytes of memory held by cached blocks. */
  get memoryUsed(): number {
    return this.#memoryUsed;
  }

  /** Bytes of block files on disk. */
  get diskUsed(): number {
    return this.#disk?.bytesUsed ?? 0;
  }

  /** Number of blocks held, in memory or on disk. */
  get size(): number {
    let n = this.#memory.size;
    for (const id of this.#diskBlocks.keys()) if (!this.#memory.has(id)) n++;
    return n;
  }

  /** Where a block is kept and how big it is there; undefined when it is not stored. */
  status(rddId: number, partition: number): { readonly memoryBytes: number; readonly diskBytes: number } | undefined {
    const id = BlockManager.blockId(rddId, partition);
    const m = this.#memory.get(id);
    const d = this.#diskBlocks.has(id) ? (this.#disk?.size(id) ?? 0) : undefined;
    if (m === undefined && d === undefined) return undefined;
    return { memoryBytes: m?.bytes ?? 0, diskBytes: d ?? 0 };
  }

  /** Every block held (in memory, on disk or both), once, with the level it was stored at. */
  blocks(): { readonly rddId: number; readonly partition: number; readonly level: StorageLevel }[] {
    const out = [...this.#memory.values()].map(({ rddId, partition, level }) => ({ rddId, partition, level }));
    for (const [id, { rddId, partition, level }] of this.#diskBlocks) if (!this.#memory.has(id)) out.push({ rddId, partition, level });
    return out;
  }

  /** Block ids in memory, least recently used first. */
  memoryBlockIds(): string[] {
    return [...this.#memory.keys()];
  }

  /** A cached partition's batches (decoded lazily for serialized and disk blocks), or undefined. */
  get(rddId: number, partition: number): Iterable<unknown[]> | undefined {
    const id = BlockManager.blockId(rddId, partition);
    const m = this.#memory.get(id);
    if (m !== undefined) {
      // Re-insert: Map order is the LRU order.
      this.#memory.delete(id);
      this.#memory.set(id, m);
      return m.frames === undefined ? m.batches : decodeFrames(m.frames, id);
    }
    const d = this.#diskBlocks.get(id);
    if (d === undefined || this.#disk === undefined) return undefined;
    const diskBytes = this.#disk.size(id) ?? 0;
    // A *_AND_DISK block read from disk comes back into memory when it fits without evicting
    // anything (as in Spark), so later reads skip the disk; the file stays, so evicting it again
    // costs no write. Frames measure the same in both places, so the size is known up front.
    if (d.level.useMemory && diskBytes <= this.#free()) {
      const block: MemoryBlock = d.level.serialized
        ? { rddId, partition, level: d.level, bytes: diskBytes, frames: [this.#disk.readBytes(id)] }
        : { rddId, partition, level: d.level, bytes: diskBytes, batches: [...this.#disk.read(id)!] };
      this.#memory.set(id, block);
      this.#memoryUsed += diskBytes;
      return block.frames === undefined ? block.batches : decodeFrames(block.frames, id);
    }
    return this.#disk.read(id);
  }

  /**
   * Caches a partition as it is computed and returns its records for the caller. When the
   * partition cannot be cached in memory (bigger than the budget, or room could only be made by
   * evicting its own RDD's partitions), MEMORY_ONLY* levels hand the records through without
   * keeping them — what was held while measuring, then the rest streamed from `source` — and
   * *_AND_DISK levels write them to disk. A block already stored is returned as it is.
   */
  putIterator(rddId: number, partition: number, level: StorageLevel, source: Iterable<unknown[]>): Iterable<unknown[]> {
    const existing = this.get(rddId, partition);
    if (existing !== undefined) return existing;
    if (!level.useMemory && !level.useDisk) return source;
    const id = BlockManager.blockId(rddId, partition);
    if (!level.useMemory) return this.#putOnDisk(id, rddId, partition, level, frames(source[Symbol.iterator]()));

    // Checked again for every batch: computing this partition may cache others first (a
    // persisted RDD under a persisted RDD), which changes what is free and what is evictable.
    const u = unroll(source, (bytes) => this.#canMakeRoom(rddId, bytes), level.serialized || level.useDisk);
    if (u.rest !== undefined || !this.#canMakeRoom(rddId, u.bytes)) {
      const rest = u.rest ?? EMPTY_ITERATOR;
      if (level.useDisk) return this.#putOnDisk(id, rddId, partition, level, concatFrames(u.frames, frames(rest)));
      return resume(u.batches, rest);
    }
    this.#evictFor(rddId, u.bytes);
    const block: MemoryBlock = level.serialized
      ? { rddId, partition, level, bytes: u.bytes, frames: u.frames }
      : { rddId, partition, level, bytes: u.bytes, batches: u.batches };
    this.#memory.set(id, block);
    this.#memoryUsed += u.bytes;
    this.#onBlockUpdate({ rddId, partition, bytes: u.bytes, level: level.name });
    return u.batches;
  }

  /** Drops every partition of an RDD, in memory and on disk; returns the partitions dropped. */
  removeRdd(rddId: number): number[] {
    const dropped = new Set<number>();
    for (const [id, block] of this.#memory) {
      if (block.rddId !== rddId) continue;
      this.#memory.delete(id);
      this.#memoryUsed -= block.bytes;
      dropped.add(block.partition);
    }
    for (const [id, block] of this.#diskBlocks) {
      if (block.rddId !== rddId) continue;
      this.#diskBlocks.delete(id);
      this.#disk?.remove(id);
      dropped.add(block.partition);
    }
    return [...dropped].sort((a, b) => a - b);
  }

  /** Drops every block and removes the block directory (executor shutdown). */
  clear(): void {
    this.#memory.clear();
    this.#diskBlocks.clear();
    this.#memoryUsed = 0;
    this.#disk?.clear();
  }

  #free(): number {
    return Math.max(0, this.maxMemoryBytes - this.#memoryUsed);
  }

  /** Whether `bytes` fit in memory for a block of `rddId`, evicting other RDDs' blocks if need be. */
  #canMakeRoom(rddId: number, bytes: number): boolean {
    if (bytes > this.maxMemoryBytes) return false;
    const free = this.#free();
    return bytes <= free || bytes <= free + this.#evictableFor(rddId);
  }

  /** Memory that evicting other RDDs' blocks could free for a block of `rddId`. */
  #evictableFor(rddId: number): number {
    let n = 0;
    for (const b of this.#memory.values()) if (b.rddId !== rddId) n += b.bytes;
    return n;
  }

  /** Evicts other RDDs' blocks, least recently used first, until `bytes` fit (callers checked they can). */
  #evictFor(rddId: number, bytes: number): void {
    if (this.#free() >= bytes) return;
    const victims: string[] = [];
    let freed = this.#free();
    for (const [id, b] of this.#memory) {
      if (freed >= bytes) break;
      if (b.rddId === rddId) continue;
      victims.push(id);
      freed += b.bytes;
    }
    if (freed < bytes) throw new Error(`internal: cannot free ${bytes} bytes of storage memory for RDD ${rddId}`);
    for (const id of victims) this.#evict(id);
  }

  #evict(id: string): void {
    const b = this.#memory.get(id)!;
    this.#memory.delete(id);
    this.#memoryUsed -= b.bytes;
    if (b.level.useDisk && !this.#diskBlocks.has(id)) {
      const bytes = this.#requireDisk(b.level).write(id, b.frames ?? frames(b.batches[Symbol.iterator]()));
      this.#diskBlocks.set(id, { rddId: b.rddId, partition: b.partition, level: b.level });
      this.#onBlockUpdate({ rddId: b.rddId, partition: b.partition, bytes, level: b.level.name });
    } else if (!this.#diskBlocks.has(id)) {
      this.#onBlockUpdate({ rddId: b.rddId, partition: b.partition, bytes: 0, level: StorageLevel.NONE.name });
    }
  }

  #putOnDisk(id: string, rddId: number, partition: number, level: StorageLevel, blockFrames: Iterable<Uint8Array>): Iterable<unknown[]> {
    const disk = this.#requireDisk(level);
    const bytes = disk.write(id, blockFrames);
    this.#diskBlocks.set(id, { rddId, partition, level });
    this.#onBlockUpdate({ rddId, partition, bytes, level: level.name });
    return disk.read(id)!;
  }

  #requireDisk(level: StorageLevel): DiskStore {
    if (this.#disk === undefined) throw new KuberddError('NO_DISK_STORE', `storage level ${level.name} keeps blocks on disk, but this block manager has no disk directory`);
    return this.#disk;
  }
}

/**
 * Pulls batches from `source`, measuring them, until it ends or the measured size no longer
 * `fits`; in that case the unread rest is returned with what was held.
 */
function unroll(source: Iterable<unknown[]>, fits: (bytes: number) => boolean, keepFrames: boolean): Unrolled {
  const it = source[Symbol.iterator]();
  const batches: unknown[][] = [];
  const held: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (let n = it.next(); n.done !== true; n = it.next()) {
      batches.push(n.value);
      if (keepFrames) {
        const f = encodeBatch(n.value);
        held.push(f);
        bytes += f.length;
      } else {
        bytes += measureBatch(n.value);
      }
      if (!fits(bytes)) return { batches, frames: held, bytes, rest: it };
    }
  } catch (error) {
    it.return?.();
    throw error;
  }
  return { batches, frames: held, bytes, rest: undefined };
}

/** Encodes batches into frames as they are pulled. */
function* frames(batches: Iterator<unknown[]>): Generator<Uint8Array> {
  try {
    for (let n = batches.next(); n.done !== true; n = batches.next()) yield encodeBatch(n.value);
  } finally {
    batches.return?.();
  }
}

/** Frames already held, then more; the held array is emptied as it is written so it can be collected. */
function* concatFrames(held: Uint8Array[], more: Iterable<Uint8Array>): Generator<Uint8Array> {
  for (let i = 0; i < held.length; i++) {
    yield held[i]!;
    held[i] = EMPTY;
  }
  held.length = 0;
  yield* more;
}
const EMPTY = new Uint8Array(0);
const EMPTY_ITERATOR: Iterator<unknown[]> = [][Symbol.iterator]();

/**
 * The batches held while measuring, then the rest of the partition streamed from its source:
 * a partition that was not cached is handed on without staying in memory.
 */
function* resume(held: unknown[][], rest: Iterator<unknown[]>): Generator<unknown[]> {
  try {
    for (let i = 0; i < held.length; i++) {
      const b = held[i]!;
      held[i] = [];
      yield b;
    }
    held.length = 0;
    for (let n = rest.next(); n.done !== true; n = rest.next()) yield n.value;
  } finally {
    rest.return?.();
  }
}
