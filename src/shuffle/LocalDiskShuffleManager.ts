import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readFramedStream } from '../common/codec/frameBlock.js';
import { sortRecordsByKey } from './sortRecordsByKey.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import { KeyMap } from '../common/keys/KeyMap.js';
import type { Aggregator } from '../engine/Aggregator.js';
import type { TaskMetrics } from '../engine/TaskMetrics.js';
import { BlockEncoder, BlockFileWriter } from './blockIO.js';
import { FetchFailedError } from './FetchFailedError.js';
import { LocalFileBlockReader } from './LocalFileBlockReader.js';
import type { MapStatus } from './MapStatus.js';
import { mergeSortedRuns } from './mergeSortedRuns.js';
import { decodeRecordBatches } from './recordBlockCodec.js';
import type { ShuffleBlockReader } from './ShuffleBlockReader.js';
import type { ShuffleHandle } from './ShuffleHandle.js';
import type { ShuffleManager } from './ShuffleManager.js';
import type { ShuffleReader } from './ShuffleReader.js';
import type { ShuffleWriter } from './ShuffleWriter.js';
import { mergeSortedStreams } from './mergeSortedStreams.js';
import { encodeSegment, ExternalSorter, MAX_MERGE_WIDTH, SpillableBuckets, SpillableCombiner, SpillDir, type SegmentWriter } from './spill.js';

type Rec = [unknown, unknown];

const BATCH_SIZE = 4096;
// NATS refuses messages over 1 MiB (its default max_payload); leave room for the frame header
// and the fetch protocol's own envelope so one block always fits in one message.
const DEFAULT_MAX_BLOCK_BYTES = 1_000_000;
/**
 * Default memory budget for one task's shuffle buffers (`kuberdd.shuffle.spillBytes`): 128 MiB of
 * estimated encoded (CBOR) size, so one default input split (64 MiB of text) shuffles without
 * spilling. JS heap objects take several times their encoded size.
 */
export const DEFAULT_SHUFFLE_SPILL_BYTES = 128 * 1024 * 1024;

export interface LocalDiskShuffleManagerOptions {
  readonly executorId: string;
  /** Directory for this executor's map output files; created on first write. */
  readonly dir: string;
  /** Where reducers get segments from; default reads local files. */
  readonly blockReader?: ShuffleBlockReader;
  /** Upper bound on one block's encoded payload (a single oversized record still gets its own block). */
  readonly maxBlockBytes?: number;
  /**
   * Memory budget per shuffle write or read, in bytes of estimated encoded size (see
   * SizeEstimator); beyond it buffers are spilled to disk as sorted runs and merged at the end.
   * Default DEFAULT_SHUFFLE_SPILL_BYTES (128 MiB).
   */
  readonly spillBytes?: number;
  /**
   * Where spill files go: each write or read that spills gets its own fresh subdirectory,
   * removed when it ends (also on failure or when its reader is abandoned). Default `<dir>/spill`.
   */
  readonly spillDir?: string;
}

/**
 * Shuffle through local disk: each map task writes one data file holding, for every reduce
 * partition in order, that partition's records (key-sorted if the handle has keyOrdering) as
 * framed CBOR blocks.
 *
 * Memory: buffers (map-side combined KeyMap or per-partition record buckets; reduce-side
 * aggregation KeyMap or sort buffer) are kept within `spillBytes` of estimated encoded size.
 * Over it, they are written as sorted runs to a private spill directory, (partition,
 * compareKeys)-ordered for aggregations (so equal keys meet and are combined with
 * mergeCombiners during the merge) and keyOrdering-ordered (stably) for sorts; then all runs
 * are k-way merged (at most MAX_MERGE_WIDTH runs at once; more are merged into one first).
 * Results equal the unspilled ones, except that the order of keys within an aggregated partition
 * that has no keyOrdering may differ (it is unspecified anyway). Segments stream in chunks
 * (ShuffleBlockReader), so a reducer holds at most a chunk of each segment it merges. Cogroups and joins combine
 * their inputs through `combine`, within the same budget. Spilled combiners go through the
 * codec, so reduce-side combiners must be encodable, as map-side ones always had to be.
 */
export class LocalDiskShuffleManager implements ShuffleManager {
  readonly executorId: string;
  readonly dir: string;
  private readonly blockReader: ShuffleBlockReader | undefined;
  private readonly maxBlockBytes: number;
  readonly spillBytes: number;
  readonly spillDir: string;

