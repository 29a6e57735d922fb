import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compareKeys } from '../common/keys/compareKeys.js';
import { KeyMap } from '../common/keys/KeyMap.js';
import type { Aggregator } from '../engine/Aggregator.js';
import type { TaskMetrics } from '../engine/TaskMetrics.js';
import { BlockEncoder, BlockFileWriter, readBlockFile } from './blockIO.js';
import { mergeSortedRuns } from './mergeSortedRuns.js';
import { combineSortedStream, mergeSortedStreams } from './mergeSortedStreams.js';
import { estimateCollection, SizeEstimator } from './SizeEstimator.js';
import { sortRecordsByKey } from './sortRecordsByKey.js';
import { StringPairBuffer } from './StringPairBuffer.js';

type Rec = [unknown, unknown];
type Cmp = (a: unknown, b: unknown) => number;
type SegmentMerge = (sources: Iterable<Rec[]>[]) => Iterable<Rec[]>;

/** Writes one segment's blocks to `out` (records as objects go through `encoder`); returns its record count. */
export type SegmentWriter = (out: BlockFileWriter, encoder: BlockEncoder) => number;

/** A segment writer for records as objects. */
export function encodeSegment(batches: Iterable<Rec[]>): SegmentWriter {
  return (out, encoder) => {
    let count = 0;
    for (const batch of batches) {
      encoder.encodeBucket(batch, out);
      count += batch.length;
    }
    return count;
  };
}

/**
 * Runs kept at most per spilling buffer: at this many, they are merged into one first, so a
 * merge never holds more than this many files open (and a block of each in memory).
 */
export const MAX_MERGE_WIDTH = 64;
const BATCH = 4096;

/** A spilled run on disk: `segments` consecutive segments, segment i at bytes [offsets[i], offsets[i+1]). */
export interface SpilledRun {
  readonly path: string;
  readonly offsets: readonly number[];
}

/**
 * The spill files of one task's shuffle write or read. The directory (a fresh `mkdtemp` under
 * `root`, so private to this writer/reader) is only created by the first spill; `cleanup()`
 * removes it with everything in it, and must run in a `finally`.
 */
export class SpillDir {
  #dir: string | undefined;
  #runs = 0;

  constructor(
    private readonly root: string,
    private readonly prefix: string,
    private readonly metrics: TaskMetrics,
    private readonly maxBlockBytes: number,
  ) {}

  /** The directory, if anything was spilled (for tests and diagnostics). */
  get dir(): string | undefined {
    return this.#dir;
  }

  /** Writes one run made of the given segments (each a stream of batches); counts metrics.spillBytes. */
  writeRun(segments: Iterable<Iterable<Rec[]>>): SpilledRun {
    const writers: SegmentWriter[] = [];
    for (const segment of segments) writers.push(encodeSegment(segment));
    return this.writeRunOf(writers);
  }

