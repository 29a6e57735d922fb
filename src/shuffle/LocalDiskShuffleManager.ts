import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decode, encode } from '../common/codec/codec.js';
import { frameBlock, readFramedBlocks } from '../common/codec/frameBlock.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import { KeyMap } from '../common/keys/KeyMap.js';
import type { Aggregator } from '../engine/Aggregator.js';
import type { TaskMetrics } from '../engine/TaskMetrics.js';
import { FetchFailedError } from './FetchFailedError.js';
import { LocalFileBlockReader } from './LocalFileBlockReader.js';
import type { MapStatus } from './MapStatus.js';
import { mergeSortedRuns } from './mergeSortedRuns.js';
import type { ShuffleBlockReader } from './ShuffleBlockReader.js';
import type { ShuffleHandle } from './ShuffleHandle.js';
import type { ShuffleManager } from './ShuffleManager.js';
import type { ShuffleReader } from './ShuffleReader.js';
import type { ShuffleWriter } from './ShuffleWriter.js';

type Rec = [unknown, unknown];

const BATCH_SIZE = 4096;
// NATS refuses messages over 1 MiB (its default max_payload); leave room for the frame header
// and the fetch protocol's own envelope so one block always fits in one message.
const DEFAULT_MAX_BLOCK_BYTES = 1_000_000;
// Small segments are coalesced before hitting the disk, so many reduce partitions don't cost
// a syscall each.
const WRITE_BUFFER_BYTES = 1 << 20;

export interface LocalDiskShuffleManagerOptions {
  readonly executorId: string;
  /** Directory for this executor's map output files; created on first write. */
  readonly dir: string;
  /** Where reducers get segments from; default reads local files. */
  readonly blockReader?: ShuffleBlockReader;
  /** Upper bound on one block's encoded payload (a single oversized record still gets its own block). */
  readonly maxBlockBytes?: number;
}

/**
 * Shuffle through local disk: each map task writes one data file holding, for every reduce
 * partition in order, that partition's records (key-sorted if the handle has keyOrdering) as
 * framed CBOR blocks. Everything held in memory for now; spilling comes later.
 */
export class LocalDiskShuffleManager implements ShuffleManager {
  readonly executorId: string;
  readonly dir: string;
  private readonly blockReader: ShuffleBlockReader | undefined;
  private readonly maxBlockBytes: number;