  constructor(options: LocalDiskShuffleManagerOptions) {
    this.executorId = options.executorId;
    // Absolute, because the path travels to the driver and back in MapStatus.
    this.dir = resolve(options.dir);
    this.blockReader = options.blockReader;
    this.maxBlockBytes = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
    const spillBytes = options.spillBytes ?? DEFAULT_SHUFFLE_SPILL_BYTES;
    if (!(spillBytes > 0)) throw new RangeError(`spillBytes must be a positive number of bytes, not ${spillBytes}`);
    this.spillBytes = spillBytes;
    this.spillDir = resolve(options.spillDir ?? join(this.dir, 'spill'));
  }

  getWriter(handle: ShuffleHandle, mapId: number, attemptId: number, metrics: TaskMetrics): ShuffleWriter {
    return { write: (records) => this.writeMapOutput(handle, mapId, attemptId, metrics, records) };
  }

  getReader(
    handle: ShuffleHandle,
    startPartition: number,
    endPartition: number,
    statuses: readonly MapStatus[],
    metrics: TaskMetrics,
  ): ShuffleReader {
    const n = handle.partitioner.numPartitions;
    if (!(Number.isInteger(startPartition) && Number.isInteger(endPartition) && 0 <= startPartition && startPartition <= endPartition && endPartition <= n)) {
      throw new RangeError(`Reduce partitions [${startPartition}, ${endPartition}) are not within [0, ${n})`);
    }
    return { read: () => this.readPartitions(handle, startPartition, endPartition, statuses, metrics) };
  }