  /** Writes one run made of the segments the given writers write; counts metrics.spillBytes. */
  writeRunOf(segments: Iterable<SegmentWriter>): SpilledRun {
    if (this.#dir === undefined) {
      mkdirSync(this.root, { recursive: true });
      this.#dir = mkdtempSync(join(this.root, this.prefix));
    }
    const path = join(this.#dir, `run-${this.#runs++}.spill`);
    const offsets = [0];
    const fd = openSync(path, 'w');
    try {
      const out = new BlockFileWriter(fd);
      const encoder = new BlockEncoder(this.maxBlockBytes);
      for (const write of segments) {
        write(out, encoder);
        offsets.push(out.position);
      }
      out.flush();
      this.metrics.spillBytes += out.position;
    } finally {
      closeSync(fd);
    }
    return { path, offsets };
  }

  /** Streams segment `i` of `run`, one block in memory at a time. */
  segment(run: SpilledRun, i: number): Generator<Rec[]> {
    return readBlockFile(run.path, run.offsets[i]!, run.offsets[i + 1]!);
  }

  /**
   * Adds `run` to `runs`; when that makes MAX_MERGE_WIDTH of them (or `width`), merges them all,
   * segment by segment with `merge` (sources in run order), into a single run replacing them.
   */
  addRun(runs: SpilledRun[], run: SpilledRun, merge: SegmentMerge, width = MAX_MERGE_WIDTH): void {
    runs.push(run);
    if (runs.length < width) return;
    const old = runs.splice(0, runs.length);
    const segments = old[0]!.offsets.length - 1;
    const merged = this.writeRun(
      (function* (spill: SpillDir) {
        for (let r = 0; r < segments; r++) yield merge(old.map((o) => spill.segment(o, r)));
      })(this),
    );
    for (const o of old) rmSync(o.path, { force: true });
    runs.push(merged);
  }

  cleanup(): void {
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }
}

function bucketSorted(entries: Iterable<Rec>, n: number, partitionOf: (k: unknown) => number, cmp: Cmp): Rec[][] {
  const buckets: Rec[][] = [];
  for (let r = 0; r < n; r++) buckets.push([]);
  for (const e of entries) buckets[partitionOf(e[0])]!.push(e);
  return buckets.map((b) => sortRecordsByKey(b, cmp));
}

/**
 * Combines records by key into a KeyMap within a memory budget. The map's size is estimated
 * additively: each insert adds the (sampled, see SizeEstimator) encoded size of the record it
 * brings in. That over-counts for combiners that do not grow (sums, counts), so when the
 * estimate passes the budget the map is measured (estimateCollection, 64 sampled entries): only
 * if that says at least 80% of the budget is used is the map spilled; otherwise the estimate is
 * reset to the measurement and inserting goes on. (The 80% keeps the O(map size) measurement
 * from running again until at least a fifth of the budget has come in since.)
 *
 * A spill writes the entries as one sorted run, split into `numSegments` segments by
 * `partitionOf` and sorted within each by `compareKeys` (a total order, 0 exactly for equal
 * keys), and clears the map. The runs are later merged, combining equal keys with mergeCombiners.
 */
export class SpillableCombiner {
  readonly map = new KeyMap<unknown, unknown>();
  readonly runs: SpilledRun[] = [];
  // Estimated encoded size of the map; kept in a local while inserting.
  #bytes = 0;
  readonly #estimator = new SizeEstimator();

  constructor(
    private readonly agg: Aggregator<unknown, unknown>,
    /** Inputs are combiners already (merged with mergeCombiners), not values. */
    private readonly inputsCombined: boolean,
    private readonly budget: number,
    private readonly spill: SpillDir,
    private readonly numSegments: number,
    private readonly partitionOf: (k: unknown) => number,
  ) {}

  insertAll(batches: Iterable<Rec[]>): void {
    const { agg, budget } = this;
    // Locals in the per-record loops: private-field traffic there costs a third of a reduceByKey.
    let bytes = this.#bytes;
    let map = this.map;
    for (const batch of batches) {
      const perRecord = this.#estimator.perRecord(batch);
      if (this.inputsCombined) {
        for (let i = 0; i < batch.length; i++) {
          const rec = batch[i]!;
          const key = rec[0];
          const c = map.get(key);
          // `undefined` is a legal combiner, so only then is the extra `has` needed.
          if (c !== undefined || map.has(key)) map.set(key, agg.mergeCombiners(c, rec[1]));
          else map.set(key, rec[1]);
          bytes += perRecord;
          if (bytes > budget) {
            bytes = this.#check();
            map = this.map;
          }
        }
      } else {
        for (let i = 0; i < batch.length; i++) {
          const rec = batch[i]!;
          const key = rec[0];
          const c = map.get(key);
          if (c !== undefined || map.has(key)) map.set(key, agg.mergeValue(c, rec[1]));
          else map.set(key, agg.createCombiner(rec[1]));
          bytes += perRecord;
          if (bytes > budget) {
            bytes = this.#check();
            map = this.map;
          }
        }
      }
    }
    this.#bytes = bytes;
  }

  /** Measures the map, spills it if it is nearly full, and returns the new size estimate. */
  #check(): number {
    const measured = estimateCollection(this.map.entries(), this.map.size);
    if (measured < 0.8 * this.budget) return measured;
    this.spillMap();
    return 0;
  }

