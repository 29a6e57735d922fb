import { captureClosure } from '../common/closure/captureClosure.js';
import type { Closure } from '../common/closure/Closure.js';
import { notShippable, type NotShippable } from '../common/closure/shippable.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import { userCallSite } from '../common/callSite.js';
import { compareKeys } from '../common/keys/compareKeys.js';
import { keyEquals } from '../common/keys/keyEquals.js';
import { KeyMap } from '../common/keys/KeyMap.js';
import { SeededRandom } from '../common/random/SeededRandom.js';
import {
  type Dependency,
  OneToOneDependency,
  RangeDependency,
  ShuffleDependency,
  TableDependency,
  type ShuffleAggregation,
} from './Dependency.js';
import { HashPartitioner } from './HashPartitioner.js';
import './intrinsics.js';
import type { Partition } from './Partition.js';
import type { Partitioner } from './Partitioner.js';
import { PassthroughPartitioner } from './PassthroughPartitioner.js';
import { RangePartitioner, type KeyComparator } from './RangePartitioner.js';
import type { PartitionFunction, RDDContext } from './RDDContext.js';
import type { RDDCheckpointData } from './RDDCheckpointData.js';
import type { RDDNode } from './RDDNode.js';
import { CartesianNode } from './rdd/CartesianNode.js';
import { CoalescedNode } from './rdd/CoalescedNode.js';
import { CoGroupedNode } from './rdd/CoGroupedNode.js';
import { asPair, MapPartitionsNode, type MapOp } from './rdd/MapPartitionsNode.js';
import { PartitionerAwareUnionNode } from './rdd/PartitionerAwareUnionNode.js';
import { PipedNode } from './rdd/PipedNode.js';
import { partitionSeed, SampledNode, type Sampler } from './rdd/SampledNode.js';
import { ShuffledNode } from './rdd/ShuffledNode.js';
import { UnionNode } from './rdd/UnionNode.js';
import { ZippedPartitionsNode } from './rdd/ZippedPartitionsNode.js';
import { ZippedWithIndexNode } from './rdd/ZippedWithIndexNode.js';
import { runOutputJob, type SaveOptions } from './output/runOutputJob.js';
import { StatCounter } from './StatCounter.js';
import { ShippedClosure } from './ShippedClosure.js';
import { StorageLevel } from './StorageLevel.js';
import type { TaskContext } from './TaskContext.js';

/** Captured variables for a user function: `rdd.map(x => x * k, { k })`. */
export type Env = Record<string, unknown>;
type Fn = (...args: never[]) => unknown;
/** Where a shuffle goes: a partition count (hash partitioned) or a partitioner. */
export type PartitionSpec = number | Partitioner;

/**
 * A Resilient Distributed Dataset: an immutable, partitioned collection described by its
 * lineage. Transformations return new RDDs and run nothing; actions run jobs and return
 * Promises.
 *
 * Key equality for pair functions: primitives by value (SameValueZero), arrays and plain
 * objects by structure (see `common/keys`). Maps returned to the driver (`collectAsMap`,
 * `countByValue`, `countByKey`) are `KeyMap`s with that equality.
 */
export class RDD<T> implements NotShippable {
  readonly id: number;
  readonly context: RDDContext;
  #node: RDDNode<T>;
  /** The user's source location that created this RDD (`wordcount.ts:12:7`). */
  readonly creationSite: string;
  /** The transformation that created it (`map`, `reduceByKey`, …). */
  readonly operation: string;
  name: string | undefined;
  #storageLevel: StorageLevel = StorageLevel.NONE;
  #partitions: readonly Partition[] | undefined;
  #checkpointData: RDDCheckpointData | undefined;

  constructor(
    context: RDDContext,
    node: RDDNode<T>,
    options: {
      operation?: string;
      creationSite?: string;
      /** Executors rebuild RDDs with the driver's ids and partitions. */
      id?: number;
      partitions?: readonly Partition[];
      storageLevel?: StorageLevel;
    } = {},
  ) {
    this.context = context;
    this.#node = node;
    this.id = options.id ?? context.newRddId();
    this.operation = options.operation ?? node.displayName;
    this.creationSite = options.creationSite ?? userCallSite();
    this.#partitions = options.partitions;
    if (options.storageLevel !== undefined) this.#storageLevel = options.storageLevel;
  }

  // ---- The five things ------------------------------------------------------------------

  /** How this RDD is computed; once checkpointed, a checkpoint node with no dependencies. */
  get node(): RDDNode<T> {
    return this.#node;
  }

  get partitions(): readonly Partition[] {
    this.#partitions ??= Object.freeze(this.node.getPartitions());
    return this.#partitions;
  }

  get dependencies(): readonly Dependency[] {
    return this.node.dependencies;
  }

  get partitioner(): Partitioner | undefined {
    return this.node.partitioner;
  }

  preferredLocations(split: Partition): readonly string[] {
    return this.node.preferredLocations?.(split) ?? [];
  }