  removeShuffle(shuffleId: number): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const prefix = `shuffle_${shuffleId}_`;
    for (const name of names) {
      if (name.startsWith(prefix) && (name.endsWith('.data') || name.endsWith('.data.tmp'))) {
        rmSync(join(this.dir, name), { force: true });
      }
    }
  }

  private writeMapOutput(
    handle: ShuffleHandle,
    mapId: number,
    attemptId: number,
    metrics: TaskMetrics,
    records: Iterable<Rec[]>,
  ): MapStatus {
    const spill = new SpillDir(this.spillDir, `map-${handle.shuffleId}-${mapId}-${attemptId}-`, metrics, this.maxBlockBytes);
    try {
      return this.writeMapOutputSpilling(handle, mapId, attemptId, metrics, records, spill);
    } finally {
      spill.cleanup();
    }
  }

  private writeMapOutputSpilling(
    handle: ShuffleHandle,
    mapId: number,
    attemptId: number,
    metrics: TaskMetrics,
    records: Iterable<Rec[]>,
    spill: SpillDir,
  ): MapStatus {
    const { partitioner, aggregator, keyOrdering } = handle;
    const n = partitioner.numPartitions;
    const partitionOf = (k: unknown): number => checkPartition(partitioner.getPartition(k), n, handle);
    let segment: (r: number) => SegmentWriter;
    let buckets: SpillableBuckets | undefined;
    if (aggregator !== undefined && handle.mapSideCombine) {
      const combiner = new SpillableCombiner(aggregator, false, this.spillBytes, spill, n, partitionOf);
      combiner.insertAll(records);
      if (combiner.spilled) {
        // Runs are in compareKeys order; reducers of an aggregation do not rely on the order.
        const merged = combiner.mergedSegments(BATCH_SIZE);
        segment = (r) => encodeSegment(merged(r));
      } else {
        let buckets = bucketCombined(combiner.map, handle);
        if (keyOrdering !== undefined) buckets = buckets.map((bucket) => sortRecordsByKey(bucket, keyOrdering));
        segment = (r) => encodeSegment([buckets[r]!]);
      }
    } else {
      // Sorted map outputs let reducers merge runs instead of sorting everything.
      buckets = new SpillableBuckets(n, partitionOf, keyOrdering, this.spillBytes, spill);
      try {
        buckets.insertAll(records);
      } catch (err) {
        buckets.release();
        throw err;
      }
      segment = buckets.mergedSegments(BATCH_SIZE);
    }

    mkdirSync(this.dir, { recursive: true });
    // Each attempt gets its own name, so a speculative or retried attempt never overwrites a
    // file some reducer may be reading; the rename makes the output appear all at once.
    const dataPath = join(this.dir, `shuffle_${handle.shuffleId}_${mapId}_${attemptId}.data`);
    const tmpPath = `${dataPath}.tmp`;
    const offsets = new Array<number>(n + 1);
    const counts = new Array<number>(n);
    let recordsWritten = 0;
    let fd = openSync(tmpPath, 'w');
    try {
      const out = new BlockFileWriter(fd);
      const encoder = new BlockEncoder(this.maxBlockBytes);
      offsets[0] = 0;
      for (let r = 0; r < n; r++) {
        const count = segment(r)(out, encoder);
        offsets[r + 1] = out.position;
        counts[r] = count;
        recordsWritten += count;
      }
      out.flush();
      closeSync(fd);
      fd = -1;
      renameSync(tmpPath, dataPath);
      metrics.shuffleRecordsWritten += recordsWritten;
      metrics.shuffleBytesWritten += out.position;
    } catch (err) {
      if (fd >= 0) closeSync(fd);
      rmSync(tmpPath, { force: true });
      throw err;
    } finally {
      buckets?.release();
    }
    return {
      shuffleId: handle.shuffleId,
      mapId,
      executorId: this.executorId,
      dataPath,
      offsets,
      records: counts,
    };
  }

  /**
   * Combines records by key with `aggregator` under the same memory budget as a shuffle read,
   * spilling sorted runs beyond it: for reduce-side grouping that happens after the read
   * (cogroup and the joins, which combine several inputs). Output order is unspecified.
   */
  *combine(records: Iterable<Rec[]>, aggregator: Aggregator<unknown, unknown>, metrics: TaskMetrics): Generator<Rec[]> {
    const spill = new SpillDir(this.spillDir, 'combine-', metrics, this.maxBlockBytes);
    try {
      const combiner = new SpillableCombiner(aggregator, false, this.spillBytes, spill, 1, () => 0);
      combiner.insertAll(records);
      if (!combiner.spilled) {
        yield* entriesInBatches(combiner.map);
      } else {
        combiner.spillMap();
        yield* combiner.mergedSegments(BATCH_SIZE)(0);
      }
    } finally {
      spill.cleanup();
    }
  }

  private *readPartitions(
    handle: ShuffleHandle,
    start: number,
    end: number,
    statuses: readonly MapStatus[],
    metrics: TaskMetrics,
  ): Generator<Rec[]> {
    const blockReader = this.blockReader ?? new LocalFileBlockReader();
    const spill = new SpillDir(this.spillDir, `reduce-${handle.shuffleId}-${start}-${end}-`, metrics, this.maxBlockBytes);
    try {
      const segments = fetchSegments(blockReader, handle.shuffleId, start, end, statuses, metrics);
      const { aggregator, keyOrdering } = handle;
      if (aggregator !== undefined) {
        const combiner = new SpillableCombiner(aggregator, handle.mapSideCombine, this.spillBytes, spill, 1, () => 0);
        combiner.insertAll(flatten(segments));
        if (!combiner.spilled) {
          if (keyOrdering !== undefined) {
            let all = collectEntries(combiner.map);
            combiner.map.clear();
            all = sortRecordsByKey(all, keyOrdering);
            // A single run: the merge only cuts it into batches.
            yield* mergeSortedRuns([all], keyOrdering, BATCH_SIZE);
          } else {
            yield* entriesInBatches(combiner.map);
          }
        } else {
          // Spill what is left too, so the merge below holds no more than a block per run.
          combiner.spillMap();
          const merged = combiner.mergedSegments(BATCH_SIZE)(0);
          if (keyOrdering !== undefined) {
            const sorter = new ExternalSorter(keyOrdering, this.spillBytes, spill);
            for (const batch of merged) sorter.add(batch);
            yield* sorter.sorted(BATCH_SIZE);
          } else {
            yield* merged;
          }
        }
      } else if (keyOrdering !== undefined) {
        // Every map output's segment is sorted: each (map, partition) segment is one run. Up to
        // MAX_MERGE_WIDTH of them are merged as they stream in, holding a chunk of each and
        // decoding everything once; more go through the external sorter's bounded merges.
        const runs = [...segments];
        if (runs.length <= MAX_MERGE_WIDTH) {
          yield* mergeSortedStreams(runs, keyOrdering, BATCH_SIZE);
        } else {
          const sorter = new ExternalSorter(keyOrdering, this.spillBytes, spill);
          for (const seg of runs) sorter.addSortedRun(collectRun(seg));
          yield* sorter.sorted(BATCH_SIZE);
        }
      } else {
        yield* flatten(segments);
      }
    } finally {
      try {
        blockReader.close?.();
      } finally {
        spill.cleanup();
      }
    }
  }
}