  /** Writes the map's entries as a sorted run and clears it. */
  spillMap(): void {
    if (this.map.size === 0) return;
    const buckets = bucketSorted(this.map.entries(), this.numSegments, this.partitionOf, compareKeys);
    this.map.clear();
    this.spill.addRun(this.runs, this.spill.writeRun(buckets.map((b) => [b])), (sources) => this.#merge(sources, BATCH));
    this.#bytes = 0;
  }

  get spilled(): boolean {
    return this.runs.length > 0;
  }

  /**
   * Segment `r` of everything inserted, after spilling: the runs and what is still in memory,
   * merged in `compareKeys` order with equal keys combined (earlier runs first).
   */
  mergedSegments(batchSize: number): (r: number) => Generator<Rec[]> {
    const memory = bucketSorted(this.map.entries(), this.numSegments, this.partitionOf, compareKeys);
    this.map.clear();
    return (r) => this.#merge([...this.runs.map((run) => this.spill.segment(run, r)), [memory[r]!]], batchSize);
  }

  #merge(sources: Iterable<Rec[]>[], batchSize: number): Generator<Rec[]> {
    return combineSortedStream(
      mergeSortedStreams(sources, compareKeys, batchSize),
      (a, b) => this.agg.mergeCombiners(a, b),
      batchSize,
    );
  }
}

/**
 * Buffers records per segment (reduce partition) within a memory budget (estimated by
 * SizeEstimator); over it, spills them as a run, each segment sorted by `cmp` if given (stable,
 * so equal keys stay in arrival order), and clears the buffers.
 *
 * While every record is a [string, string] pair and the order is compareKeys (or none), the
 * records are held as bytes in a StringPairBuffer instead (measured exactly, sorted and
 * written without objects); the first record it cannot hold moves what it has into the
 * buckets, which take over from there.
 */
export class SpillableBuckets {
  buckets: Rec[][];
  readonly runs: SpilledRun[] = [];
  #bytes = 0;
  readonly #estimator = new SizeEstimator();
  #pairs: StringPairBuffer | undefined;
  /** The string pairs mergedSegments' writers read. */
  #draining: StringPairBuffer | undefined;

  constructor(
    private readonly numSegments: number,
    private readonly partitionOf: (k: unknown) => number,
    private readonly cmp: Cmp | undefined,
    private readonly budget: number,
    private readonly spill: SpillDir,
  ) {
    this.buckets = this.#empty();
    if (cmp === undefined || cmp === compareKeys) this.#pairs = new StringPairBuffer(numSegments, partitionOf, cmp !== undefined, budget);
  }