  /** This partition's records: from the block store when persisted, else computed. */
  iterator(split: Partition, ctx: TaskContext): Iterable<T[]> {
    if (this.#storageLevel !== StorageLevel.NONE) return ctx.runtime.getOrCompute(this, split, ctx);
    return this.node.compute(split, ctx);
  }

  getNumPartitions(): number {
    return this.partitions.length;
  }

  // ---- Persistence ------------------------------------------------------------------------

  persist(level: StorageLevel = StorageLevel.MEMORY_ONLY): this {
    if (this.#storageLevel !== StorageLevel.NONE && this.#storageLevel !== level) {
      throw new UserInputError(
        `RDD ${this.id} is already persisted as ${this.#storageLevel.name}; call unpersist() before persisting it as ${level.name}`,
      );
    }
    if (level !== StorageLevel.NONE && this.#storageLevel === StorageLevel.NONE) {
      this.#storageLevel = level;
      this.context.persistRdd(this as RDD<unknown>);
    }
    return this;
  }

  cache(): this {
    return this.persist(StorageLevel.MEMORY_ONLY);
  }

  unpersist(): this {
    if (this.#storageLevel !== StorageLevel.NONE) {
      this.#storageLevel = StorageLevel.NONE;
      this.context.unpersistRdd(this as RDD<unknown>);
    }
    return this;
  }

  getStorageLevel(): StorageLevel {
    return this.#storageLevel;
  }

  // ---- Checkpointing -----------------------------------------------------------------------

  /**
   * Marks this RDD for checkpointing (Spark semantics): after the next job that computes it,
   * its partitions are written under `sc.setCheckpointDir()` and its lineage is replaced by
   * the files. Persist it too, or that write recomputes it. Needs a checkpoint directory.
   */
  checkpoint(): this {
    const dir = this.context.getCheckpointDir?.();
    if (dir === undefined) {
      throw new UserInputError(
        `checkpoint() of RDD ${this.id} needs a checkpoint directory: call sc.setCheckpointDir(dir) first, with a directory every executor can reach`,
        { code: 'CHECKPOINT_DIR_NOT_SET' },
      );
    }
    this.#checkpointData ??= { kind: 'reliable', state: 'marked', file: undefined };
    return this;
  }

  /**
   * Truncates the lineage after the next job that computes this RDD, keeping the partitions
   * only in executors' block storage (persisted as MEMORY_AND_DISK unless already persisted).
   * Faster than checkpoint() but not fault tolerant: a lost block cannot be recomputed.
   */
  localCheckpoint(): this {
    if (this.#checkpointData?.state === 'checkpointed' || this.#checkpointData?.state === 'inProgress') return this;
    if (this.#storageLevel === StorageLevel.NONE) this.persist(StorageLevel.MEMORY_AND_DISK);
    this.#checkpointData = { kind: 'local', state: 'marked', file: undefined };
    return this;
  }

  /** True once the checkpoint (reliable or local) is written and the lineage truncated. */
  isCheckpointed(): boolean {
    return this.#checkpointData?.state === 'checkpointed';
  }

  isLocallyCheckpointed(): boolean {
    return this.#checkpointData?.kind === 'local' && this.#checkpointData.state === 'checkpointed';
  }

  /** The directory of this RDD's checkpoint files (for sc.checkpointFile()), once written. */
  getCheckpointFile(): string | undefined {
    return this.#checkpointData?.state === 'checkpointed' ? this.#checkpointData.file : undefined;
  }

  /** Internal (driver): the checkpoint mark, which the driver advances after jobs. */
  get checkpointData(): RDDCheckpointData | undefined {
    return this.#checkpointData;
  }

  /** Internal (driver): replaces the lineage by `node` (same partition count) once the checkpoint is written. */
  truncateLineage(node: RDDNode<T>, file: string | undefined): void {
    const partitions = node.getPartitions();
    if (partitions.length !== this.partitions.length) {
      throw new Error(`internal: checkpoint of RDD ${this.id} has ${partitions.length} partitions, expected ${this.partitions.length}`);
    }
    this.#node = node;
    this.#partitions = Object.freeze(partitions);
    if (this.#checkpointData !== undefined) {
      this.#checkpointData.state = 'checkpointed';
      this.#checkpointData.file = file;
    }
  }

  setName(name: string): this {
    this.name = name;
    return this;
  }

  // ---- Per element and per partition --------------------------------------------------------

  map<K, V>(f: (x: T) => [K, V], env?: Env): RDD<[K, V]>;
  map<U>(f: (x: T) => U, env?: Env): RDD<U>;
  map<U>(f: (x: T) => U, env?: Env): RDD<U> {
    return this.mapOp<U>('map', 'map', f, env, false);
  }

  filter(f: (x: T) => unknown, env?: Env): RDD<T> {
    return this.mapOp<T>('filter', 'filter', f, env, true);
  }

  flatMap<K, V>(f: (x: T) => Iterable<[K, V]>, env?: Env): RDD<[K, V]>;
  flatMap<U>(f: (x: T) => Iterable<U>, env?: Env): RDD<U>;
  flatMap<U>(f: (x: T) => Iterable<U>, env?: Env): RDD<U> {
    return this.mapOp<U>('flatMap', 'flatMap', f, env, false);
  }

  /** `f` gets the partition's elements as an iterable and returns an iterable (or array). */
  mapPartitions<U>(
    f: (it: Iterable<T>, ctx: TaskContext) => Iterable<U>,
    env?: Env,
    preservesPartitioning = false,
  ): RDD<U> {
    return this.mapOp<U>('mapPartitions', 'mapPartitions', f, env, preservesPartitioning);
  }

  mapPartitionsWithIndex<U>(
    f: (index: number, it: Iterable<T>, ctx: TaskContext) => Iterable<U>,
    env?: Env,
    preservesPartitioning = false,
  ): RDD<U> {
    return this.mapOp<U>('mapPartitionsWithIndex', 'mapPartitionsWithIndex', f, env, preservesPartitioning);
  }

  glom(): RDD<T[]> {
    return this.derive(
      new MapPartitionsNode<T, T[]>([new OneToOneDependency(this as RDD<unknown>)], {
        op: 'glom',
        fn: undefined,
        preservesPartitioning: false,
      }),
      'glom',
    );
  }

  keyBy<K>(f: (x: T) => K, env?: Env): RDD<[K, T]> {
    return this.mapOp<[K, T]>('keyBy', 'keyBy', f, env, false);
  }

  /**
   * Runs `command` once per partition with the elements on stdin, one per line; the output
   * lines become the elements. `command` is an argv array, or a string split on spaces.
   */
  pipe(command: string | readonly string[], env: Record<string, string> = {}): RDD<string> {
    const argv = typeof command === 'string' ? command.split(/\s+/).filter((s) => s.length > 0) : [...command];
    if (argv.length === 0) throw new UserInputError('pipe() needs a command, e.g. .pipe(["grep", "ERROR"])');
    return this.derive(new PipedNode([new OneToOneDependency(this as RDD<unknown>)], argv, env), 'pipe');
  }

  // ---- Set operations ------------------------------------------------------------------------

  distinct(numPartitions?: number): RDD<T> {
    return this.map((x) => [x, null] as [T, null])
      .reduceByKey((a) => a, numPartitions)
      .map((kv) => kv[0])
      .named('distinct');
  }

  union(other: RDD<T>): RDD<T> {
    return unionOf([this, other]);
  }

  intersection(other: RDD<T>, numPartitions?: number): RDD<T> {
    const a = this.map((x) => [x, null] as [T, null]);
    const b = other.map((x) => [x, null] as [T, null]);
    return a
      .cogroup(b, numPartitions)
      .filter((kv) => kv[1][0].length > 0 && kv[1][1].length > 0)
      .map((kv) => kv[0])
      .named('intersection');
  }

  /** Elements of this RDD not in `other` (duplicates in this RDD are kept, as in Spark). */
  subtract(other: RDD<T>, numPartitions?: number): RDD<T> {
    return this.map((x) => [x, null] as [T, null])
      .subtractByKey(other.map((x) => [x, null] as [T, null]), numPartitions)
      .map((kv) => kv[0])
      .named('subtract');
  }

  cartesian<U>(other: RDD<U>): RDD<[T, U]> {
    const nRight = other.partitions.length;
    const nLeft = this.partitions.length;
    const left = Array.from({ length: nLeft * nRight }, (_, i) => [Math.floor(i / nRight)]);
    const right = Array.from({ length: nLeft * nRight }, (_, i) => [i % nRight]);
    return this.derive(
      new CartesianNode<T, U>([
        new TableDependency(this as RDD<unknown>, left),
        new TableDependency(other as RDD<unknown>, right),
      ]),
      'cartesian',
    );
  }

  // ---- Zips ------------------------------------------------------------------------------------

  /** Pairs the i-th elements; both RDDs need the same partition count and the same partition sizes. */
  zip<U>(other: RDD<U>): RDD<[T, U]> {
    this.requireSamePartitionCount(other, 'zip');
    return this.derive(
      new ZippedPartitionsNode<[T, U]>(
        [new OneToOneDependency(this as RDD<unknown>), new OneToOneDependency(other as RDD<unknown>)],
        undefined,
      ),
      'zip',
    );
  }

  zipPartitions<U, V>(other: RDD<U>, f: (a: Iterable<T>, b: Iterable<U>) => Iterable<V>, env?: Env): RDD<V> {
    this.requireSamePartitionCount(other, 'zipPartitions');
    const fn = this.capture(f, env, 'zipPartitions');
    return this.derive(
      new ZippedPartitionsNode<V>(
        [new OneToOneDependency(this as RDD<unknown>), new OneToOneDependency(other as RDD<unknown>)],
        fn as Closure<(...it: Iterable<unknown>[]) => unknown>,
      ),
      'zipPartitions',
    );
  }

  /** Each element with its index in the RDD's order; runs a counting job first (as Spark does). */
  zipWithIndex(): RDD<[T, number]> {
    const count = this.capture(countBatches, undefined, 'zipWithIndex');
    return this.derive(new ZippedWithIndexNode<T>([new OneToOneDependency(this as RDD<unknown>)], count), 'zipWithIndex');
  }

  /** Element j of partition k gets id j*n + k (n = partition count): unique, no job needed. */
  zipWithUniqueId(): RDD<[T, number]> {
    const n = this.partitions.length;
    return this.mapPartitionsWithIndex(
      function* (k: number, it: Iterable<T>): Generator<[T, number]> {
        let j = 0;
        for (const x of it) yield [x, j++ * n + k];
      },
      { n },
    ).named('zipWithUniqueId');
  }

  // ---- Sampling --------------------------------------------------------------------------------

  sample(withReplacement: boolean, fraction: number, seed: number = Date.now()): RDD<T> {
    if (!(fraction >= 0) || (!withReplacement && fraction > 1)) {
      throw new UserInputError(
        `sample() fraction must be ${withReplacement ? '>= 0' : 'between 0 and 1'} ${withReplacement ? '' : 'without replacement '}(got ${fraction})`,
      );
    }
    const sampler: Sampler = withReplacement
      ? { kind: 'poisson', fraction, seed }
      : { kind: 'bernoulli', fraction, seed };
    return this.derive(new SampledNode<T>([new OneToOneDependency(this as RDD<unknown>)], sampler, true), 'sample');
  }

  /** Splits into RDDs whose sizes follow `weights`; every element lands in exactly one split. */
  randomSplit(weights: readonly number[], seed: number = Date.now()): RDD<T>[] {
    if (weights.length === 0 || weights.some((w) => !(w >= 0)) || weights.every((w) => w === 0)) {
      throw new UserInputError(`randomSplit() weights must be non-negative with a positive sum, got [${weights.join(', ')}]`);
    }
    const total = weights.reduce((a, b) => a + b, 0);
    const bounds = [0];
    for (const w of weights) bounds.push(bounds[bounds.length - 1]! + w / total);
    bounds[bounds.length - 1] = 1;
    return weights.map((_, i) =>
      this.derive(
        new SampledNode<T>(
          [new OneToOneDependency(this as RDD<unknown>)],
          { kind: 'cell', lower: bounds[i]!, upper: bounds[i + 1]!, seed },
          true,
        ),
        'randomSplit',
      ),
    );
  }

  // ---- Grouping and layout -----------------------------------------------------------------------

  groupBy<K>(f: (x: T) => K, numPartitions?: PartitionSpec, env?: Env): RDD<[K, T[]]> {
    return this.keyBy(f, env).groupByKey(numPartitions).named('groupBy');
  }

  /**
   * Fewer partitions. Without `shuffle` this merges neighbouring partitions (no shuffle) and
   * can only shrink; with `shuffle` it redistributes evenly and may grow.
   */
  coalesce(numPartitions: number, shuffle = false): RDD<T> {
    requirePositiveInt(numPartitions, 'coalesce');
    if (shuffle) {
      const lib = { SeededRandom };
      return this.mapPartitionsWithIndex(
        function* (index: number, it: Iterable<T>): Generator<[number, T]> {
          // Start each input partition at a different output to spread small partitions evenly.
          let position = new lib.SeededRandom(index).nextInt(numPartitions);
          for (const x of it) yield [position++ % numPartitions, x];
        },
        { numPartitions, lib },
      )
        .partitionBy(new PassthroughPartitioner(numPartitions))
        .map((kv) => kv[1])
        .named('coalesce');
    }
    const groups = CoalescedNode.groups(this.partitions.length, numPartitions);
    return this.derive(new CoalescedNode<T>([new TableDependency(this as RDD<unknown>, groups)]), 'coalesce');
  }

  repartition(numPartitions: number): RDD<T> {
    return this.coalesce(numPartitions, true).named('repartition');
  }

  sortBy<K>(f: (x: T) => K, ascending = true, numPartitions?: number, env?: Env): RDD<T> {
    return this.keyBy(f, env).sortByKey(ascending, numPartitions).map((kv) => kv[1]).named('sortBy');
  }

  // ---- Pair functions: aggregation ---------------------------------------------------------------

  combineByKey<K, V, C>(
    this: RDD<[K, V]>,
    createCombiner: (v: V) => C,
    mergeValue: (c: C, v: V) => C,
    mergeCombiners: (a: C, b: C) => C,
    partitions?: PartitionSpec,
    options: { mapSideCombine?: boolean; env?: Env } = {},
  ): RDD<[K, C]> {
    const aggregation: ShuffleAggregation = {
      createCombiner: this.capture(createCombiner, options.env, 'combineByKey') as ShuffleAggregation['createCombiner'],
      mergeValue: this.capture(mergeValue, options.env, 'combineByKey') as ShuffleAggregation['mergeValue'],
      mergeCombiners: this.capture(mergeCombiners, options.env, 'combineByKey') as ShuffleAggregation['mergeCombiners'],
    };
    return this.combineWith<K, C>(aggregation, this.partitionerFor(partitions), options.mapSideCombine ?? true, 'combineByKey');
  }

  reduceByKey<K, V>(this: RDD<[K, V]>, f: (a: V, b: V) => V, partitions?: PartitionSpec, env?: Env): RDD<[K, V]> {
    const merge = this.capture(f, env, 'reduceByKey');
    const aggregation: ShuffleAggregation = {
      createCombiner: this.capture(identity, undefined, 'reduceByKey') as ShuffleAggregation['createCombiner'],
      mergeValue: merge as ShuffleAggregation['mergeValue'],
      mergeCombiners: merge as ShuffleAggregation['mergeCombiners'],
    };
    return this.combineWith<K, V>(aggregation, this.partitionerFor(partitions), true, 'reduceByKey');
  }

  /** Like reduceByKey, starting each key from a copy of `zero`. */
  foldByKey<K, V>(this: RDD<[K, V]>, zero: V, f: (a: V, b: V) => V, partitions?: PartitionSpec, env?: Env): RDD<[K, V]> {
    const merge = this.capture(f, env, 'foldByKey');
    const aggregation: ShuffleAggregation = {
      createCombiner: this.capture((v: V) => f(structuredClone(zero), v), { f: merge, zero }, 'foldByKey') as ShuffleAggregation['createCombiner'],
      mergeValue: merge as ShuffleAggregation['mergeValue'],
      mergeCombiners: merge as ShuffleAggregation['mergeCombiners'],
    };
    return this.combineWith<K, V>(aggregation, this.partitionerFor(partitions), true, 'foldByKey');
  }

  aggregateByKey<K, V, U>(
    this: RDD<[K, V]>,
    zero: U,
    seqOp: (acc: U, v: V) => U,
    combOp: (a: U, b: U) => U,
    partitions?: PartitionSpec,
    env?: Env,
  ): RDD<[K, U]> {
    const seq = this.capture(seqOp, env, 'aggregateByKey');
    const aggregation: ShuffleAggregation = {
      createCombiner: this.capture((v: V) => seqOp(structuredClone(zero), v), { seqOp: seq, zero }, 'aggregateByKey') as ShuffleAggregation['createCombiner'],
      mergeValue: seq as ShuffleAggregation['mergeValue'],
      mergeCombiners: this.capture(combOp, env, 'aggregateByKey') as ShuffleAggregation['mergeCombiners'],
    };
    return this.combineWith<K, U>(aggregation, this.partitionerFor(partitions), true, 'aggregateByKey');
  }

  /** All values per key. Shuffles every value (no map-side combine), as in Spark. */
  groupByKey<K, V>(this: RDD<[K, V]>, partitions?: PartitionSpec): RDD<[K, V[]]> {
    const aggregation: ShuffleAggregation = {
      createCombiner: this.capture((v: V) => [v], undefined, 'groupByKey') as ShuffleAggregation['createCombiner'],
      mergeValue: this.capture((c: V[], v: V) => (c.push(v), c), undefined, 'groupByKey') as ShuffleAggregation['mergeValue'],
      mergeCombiners: this.capture((a: V[], b: V[]) => (a.push(...b), a), undefined, 'groupByKey') as ShuffleAggregation['mergeCombiners'],
    };
    return this.combineWith<K, V[]>(aggregation, this.partitionerFor(partitions), false, 'groupByKey');
  }

  async countByKey<K, V>(this: RDD<[K, V]>): Promise<KeyMap<K, number>> {
    return this.mapValues(() => 1).reduceByKey((a, b) => a + b).collectAsMap();
  }

  // ---- Pair functions: values and keys -------------------------------------------------------------

  /** Keeps the partitioner. */
  mapValues<K, V, U>(this: RDD<[K, V]>, f: (v: V) => U, env?: Env): RDD<[K, U]> {
    return this.mapOp<[K, U]>('mapValues', 'mapValues', f, env, true);
  }

  flatMapValues<K, V, U>(this: RDD<[K, V]>, f: (v: V) => Iterable<U>, env?: Env): RDD<[K, U]> {
    return this.mapOp<[K, U]>('flatMapValues', 'flatMapValues', f, env, true);
  }

  keys<K, V>(this: RDD<[K, V]>): RDD<K> {
    return this.derive(
      new MapPartitionsNode<[K, V], K>([new OneToOneDependency(this as RDD<unknown>)], { op: 'keys', fn: undefined, preservesPartitioning: false }),
      'keys',
    );
  }

  values<K, V>(this: RDD<[K, V]>): RDD<V> {
    return this.derive(
      new MapPartitionsNode<[K, V], V>([new OneToOneDependency(this as RDD<unknown>)], { op: 'values', fn: undefined, preservesPartitioning: false }),
      'values',
    );
  }

  // ---- Pair functions: joins ---------------------------------------------------------------------------

  cogroup<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, partitions?: PartitionSpec): RDD<[K, [V[], W[]]]>;
  cogroup<K, V, W1, W2>(
    this: RDD<[K, V]>,
    other1: RDD<[K, W1]>,
    other2: RDD<[K, W2]>,
    partitions?: PartitionSpec,
  ): RDD<[K, [V[], W1[], W2[]]]>;
  cogroup<K, V, W1, W2, W3>(
    this: RDD<[K, V]>,
    other1: RDD<[K, W1]>,
    other2: RDD<[K, W2]>,
    other3: RDD<[K, W3]>,
    partitions?: PartitionSpec,
  ): RDD<[K, [V[], W1[], W2[], W3[]]]>;
  cogroup(this: RDD<[unknown, unknown]>, ...args: (RDD<[unknown, unknown]> | PartitionSpec | undefined)[]): RDD<[unknown, unknown[][]]> {
    const others = args.filter((a): a is RDD<[unknown, unknown]> => a instanceof RDD);
    const spec = args.find((a): a is PartitionSpec => typeof a === 'number' || (a !== undefined && !(a instanceof RDD)));
    if (others.length === 0 || others.length > 3) {
      throw new UserInputError(`cogroup() takes 1 to 3 other RDDs, got ${others.length}`);
    }
    const rdds = [this, ...others];
    const partitioner = spec !== undefined ? this.partitionerFor(spec) : defaultPartitioner(rdds);
    const deps: Dependency[] = rdds.map((rdd) =>
      rdd.partitioner !== undefined && rdd.partitioner.equals(partitioner)
        ? new OneToOneDependency(rdd as RDD<unknown>)
        : new ShuffleDependency(rdd as RDD<readonly [unknown, unknown]>, this.context.newShuffleId(), partitioner, {
            mapSideCombine: false,
          }),
    );
    return this.derive(new CoGroupedNode<unknown>(deps, partitioner), 'cogroup');
  }

  join<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, partitions?: PartitionSpec): RDD<[K, [V, W]]> {
    return this.cogroup(other, partitions)
      .flatMapValues((groups) => {
        const out: [V, W][] = [];
        for (const v of groups[0]) for (const w of groups[1]) out.push([v, w]);
        return out;
      })
      .named('join');
  }

  /** Missing right values are `null`. */
  leftOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, partitions?: PartitionSpec): RDD<[K, [V, W | null]]> {
    return this.cogroup(other, partitions)
      .flatMapValues((groups) => {
        const out: [V, W | null][] = [];
        for (const v of groups[0]) {
          if (groups[1].length === 0) out.push([v, null]);
          else for (const w of groups[1]) out.push([v, w]);
        }
        return out;
      })
      .named('leftOuterJoin');
  }