  constructor(options: LocalDiskShuffleManagerOptions) {
    this.executorId = options.executorId;
    // Absolute, because the path travels to the driver and back in MapStatus.
    this.dir = resolve(options.dir);
    this.blockReader = options.blockReader;
    this.maxBlockBytes = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
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
    const { partitioner, aggregator, keyOrdering } = handle;
    const buckets =
      aggregator !== undefined && handle.mapSideCombine
        ? bucketCombined(combineValues(records, aggregator), handle)
        : bucketRecords(records, handle);
    if (keyOrdering !== undefined) {
      // Sorted map outputs let reducers merge runs instead of sorting everything.
      const byKey = (a: Rec, b: Rec): number => keyOrdering(a[0], b[0]);
      for (const bucket of buckets) bucket.sort(byKey);
    }

    mkdirSync(this.dir, { recursive: true });
    // Each attempt gets its own name, so a speculative or retried attempt never overwrites a
    // file some reducer may be reading; the rename makes the output appear all at once.
    const dataPath = join(this.dir, `shuffle_${handle.shuffleId}_${mapId}_${attemptId}.data`);
    const tmpPath = `${dataPath}.tmp`;
    const offsets = new Array<number>(partitioner.numPartitions + 1);
    const counts = new Array<number>(partitioner.numPartitions);
    let recordsWritten = 0;
    let fd = openSync(tmpPath, 'w');
    try {
      const out = new BlockFileWriter(fd);
      const encoder = new BlockEncoder(this.maxBlockBytes);
      offsets[0] = 0;
      for (let r = 0; r < buckets.length; r++) {
        const bucket = buckets[r]!;
        encoder.encodeBucket(bucket, out);
        offsets[r + 1] = out.position;
        counts[r] = bucket.length;
        recordsWritten += bucket.length;
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

  private *readPartitions(
    handle: ShuffleHandle,
    start: number,
    end: number,
    statuses: readonly MapStatus[],
    metrics: TaskMetrics,
  ): Generator<Rec[]> {
    const blockReader = this.blockReader ?? new LocalFileBlockReader();
    try {
      const segments = fetchSegments(blockReader, handle.shuffleId, start, end, statuses, metrics);
      const { aggregator, keyOrdering } = handle;
      if (aggregator !== undefined) {
        const combined = aggregateBatches(flatten(segments), aggregator, handle.mapSideCombine);
        if (keyOrdering !== undefined) {
          const all = collectEntries(combined);
          all.sort((a, b) => keyOrdering(a[0], b[0]));
          // A single run: the merge only cuts it into batches.
          yield* mergeSortedRuns([all], keyOrdering, BATCH_SIZE);
        } else {
          yield* entriesInBatches(combined);
        }
      } else if (keyOrdering !== undefined) {
        // Every map output's segment is sorted, so each (map, partition) segment is one run.
        yield* mergeSortedRuns(collectRuns(segments), keyOrdering, BATCH_SIZE);
      } else {
        yield* flatten(segments);
      }
    } finally {
      blockReader.close?.();
    }
  }
}

/** Map-side combine: one KeyMap lookup and at most one user call per record. */
function combineValues(records: Iterable<Rec[]>, agg: Aggregator<unknown, unknown>): KeyMap<unknown, unknown> {
  const map = new KeyMap<unknown, unknown>();
  for (const batch of records) {
    for (let i = 0; i < batch.length; i++) {
      const rec = batch[i]!;
      const key = rec[0];
      const c = map.get(key);
      // `undefined` is a legal combiner, so only then is the extra `has` needed.
      if (c !== undefined || map.has(key)) map.set(key, agg.mergeValue(c, rec[1]));
      else map.set(key, agg.createCombiner(rec[1]));
    }
  }
  return map;
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

function bucketRecords(records: Iterable<Rec[]>, handle: ShuffleHandle): Rec[][] {
  const { partitioner } = handle;
  const buckets = newBuckets(partitioner.numPartitions);
  for (const batch of records) {
    for (let i = 0; i < batch.length; i++) {
      const rec = batch[i]!;
      bucketFor(buckets, partitioner.getPartition(rec[0]), handle).push(rec);
    }
  }
  return buckets;
}

function bucketFor(buckets: Rec[][], r: number, handle: ShuffleHandle): Rec[] {
  const bucket = buckets[r];
  if (bucket === undefined) {
    throw new KuberddError(
      'BAD_PARTITION',
      `The partitioner of shuffle ${handle.shuffleId} returned ${r}, which is not a partition index in [0, ${buckets.length})`,
    );
  }
  return bucket;
}

/** Encodes buckets as framed CBOR blocks, each at most `maxBytes` of payload. */
class BlockEncoder {
  // Encoded bytes per record seen so far, to size the next chunk without trial and error.
  private bytesPerRecord = 0;
  constructor(private readonly maxBytes: number) {}

  encodeBucket(bucket: Rec[], out: BlockFileWriter): void {
    let i = 0;
    while (i < bucket.length) {
      // Aim below the limit so estimation error rarely forces a re-encode.
      let n =
        this.bytesPerRecord === 0 ? 512 : Math.max(1, Math.floor((this.maxBytes * 0.8) / this.bytesPerRecord));
      n = Math.min(n, bucket.length - i);
      for (;;) {
        const chunk = i === 0 && n === bucket.length ? bucket : bucket.slice(i, i + n);
        const payload = encode(chunk);
        this.bytesPerRecord = payload.length / n;
        if (payload.length > this.maxBytes && n > 1) {
          n = Math.max(1, Math.floor((this.maxBytes * 0.8) / this.bytesPerRecord));
          continue;
        }
        out.append(frameBlock(payload));
        i += n;
        break;
      }
    }
  }
}

/** Appends to a file through a small buffer, tracking the file position. */
class BlockFileWriter {
  position = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  constructor(private readonly fd: number) {}

  append(bytes: Uint8Array): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.position += bytes.length;
    if (this.pendingBytes >= WRITE_BUFFER_BYTES) this.flush();
  }

  flush(): void {
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done);
    this.pending = [];
    this.pendingBytes = 0;
  }
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
  try {
    const bytes = blockReader.readSegment(status, reduceId);
    metrics.shuffleBytesRead += bytes.length;
    blocks = readFramedBlocks(bytes, `${status.dataPath} (reduce partition ${reduceId})`);
  } catch (err) {
    throw fail(err);
  }
  for (;;) {
    let batch: unknown;
    try {
      const next = blocks.next();
      if (next.done === true) return;
      batch = decode(next.value);
      if (!Array.isArray(batch)) throw new Error(`a shuffle block decoded to ${typeof batch}, not a record array`);
    } catch (err) {
      throw fail(err);
    }
    metrics.shuffleRecordsRead += batch.length;
    yield batch as Rec[];
  }
}

function* flatten(segments: Iterable<Iterable<Rec[]>>): Generator<Rec[]> {
  for (const seg of segments) yield* seg;
}

function aggregateBatches(
  batches: Iterable<Rec[]>,
  agg: Aggregator<unknown, unknown>,
  mapSideCombined: boolean,
): KeyMap<unknown, unknown> {
  const map = new KeyMap<unknown, unknown>();
  // Two loops rather than a per-record branch on `mapSideCombined`.
  if (mapSideCombined) {
    for (const batch of batches) {
      for (let i = 0; i < batch.length; i++) {
        const rec = batch[i]!;
        const key = rec[0];
        const c = map.get(key);
        if (c !== undefined || map.has(key)) map.set(key, agg.mergeCombiners(c, rec[1]));
        else map.set(key, rec[1]);
      }
    }
  } else {
    for (const batch of batches) {
      for (let i = 0; i < batch.length; i++) {
        const rec = batch[i]!;
        const key = rec[0];
        const c = map.get(key);
        if (c !== undefined || map.has(key)) map.set(key, agg.mergeValue(c, rec[1]));
        else map.set(key, agg.createCombiner(rec[1]));
      }
    }
  }
  return map;
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

function collectRuns(segments: Iterable<Iterable<Rec[]>>): Rec[][] {
  const runs: Rec[][] = [];
  for (const seg of segments) {
    const batches = [...seg];
    runs.push(batches.length === 1 ? batches[0]! : batches.flat());
  }
  return runs;
}