function newBuckets(n: number): Rec[][] {
  const buckets: Rec[][] = [];
  for (let r = 0; r < n; r++) buckets.push([]);
  return buckets;
}

function bucketCombined(map: KeyMap<unknown, unknown>, handle: ShuffleHandle): Rec[][] {
  const { partitioner } = handle;
  const buckets = newBuckets(partitioner.numPartitions);
  // Partitioning after combining hashes each distinct key once instead of once per record.
  // KeyMap.entries() yields fresh pairs, so they become the records as they are.
  for (const entry of map.entries()) bucketFor(buckets, partitioner.getPartition(entry[0]), handle).push(entry);
  return buckets;
}

function bucketFor(buckets: Rec[][], r: number, handle: ShuffleHandle): Rec[] {
  return buckets[checkPartition(r, buckets.length, handle)]!;
}

function checkPartition(r: number, n: number, handle: ShuffleHandle): number {
  if (!(Number.isInteger(r) && r >= 0 && r < n)) {
    throw new KuberddError(
      'BAD_PARTITION',
      `The partitioner of shuffle ${handle.shuffleId} returned ${r}, which is not a partition index in [0, ${n})`,
    );
  }
  return r;
}

/**
 * One lazy batch stream per non-empty (map output, reduce partition) segment, in status order.
 * Read and decode failures surface as FetchFailedError naming the segment; errors thrown by the
 * consumer (user functions) pass through untouched.
 */
function* fetchSegments(
  blockReader: ShuffleBlockReader,
  shuffleId: number,
  start: number,
  end: number,
  statuses: readonly MapStatus[],
  metrics: TaskMetrics,
): Generator<Generator<Rec[]>> {
  for (const status of statuses) {
    for (let r = start; r < end; r++) {
      // Empty segments are never fetched (a remote reader would not even ask for them).
      if (status.offsets[r] === status.offsets[r + 1]) continue;
      yield segmentBatches(blockReader, shuffleId, status, r, metrics);
    }
  }
}

function* segmentBatches(
  blockReader: ShuffleBlockReader,
  shuffleId: number,
  status: MapStatus,
  reduceId: number,
  metrics: TaskMetrics,
): Generator<Rec[]> {
  const fail = (cause: unknown): FetchFailedError =>
    cause instanceof FetchFailedError
      ? cause
      : new FetchFailedError({ shuffleId, mapId: status.mapId, reduceId, executorId: status.executorId }, cause);
  let blocks: Iterator<Uint8Array>;
  const length = status.offsets[reduceId + 1]! - status.offsets[reduceId]!;
  try {
    blocks = readFramedStream(blockReader.readSegment(status, reduceId), `${status.dataPath} (reduce partition ${reduceId})`, length);
  } catch (err) {
    throw fail(err);
  }
  metrics.shuffleBytesRead += length;
  let records: Iterator<Rec[]> | undefined;
  for (;;) {
    let batch: Rec[];
    try {
      const next = records?.next();
      if (next === undefined || next.done === true) {
        const block = blocks.next();
        if (block.done === true) return;
        records = decodeRecordBatches(block.value);
        continue;
      }
      batch = next.value;
    } catch (err) {
      throw fail(err);
    }
    metrics.shuffleRecordsRead += batch.length;
    yield batch;
  }
}

function* flatten(segments: Iterable<Iterable<Rec[]>>): Generator<Rec[]> {
  for (const seg of segments) yield* seg;
}

function* entriesInBatches(map: KeyMap<unknown, unknown>): Generator<Rec[]> {
  let batch: Rec[] = [];
  for (const entry of map.entries()) {
    batch.push(entry);
    if (batch.length >= BATCH_SIZE) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function collectEntries(map: KeyMap<unknown, unknown>): Rec[] {
  return [...map.entries()];
}

function collectRun(segment: Iterable<Rec[]>): Rec[] {
  const batches = [...segment];
  return batches.length === 1 ? batches[0]! : batches.flat();
}