  /** Missing left values are `null`. */
  rightOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, partitions?: PartitionSpec): RDD<[K, [V | null, W]]> {
    return this.cogroup(other, partitions)
      .flatMapValues((groups) => {
        const out: [V | null, W][] = [];
        for (const w of groups[1]) {
          if (groups[0].length === 0) out.push([null, w]);
          else for (const v of groups[0]) out.push([v, w]);
        }
        return out;
      })
      .named('rightOuterJoin');
  }

  fullOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, partitions?: PartitionSpec): RDD<[K, [V | null, W | null]]> {
    return this.cogroup(other, partitions)
      .flatMapValues((groups) => {
        const out: [V | null, W | null][] = [];
        if (groups[0].length === 0) for (const w of groups[1]) out.push([null, w]);
        else if (groups[1].length === 0) for (const v of groups[0]) out.push([v, null]);
        else for (const v of groups[0]) for (const w of groups[1]) out.push([v, w]);
        return out;
      })
      .named('fullOuterJoin');
  }

  /** Pairs whose key does not appear in `other`. */
  subtractByKey<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, partitions?: PartitionSpec): RDD<[K, V]> {
    return this.cogroup(other, partitions)
      .flatMap((kv) => {
        const out: [K, V][] = [];
        if (kv[1][1].length === 0) for (const v of kv[1][0]) out.push([kv[0], v]);
        return out;
      })
      .named('subtractByKey');
  }

  // ---- Pair functions: other -----------------------------------------------------------------------------

  /** Repartitions by key; a no-op when already partitioned by an equal partitioner. */
  partitionBy<K, V>(this: RDD<[K, V]>, partitions: PartitionSpec): RDD<[K, V]> {
    const partitioner = this.partitionerFor(partitions);
    if (this.partitioner?.equals(partitioner)) return this;
    const dep = new ShuffleDependency(this as RDD<readonly [unknown, unknown]>, this.context.newShuffleId(), partitioner, {
      mapSideCombine: false,
    });
    return this.derive(new ShuffledNode<K, V>([dep]), 'partitionBy');
  }

  /** All values for `key`; only one partition is scanned when the partitioner is known. */
  async lookup<K, V>(this: RDD<[K, V]>, key: K): Promise<V[]> {
    const lib = { keyEquals, asPair };
    const matches = this.capture(
      (batches: Iterable<[K, V][]>) => {
        const out: V[] = [];
        for (const batch of batches) {
          for (const kv of batch) {
            const pair = lib.asPair(kv, 'lookup');
            if (lib.keyEquals(pair[0], key)) out.push(pair[1] as V);
          }
        }
        return out;
      },
      { key, lib },
      'lookup',
    );
    const partitioner = this.partitioner;
    // A range partitioner may not have sampled its bounds yet.
    await partitioner?.prepare?.();
    const partitions = partitioner !== undefined ? [partitioner.getPartition(key)] : undefined;
    const results = await this.context.runJob(this, matches, { ...(partitions ? { partitions } : {}), description: 'lookup' });
    return results.flat();
  }

  async collectAsMap<K, V>(this: RDD<[K, V]>): Promise<KeyMap<K, V>> {
    const map = new KeyMap<K, V>();
    for (const kv of await this.collect()) {
      const [k, v] = asPair(kv, 'collectAsMap');
      map.set(k as K, v as V);
    }
    return map;
  }

  /**
   * A sample per key with the key's own fraction (`fractions` must name every key): a Map or
   * KeyMap (any key), or a plain object for string keys.
   */
  sampleByKey<K, V>(
    this: RDD<[K, V]>,
    withReplacement: boolean,
    fractions: ReadonlyMap<K, number> | KeyMap<K, number> | Readonly<Record<string, number>>,
    seed: number = Date.now(),
  ): RDD<[K, V]> {
    // Maps and KeyMaps iterate as [key, fraction] entries; a plain object names string keys.
    const entries: [unknown, number][] =
      fractions instanceof Map || fractions instanceof KeyMap
        ? [...(fractions as Iterable<[K, number]>)]
        : Object.entries(fractions as Record<string, number>);
    for (const [k, f] of entries) {
      if (!(f >= 0) || (!withReplacement && f > 1)) {
        throw new UserInputError(`sampleByKey() fraction for key ${String(k)} must be in [0, ${withReplacement ? '∞' : '1'}], got ${f}`);
      }
    }
    const lib = { KeyMap, SeededRandom, partitionSeed };
    return this.mapPartitionsWithIndex(
      function* (index: number, it: Iterable<[K, V]>): Generator<[K, V]> {
        const byKey = new lib.KeyMap(entries);
        const rng = new lib.SeededRandom(lib.partitionSeed(seed, index));
        for (const kv of it) {
          const fraction = byKey.get(kv[0]);
          if (fraction === undefined) throw new Error(`sampleByKey(): no fraction given for key ${JSON.stringify(kv[0])}`);
          if (withReplacement) for (let n = rng.nextPoisson(fraction); n > 0; n--) yield kv;
          else if (rng.next() < fraction) yield kv;
        }
      },
      { entries, seed, withReplacement, lib },
      true,
    ).named('sampleByKey');
  }

  // ---- Ordered -------------------------------------------------------------------------------------------

  /**
   * Sorts by key with a range partitioner whose bounds come from a sampling job (run before
   * the first job that needs them). `compare` defaults to the documented key order.
   */
  sortByKey<K, V>(
    this: RDD<[K, V]>,
    ascending = true,
    numPartitions: number = Math.max(1, this.partitions.length),
    compare?: (a: K, b: K) => number,
    env?: Env,
  ): RDD<[K, V]> {
    requirePositiveInt(numPartitions, 'sortByKey');
    const comparator = compare === undefined ? undefined : this.capture(compare, env, 'sortByKey');
    const partitioner = new RangePartitioner(numPartitions, ascending, comparator as Closure<KeyComparator> | undefined);
    const ordering = comparator ?? true;
    const dep = new ShuffleDependency(this as RDD<readonly [unknown, unknown]>, this.context.newShuffleId(), partitioner, {
      mapSideCombine: false,
      keyOrdering: ascending ? (ordering as true | Closure<KeyComparator>) : this.reversed(comparator),
    });
    // The range bounds need a sampling job; it runs when a job (or lookup) first needs the partitioner.
    partitioner.computeBoundsWith(() => this.rangeBounds(numPartitions, comparator));
    return this.derive(new ShuffledNode<K, V>([dep]), 'sortByKey');
  }

  repartitionAndSortWithinPartitions<K, V>(
    this: RDD<[K, V]>,
    partitions: PartitionSpec,
    compare?: (a: K, b: K) => number,
    env?: Env,
  ): RDD<[K, V]> {
    const comparator = compare === undefined ? undefined : this.capture(compare, env, 'repartitionAndSortWithinPartitions');
    const dep = new ShuffleDependency(
      this as RDD<readonly [unknown, unknown]>,
      this.context.newShuffleId(),
      this.partitionerFor(partitions),
      { mapSideCombine: false, keyOrdering: (comparator as Closure<KeyComparator> | undefined) ?? true },
    );
    return this.derive(new ShuffledNode<K, V>([dep]), 'repartitionAndSortWithinPartitions');
  }

  // ---- Actions: retrieval -----------------------------------------------------------------------------------

  async collect(): Promise<T[]> {
    const parts = await this.context.runJob(this, this.capture(collectBatches<T>, undefined, 'collect'), {
      description: 'collect',
    });
    return parts.flat() as T[];
  }

  async count(): Promise<number> {
    const counts = await this.context.runJob(this, this.capture(countBatches, undefined, 'count'), { description: 'count' });
    return counts.reduce((a, b) => a + b, 0);
  }

  /** The first `n` elements, scanning as few partitions as possible (more each round, as Spark does). */
  async take(n: number): Promise<T[]> {
    if (!(n >= 0)) throw new UserInputError(`take() needs a count >= 0, got ${n}`);
    const out: T[] = [];
    const total = this.partitions.length;
    let scanned = 0;
    let toTry = 1;
    while (out.length < n && scanned < total) {
      const left = n - out.length;
      const upTo = Math.min(total, scanned + toTry);
      const partitions = Array.from({ length: upTo - scanned }, (_, i) => scanned + i);
      const takeLeft = this.capture(
        (batches: Iterable<T[]>) => {
          const got: T[] = [];
          for (const batch of batches) {
            for (const x of batch) {
              if (got.length >= left) return got;
              got.push(x);
            }
          }
          return got;
        },
        { left },
        'take',
      );
      const results = await this.context.runJob(this, takeLeft, { partitions, description: `take(${n})` });
      for (const r of results) for (const x of r) if (out.length < n) out.push(x);
      scanned = upTo;
      // Grow 4x per round, or estimate from what the scanned partitions yielded.
      toTry = out.length === 0 ? toTry * 4 : Math.max(1, Math.ceil((1.5 * n * scanned) / out.length) - scanned);
    }
    return out;
  }

  async first(): Promise<T> {
    const taken = await this.take(1);
    if (taken.length === 0) throw emptyCollection('first');
    return taken[0] as T;
  }

  async isEmpty(): Promise<boolean> {
    return this.partitions.length === 0 || (await this.take(1)).length === 0;
  }

  /** The `n` largest elements, largest first. */
  async top(n: number, compare?: (a: T, b: T) => number, env?: Env): Promise<T[]> {
    const cmp = compare ?? compareKeys;
    const cmpRef = compare ? this.capture(compare, env, 'top') : compareKeys;
    return this.takeOrdered(n, (a: T, b: T) => cmp(b, a), { cmp: cmpRef });
  }

  /** The `n` smallest elements, smallest first. */
  async takeOrdered(n: number, compare?: (a: T, b: T) => number, env?: Env): Promise<T[]> {
    if (!(n >= 0)) throw new UserInputError(`takeOrdered() needs a count >= 0, got ${n}`);
    if (n === 0) return [];
    const cmp = compare ?? compareKeys;
    const cmpRef = compare ? this.capture(compare, env, 'takeOrdered') : compareKeys;
    const smallest = this.capture(
      (batches: Iterable<T[]>) => {
        // Keep a sorted buffer of at most 2n and trim it; O(m log n) overall.
        let kept: T[] = [];
        for (const batch of batches) {
          for (const x of batch) kept.push(x);
          if (kept.length > 2 * n) kept = kept.sort(cmp).slice(0, n);
        }
        return kept.sort(cmp).slice(0, n);
      },
      { n, cmp: cmpRef },
      'takeOrdered',
    );
    const parts = await this.context.runJob(this, smallest, { description: `takeOrdered(${n})` });
    return parts.flat().sort(cmp as (a: T, b: T) => number).slice(0, n);
  }

  async takeSample(withReplacement: boolean, num: number, seed: number = Date.now()): Promise<T[]> {
    if (!(num >= 0) || !Number.isInteger(num)) throw new UserInputError(`takeSample() needs a whole number >= 0, got ${num}`);
    if (num === 0) return [];
    const count = await this.count();
    if (count === 0) return [];
    const rng = new SeededRandom(seed);
    const shuffle = (xs: T[]): T[] => {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        [xs[i], xs[j]] = [xs[j]!, xs[i]!];
      }
      return xs;
    };
    if (!withReplacement && num >= count) return shuffle(await this.collect());
    const fraction = sampleFraction(num, count, withReplacement);
    let sampled = await this.sample(withReplacement, fraction, rng.nextUint32()).collect();
    for (let tries = 0; sampled.length < num && tries < 100; tries++) {
      sampled = await this.sample(withReplacement, fraction, rng.nextUint32()).collect();
    }
    return shuffle(sampled).slice(0, num);
  }

  async max(compare?: (a: T, b: T) => number, env?: Env): Promise<T> {
    const cmp = compare ?? compareKeys;
    return namedEmpty('max', this.reduce((a: T, b: T) => (cmp(a, b) >= 0 ? a : b), { cmp: compare ? this.capture(compare, env, 'max') : compareKeys }));
  }

  async min(compare?: (a: T, b: T) => number, env?: Env): Promise<T> {
    const cmp = compare ?? compareKeys;
    return namedEmpty('min', this.reduce((a: T, b: T) => (cmp(a, b) <= 0 ? a : b), { cmp: compare ? this.capture(compare, env, 'min') : compareKeys }));
  }

  /** One job per partition, pulled as the caller iterates (bounded driver memory). */
  async *toLocalIterator(): AsyncGenerator<T> {
    const collect = this.capture(collectBatches<T>, undefined, 'toLocalIterator');
    for (let p = 0; p < this.partitions.length; p++) {
      const [part] = await this.context.runJob(this, collect, { partitions: [p], description: 'toLocalIterator' });
      yield* part ?? [];
    }
  }

  // ---- Actions: reductions ---------------------------------------------------------------------------------------

  /** Throws on an empty RDD, as Spark does. */
  async reduce(f: (a: T, b: T) => T, env?: Env): Promise<T> {
    const fc = this.capture(f, env, 'reduce');
    const partial = this.capture(
      (batches: Iterable<T[]>) => {
        let has = false;
        let acc: T | undefined;
        for (const batch of batches) {
          for (const x of batch) {
            acc = has ? f(acc as T, x) : x;
            has = true;
          }
        }
        return has ? [acc] : [];
      },
      { f: fc },
      'reduce',
    );
    const parts = (await this.context.runJob(this, partial, { description: 'reduce' })).flat() as T[];
    if (parts.length === 0) throw emptyCollection('reduce');
    return parts.reduce((a, b) => f(a, b));
  }

  /** Each partition folds from a copy of `zero`, then the driver folds the results from `zero`. */
  async fold(zero: T, f: (a: T, b: T) => T, env?: Env): Promise<T> {
    const fc = this.capture(f, env, 'fold');
    const partial = this.capture(
      (batches: Iterable<T[]>) => {
        let acc = structuredClone(zero);
        for (const batch of batches) for (const x of batch) acc = f(acc, x);
        return acc;
      },
      { f: fc, zero },
      'fold',
    );
    const parts = await this.context.runJob(this, partial, { description: 'fold' });
    return parts.reduce((a, b) => f(a, b), structuredClone(zero));
  }

  async aggregate<U>(zero: U, seqOp: (acc: U, x: T) => U, combOp: (a: U, b: U) => U, env?: Env): Promise<U> {
    const seq = this.capture(seqOp, env, 'aggregate');
    // combOp runs on the driver only, but is checked like any shipped function for consistency.
    this.capture(combOp, env, 'aggregate');
    const partial = this.capture(
      (batches: Iterable<T[]>) => {
        let acc = structuredClone(zero);
        for (const batch of batches) for (const x of batch) acc = seqOp(acc, x);
        return acc;
      },
      { seqOp: seq, zero },
      'aggregate',
    );
    const parts = await this.context.runJob(this, partial, { description: 'aggregate' });
    return parts.reduce((a, b) => combOp(a, b), structuredClone(zero));
  }

  async treeReduce(f: (a: T, b: T) => T, depth = 2, env?: Env): Promise<T> {
    const fc = this.capture(f, env, 'treeReduce');
    const wrapped = await this.treeAggregate<[boolean, T | undefined]>(
      [false, undefined],
      (acc, x) => (acc[0] ? [true, f(acc[1] as T, x)] : [true, x]),
      (a, b) => (!a[0] ? b : !b[0] ? a : [true, f(a[1] as T, b[1] as T)]),
      depth,
      { f: fc },
    );
    if (!wrapped[0]) throw emptyCollection('treeReduce');
    return wrapped[1] as T;
  }

  /**
   * aggregate() in a tree: partition results are combined in rounds of shuffles, so the
   * driver receives only a few partial results (Spark's treeAggregate).
   */
  async treeAggregate<U>(
    zero: U,
    seqOp: (acc: U, x: T) => U,
    combOp: (a: U, b: U) => U,
    depth = 2,
    env?: Env,
  ): Promise<U> {
    if (!(depth >= 1)) throw new UserInputError(`treeAggregate() depth must be >= 1, got ${depth}`);
    if (this.partitions.length === 0) return structuredClone(zero);
    const seq = this.capture(seqOp, env, 'treeAggregate');
    this.capture(combOp, env, 'treeAggregate'); // fail fast at the call site
    let partial: RDD<U> = this.mapPartitions(
      (it: Iterable<T>) => {
        let acc = structuredClone(zero);
        for (const x of it) acc = seqOp(acc, x);
        return [acc];
      },
      { seqOp: seq, zero },
    );
    let numPartitions = partial.partitions.length;
    const scale = Math.max(Math.ceil(Math.pow(numPartitions, 1 / depth)), 2);
    while (numPartitions > scale + Math.ceil(numPartitions / scale)) {
      numPartitions = Math.ceil(numPartitions / scale);
      const target = numPartitions;
      partial = partial
        .mapPartitionsWithIndex((i: number, it: Iterable<U>) => Array.from(it, (u) => [i % target, u] as [number, U]), { target })
        .foldByKey(structuredClone(zero), combOp, new PassthroughPartitioner(target), env)
        .values();
    }
    return partial.fold(structuredClone(zero), combOp, env);
  }

  async countByValue(): Promise<KeyMap<T, number>> {
    return this.map((x) => [x, 1] as [T, number]).reduceByKey((a, b) => a + b).collectAsMap();
  }

  // ---- Actions: side effects -------------------------------------------------------------------------------------

  async foreach(f: (x: T) => void, env?: Env): Promise<void> {
    const fc = this.capture(f, env, 'foreach');
    const each = this.capture(
      (batches: Iterable<T[]>) => {
        for (const batch of batches) for (const x of batch) f(x);
        return null;
      },
      { f: fc },
      'foreach',
    );
    await this.context.runJob(this, each, { description: 'foreach' });
  }

  async foreachPartition(f: (it: Iterable<T>) => void, env?: Env): Promise<void> {
    const fc = this.capture(f, env, 'foreachPartition');
    const each = this.capture(
      (batches: Iterable<T[]>) => {
        f(
          (function* () {
            for (const batch of batches) yield* batch;
          })(),
        );
        return null;
      },
      { f: fc },
      'foreachPartition',
    );
    await this.context.runJob(this, each, { description: 'foreachPartition' });
  }

  // ---- Output ----------------------------------------------------------------------------------------------------

  /**
   * Writes one `part-NNNNN` file per partition into the directory `path`, one line per element
   * (`String(x)`), then `_SUCCESS`. Each partition is committed exactly once, even when task
   * attempts are retried. An existing `path` is an error unless `{ overwrite: true }` (which
   * removes it before the job runs). A failed job leaves no output directory.
   */
  async saveAsTextFile(path: string, options: SaveOptions = {}): Promise<void> {
    await runOutputJob(this as RDD<unknown>, path, 'text', options, 'saveAsTextFile');
  }

  /**
   * Like saveAsTextFile, but keeps the elements' structure: each part file holds CBOR-encoded
   * record batches in checksummed frames. Read it back with `sc.objectFile(path)`.
   */
  async saveAsObjectFile(path: string, options: SaveOptions = {}): Promise<void> {
    await runOutputJob(this as RDD<unknown>, path, 'object', options, 'saveAsObjectFile');
  }

  // ---- Numeric ---------------------------------------------------------------------------------------------------

  /** count, mean, variance, min and max in one pass. */
  async stats(this: RDD<number>): Promise<StatCounter> {
    const lib = { StatCounter };
    const partial = this.capture(
      (batches: Iterable<number[]>) => {
        const s = new lib.StatCounter();
        for (const batch of batches) {
          for (const x of batch) {
            if (typeof x !== 'number') throw new TypeError(`stats() needs an RDD of numbers, found ${typeof x} ${JSON.stringify(x)}`);
            s.merge(x);
          }
        }
        return s.toJSON();
      },
      { lib },
      'stats',
    );
    const parts = await this.context.runJob(this, partial, { description: 'stats' });
    const total = new StatCounter();
    for (const p of parts) total.mergeStats(StatCounter.fromJSON(p));
    return total;
  }

  async sum(this: RDD<number>): Promise<number> {
    const partial = this.capture(
      (batches: Iterable<number[]>) => {
        let s = 0;
        for (const batch of batches) {
          for (const x of batch) {
            if (typeof x !== 'number') throw new TypeError(`sum() needs an RDD of numbers, found ${typeof x} ${JSON.stringify(x)}`);
            s += x;
          }
        }
        return s;
      },
      undefined,
      'sum',
    );
    return (await this.context.runJob(this, partial, { description: 'sum' })).reduce((a, b) => a + b, 0);
  }

  async mean(this: RDD<number>): Promise<number> {
    return (await this.stats()).mean;
  }

  /** Population variance. */
  async variance(this: RDD<number>): Promise<number> {
    return (await this.stats()).variance;
  }

  async stdev(this: RDD<number>): Promise<number> {
    return (await this.stats()).stdev;
  }

  async sampleVariance(this: RDD<number>): Promise<number> {
    return (await this.stats()).sampleVariance;
  }

  async sampleStdev(this: RDD<number>): Promise<number> {
    return (await this.stats()).sampleStdev;
  }

  /**
   * With a bucket count: evenly spaced buckets between min and max, returned as
   * `[boundaries, counts]`. With boundaries: counts per [b_i, b_i+1), the last bucket closed.
   */
  async histogram(this: RDD<number>, buckets: number | readonly number[]): Promise<[number[], number[]]> {
    let bounds: number[];
    if (typeof buckets === 'number') {
      requirePositiveInt(buckets, 'histogram');
      const s = await this.stats();
      if (s.count === 0) throw emptyCollection('histogram');
      if (!Number.isFinite(s.min) || !Number.isFinite(s.max)) {
        throw new UserInputError('histogram() cannot make even buckets over infinite or NaN values; pass bucket boundaries');
      }
      bounds =
        s.min === s.max
          ? [s.min, s.max]
          : Array.from({ length: buckets + 1 }, (_, i) => (i === buckets ? s.max : s.min + ((s.max - s.min) * i) / buckets));
    } else {
      bounds = [...buckets];
      if (bounds.length < 2 || bounds.some((b, i) => i > 0 && !(b > bounds[i - 1]!))) {
        throw new UserInputError('histogram() boundaries must be at least two increasing numbers');
      }
    }
    const counting = this.capture(
      (batches: Iterable<number[]>) => {
        const counts = new Array<number>(bounds.length - 1).fill(0);
        const last = bounds.length - 1;
        for (const batch of batches) {
          for (const x of batch) {
            if (!(x >= bounds[0]!) || !(x <= bounds[last]!)) continue;
            // Binary search for the bucket; the top boundary belongs to the last bucket.
            let lo = 0;
            let hi = last;
            while (hi - lo > 1) {
              const mid = (lo + hi) >>> 1;
              if (x >= bounds[mid]!) lo = mid;
              else hi = mid;
            }
            counts[lo]!++;
          }
        }
        return counts;
      },
      { bounds },
      'histogram',
    );
    const parts = await this.context.runJob(this, counting, { description: 'histogram' });
    const counts = new Array<number>(bounds.length - 1).fill(0);
    for (const p of parts) p.forEach((c, i) => (counts[i]! += c));
    return [bounds, counts];
  }

  // ---- Lineage ----------------------------------------------------------------------------------------------------

  /** The lineage, one line per RDD, indented at each shuffle boundary (Spark's format). */
  toDebugString(): string {
    const lines: string[] = [];
    const describe = (rdd: RDD<unknown>): string => {
      const level = rdd.getStorageLevel();
      const persisted = level === StorageLevel.NONE ? '' : ` [${level.name}]`;
      const name = rdd.name ? ` "${rdd.name}"` : '';
      return `${rdd.node.displayName}[${rdd.id}]${name} at ${rdd.operation} at ${rdd.creationSite}${persisted}`;
    };
    const visit = (rdd: RDD<unknown>, indent: string, head: string): void => {
      lines.push(head + describe(rdd));
      for (const dep of rdd.dependencies) {
        if (dep.type === 'shuffle') visit(dep.rdd as RDD<unknown>, `${indent}   `, `${indent} +-(${dep.rdd.partitions.length}) `);
        else visit(dep.rdd, indent, `${indent} |  `);
      }
    };
    visit(this as RDD<unknown>, '', `(${this.partitions.length}) `);
    return lines.join('\n');
  }

  toString(): string {
    return `${this.node.displayName}[${this.id}] at ${this.operation} at ${this.creationSite}`;
  }

  [notShippable](): string {
    return 'an RDD cannot be used inside a transformation or action function (nested RDD operations are not supported, as in Spark); collect() or broadcast what the function needs instead';
  }

  // ---- Internals -----------------------------------------------------------------------------------------------------

  /**
   * Wraps a user function for shipping; throws ClosureError at the call site.
   *
   * The engine's own shipped functions never name a module import directly: transpilers
   * rewrite references to imports (vitest's SSR transform turns `KeyMap` into
   * `__vite_ssr_import_3__.KeyMap`), which the executor cannot resolve. They reach library
   * values through a local object instead (`const lib = { KeyMap }`, env `{ lib }`).
   */
  capture<F extends Fn>(fn: F, env: Env | undefined, transformation: string): Closure<F> {
    return captureClosure(fn, env === undefined ? undefined : ShippedClosure.wrapEnv(env), {
      transformation,
      autoBroadcast: (value) => this.context.autoBroadcast(value),
    });
  }

  /** A new RDD in this context, created by `operation`. */
  derive<U>(node: RDDNode<U>, operation: string): RDD<U> {
    return new RDD<U>(this.context, node, { operation });
  }

  /** Renames the operation shown in lineage for composite transformations. */
  private named(operation: string): this {
    (this as { operation: string }).operation = operation;
    return this;
  }

  private mapOp<U>(op: MapOp, name: string, f: Fn, env: Env | undefined, preservesPartitioning: boolean): RDD<U> {
    const fn = this.capture(f, env, name);
    return this.derive(
      new MapPartitionsNode<T, U>([new OneToOneDependency(this as RDD<unknown>)], { op, fn, preservesPartitioning }),
      name,
    );
  }

  private combineWith<K, C>(
    aggregation: ShuffleAggregation,
    partitioner: Partitioner,
    mapSideCombine: boolean,
    operation: string,
  ): RDD<[K, C]> {
    if (this.partitioner?.equals(partitioner)) {
      // Already partitioned this way: aggregate inside each partition, no shuffle (as Spark does).
      const createCombiner = aggregation.createCombiner.fn as (v: unknown) => unknown;
      const mergeValue = aggregation.mergeValue.fn as (c: unknown, v: unknown) => unknown;
      const lib = { KeyMap, asPair };
      return (this as unknown as RDD<[K, unknown]>).mapPartitions(
        (it: Iterable<[K, unknown]>) => {
          const combined = new lib.KeyMap<K, unknown>();
          for (const kv of it) {
            const [k, v] = lib.asPair(kv, operation) as [K, unknown];
            const c = combined.get(k);
            combined.set(k, c === undefined && !combined.has(k) ? createCombiner(v) : mergeValue(c, v));
          }
          return combined.entries();
        },
        { lib, operation, createCombiner: aggregation.createCombiner, mergeValue: aggregation.mergeValue },
        true,
      ).named(operation) as RDD<[K, C]>;
    }
    const dep = new ShuffleDependency(this as RDD<readonly [unknown, unknown]>, this.context.newShuffleId(), partitioner, {
      aggregation,
      mapSideCombine,
    });
    return this.derive(new ShuffledNode<K, C>([dep]), operation);
  }

  private partitionerFor(spec: PartitionSpec | undefined): Partitioner {
    if (spec === undefined) return defaultPartitioner([this as RDD<unknown>]);
    if (typeof spec === 'number') {
      requirePositiveInt(spec, 'partition count');
      return new HashPartitioner(spec);
    }
    return spec;
  }

  private requireSamePartitionCount(other: RDD<unknown>, op: string): void {
    if (this.partitions.length !== other.partitions.length) {
      throw new UserInputError(
        `${op}() can only combine RDDs with the same number of partitions: ${this.partitions.length} vs ${other.partitions.length}. ` +
          `Use zipWithIndex() on both and join on the index instead.`,
        { code: 'ZIP_PARTITION_MISMATCH' },
      );
    }
  }

  private reversed(comparator: Closure<Fn> | undefined): Closure<KeyComparator> {
    const cmp = (comparator?.fn ?? compareKeys) as (x: unknown, y: unknown) => number;
    return this.capture((a: never, b: never) => -cmp(a, b), { cmp: comparator ?? compareKeys }, 'sortByKey') as Closure<KeyComparator>;
  }

  /** Range bounds for sortByKey from a sample of keys (Spark's RangePartitioner.sketch, simplified). */
  private async rangeBounds(numPartitions: number, comparator: Closure<Fn> | undefined): Promise<unknown[]> {
    if (numPartitions <= 1) return [];
    const perPartition = Math.ceil((20 * numPartitions) / Math.max(1, this.partitions.length)) * 3;
    const lib = { SeededRandom };
    const sampleKeys = this.capture(
      (batches: Iterable<[unknown, unknown][]>, ctx: TaskContext) => {
        // Reservoir sampling keeps a uniform sample of the partition's keys.
        const rng = new lib.SeededRandom(ctx.partitionId + 1);
        const reservoir: unknown[] = [];
        let seen = 0;
        for (const batch of batches) {
          for (const kv of batch) {
            if (reservoir.length < perPartition) reservoir.push(kv[0]);
            else {
              const j = rng.nextInt(seen + 1);
              if (j < perPartition) reservoir[j] = kv[0];
            }
            seen++;
          }
        }
        return reservoir;
      },
      { perPartition, lib },
      'sortByKey',
    );
    const samples = (await this.context.runJob(this as unknown as RDD<[unknown, unknown]>, sampleKeys, { description: 'sortByKey (sampling)' })).flat();
    const cmp = (comparator?.fn as ((a: unknown, b: unknown) => number) | undefined) ?? compareKeys;
    samples.sort(cmp);
    const bounds: unknown[] = [];
    for (let i = 1; i < numPartitions; i++) {
      const b = samples[Math.min(samples.length - 1, Math.floor((i * samples.length) / numPartitions))];
      if (b !== undefined && (bounds.length === 0 || cmp(bounds[bounds.length - 1], b) < 0)) bounds.push(b);
    }
    return bounds;
  }
}