  #empty(): Rec[][] {
    const b: Rec[][] = [];
    for (let r = 0; r < this.numSegments; r++) b.push([]);
    return b;
  }

  /** Bytes buffered in memory, as counted against the budget. */
  get bufferedBytes(): number {
    return this.#pairs?.bytes ?? this.#bytes;
  }

  /** Whether records are (still) buffered as string pairs. */
  get holdsStringPairs(): boolean {
    return this.#pairs !== undefined;
  }

  insertAll(batches: Iterable<Rec[]>): void {
    const { partitionOf, budget } = this;
    for (const batch of batches) {
      let i = 0;
      while (this.#pairs !== undefined && i < batch.length) {
        const pairs = this.#pairs;
        i = pairs.append(batch, i, budget);
        if (pairs.bytes > budget || (pairs.full && pairs.records > 0)) this.spillBuckets();
        else if (i < batch.length) this.#leavePairs();
      }
      if (i >= batch.length) continue;
      let bytes = this.#bytes;
      let buckets = this.buckets;
      const perRecord = this.#estimator.perRecord(i === 0 ? batch : batch.slice(i));
      for (; i < batch.length; i++) {
        const rec = batch[i]!;
        buckets[partitionOf(rec[0])]!.push(rec);
        bytes += perRecord;
        if (bytes > budget) {
          this.spillBuckets();
          buckets = this.buckets;
          bytes = 0;
        }
      }
      this.#bytes = bytes;
    }
  }

  /** From now on records are buffered as objects; the string pairs held so far become the first ones. */
  #leavePairs(): void {
    const pairs = this.#pairs!;
    this.#pairs = undefined;
    if (pairs.records > 0) {
      this.buckets = pairs.toBuckets();
      this.#bytes = pairs.bytes;
    }
    pairs.release();
  }

  sortBuckets(): void {
    const cmp = this.cmp;
    if (cmp !== undefined) this.buckets = this.buckets.map((b) => sortRecordsByKey(b, cmp));
  }

  spillBuckets(): void {
    let run: SpilledRun;
    const pairs = this.#pairs;
    if (pairs !== undefined) {
      const writers: SegmentWriter[] = [];
      for (let r = 0; r < this.numSegments; r++) writers.push((out, encoder) => pairs.writePartition(r, out, encoder.maxBytes));
      run = this.spill.writeRunOf(writers);
      pairs.clear();
    } else {
      this.sortBuckets();
      run = this.spill.writeRun(this.buckets.map((b) => [b]));
      this.buckets = this.#empty();
    }
    this.spill.addRun(this.runs, run, (sources) => this.#merge(sources, BATCH));
    this.#bytes = 0;
  }

  get spilled(): boolean {
    return this.runs.length > 0;
  }

  /**
   * Segment `r` of everything inserted, as a writer: runs then memory, merged stably by `cmp`
   * or concatenated. Takes the records out of the buffers.
   */
  mergedSegments(batchSize: number): (r: number) => SegmentWriter {
    const pairs = this.#pairs;
    if (pairs !== undefined) {
      this.#pairs = undefined;
      this.#draining = pairs;
      if (this.runs.length === 0) return (r) => (out, encoder) => pairs.writePartition(r, out, encoder.maxBytes);
      return (r) => encodeSegment(this.#merge([...this.runs.map((run) => this.spill.segment(run, r)), pairs.batches(r, batchSize)], batchSize));
    }
    this.sortBuckets();
    const memory = this.buckets;
    this.buckets = this.#empty();
    if (this.runs.length === 0) return (r) => encodeSegment([memory[r]!]);
    return (r) => encodeSegment(this.#merge([...this.runs.map((run) => this.spill.segment(run, r)), [memory[r]!]], batchSize));
  }

  /** Frees the memory of string pairs (for the thread's next buffer); nothing may be read after. */
  release(): void {
    this.#pairs?.release();
    this.#draining?.release();
    this.#pairs = undefined;
    this.#draining = undefined;
  }

  #merge(sources: Iterable<Rec[]>[], batchSize: number): Iterable<Rec[]> {
    return this.cmp === undefined ? concat(sources) : mergeSortedStreams(sources, this.cmp, batchSize);
  }
}

function* concat(sources: readonly Iterable<Rec[]>[]): Generator<Rec[]> {
  for (const s of sources) for (const b of s) if (b.length > 0) yield b;
}

/**
 * Sorts records by `cmp` within a memory budget: sorted runs (added whole, or made by sorting
 * records added unsorted) are kept in memory until their estimated encoded size passes the
 * budget, then merged into one run on disk. The result merges the disk runs and what is in
 * memory. Stable overall: equal keys come out in the order they were added.
 */
export class ExternalSorter {
  #runs: Rec[][] = [];
  #pending: Rec[] = [];
  #bytes = 0;
  #disk: SpilledRun[] = [];
  readonly #estimator = new SizeEstimator();

  constructor(
    private readonly cmp: Cmp,
    private readonly budget: number,
    private readonly spill: SpillDir,
  ) {}

  /** Adds records in no particular order. */
  add(batch: readonly Rec[]): void {
    const perRecord = this.#estimator.perRecord(batch);
    for (let i = 0; i < batch.length; i++) {
      const rec = batch[i]!;
      this.#pending.push(rec);
      this.#bytes += perRecord;
      if (this.#bytes > this.budget) this.#spill();
    }
  }

  /** Adds a run already sorted by `cmp`. */
  addSortedRun(run: Rec[]): void {
    this.#seal();
    this.#runs.push(run);
    this.#bytes += run.length * this.#estimator.perRecord(run);
    if (this.#bytes > this.budget) this.#spill();
  }

  get spilled(): boolean {
    return this.#disk.length > 0;
  }

  #seal(): void {
    if (this.#pending.length === 0) return;
    const cmp = this.cmp;
    this.#runs.push(sortRecordsByKey(this.#pending, cmp));
    this.#pending = [];
  }

  #spill(): void {
    this.#seal();
    const run = this.spill.writeRun([mergeSortedRuns(this.#runs, this.cmp, BATCH)]);
    this.#runs = [];
    this.spill.addRun(this.#disk, run, (sources) => mergeSortedStreams(sources, this.cmp, BATCH));
    this.#bytes = 0;
  }

  sorted(batchSize: number): Generator<Rec[]> {
    this.#seal();
    const memory = mergeSortedRuns(this.#runs, this.cmp, batchSize);
    this.#runs = [];
    if (this.#disk.length === 0) return memory;
    return mergeSortedStreams([...this.#disk.map((run) => this.spill.segment(run, 0)), memory], this.cmp, batchSize);
  }
}