/** The union of several RDDs; keeps a shared partitioner when every input has it. */
export function unionOf<T>(rdds: readonly RDD<T>[]): RDD<T> {
  const [first] = rdds;
  if (first === undefined) throw new UserInputError('union() needs at least one RDD');
  const p = first.partitioner;
  if (p !== undefined && rdds.every((r) => r.partitioner?.equals(p))) {
    return first.derive(
      new PartitionerAwareUnionNode<T>(rdds.map((r) => new OneToOneDependency(r as RDD<unknown>))),
      'union',
    );
  }
  let offset = 0;
  const deps = rdds.map((r) => {
    const dep = new RangeDependency(r as RDD<unknown>, 0, offset, r.partitions.length);
    offset += r.partitions.length;
    return dep;
  });
  return first.derive(new UnionNode<T>(deps), 'union');
}

/**
 * Spark's default: reuse the partitioner of the input with the most partitions if it has one,
 * otherwise hash partition into `spark.default.parallelism` or the largest input's count.
 */
function defaultPartitioner(rdds: readonly RDD<unknown>[]): Partitioner {
  const withPartitioner = rdds.filter((r) => r.partitioner !== undefined);
  const maxPartitions = Math.max(...rdds.map((r) => r.partitions.length), 1);
  const best = withPartitioner.sort((a, b) => b.partitions.length - a.partitions.length)[0];
  if (best?.partitioner !== undefined && best.partitions.length >= maxPartitions / 10) return best.partitioner;
  const configured = rdds[0]!.context.getConf('spark.default.parallelism');
  return new HashPartitioner(configured !== undefined ? Number(configured) : maxPartitions);
}

function requirePositiveInt(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new UserInputError(`${what} needs a whole number of partitions >= 1, got ${n}`);
}

function emptyCollection(action: string): UserInputError {
  return new UserInputError(`${action}() of an empty RDD: there is no element to return`, { code: 'EMPTY_COLLECTION' });
}

/** An action built on another reports an empty RDD under its own name (`max()`, not `reduce()`). */
async function namedEmpty<T>(action: string, result: Promise<T>): Promise<T> {
  try {
    return await result;
  } catch (error) {
    throw error instanceof UserInputError && error.code === 'EMPTY_COLLECTION' ? emptyCollection(action) : error;
  }
}

/** Spark's SamplingUtils.computeFractionForSampleSize: a fraction that yields >= num with high probability. */
function sampleFraction(num: number, total: number, withReplacement: boolean): number {
  const fraction = num / total;
  if (withReplacement) return fraction + Math.max(5, num < 12 ? 9 : 0) * Math.sqrt(fraction / total);
  const gamma = 1e-4;
  const delta = -Math.log(gamma) / total;
  return Math.min(1, fraction + delta + Math.sqrt(delta * delta + 2 * delta * fraction));
}

const identity = (v: unknown): unknown => v;
const countBatches = (batches: Iterable<unknown[]>): number => {
  let n = 0;
  for (const batch of batches) n += batch.length;
  return n;
};
function collectBatches<T>(batches: Iterable<T[]>): T[] {
  const out: T[] = [];
  for (const batch of batches) for (let i = 0; i < batch.length; i++) out.push(batch[i]!);
  return out;
}

export type { PartitionFunction };
