import type { Closure } from '../../common/closure/Closure.js';
import type { SerializedClosure } from '../../common/closure/SerializedClosure.js';
import { UserInputError } from '../../common/errors/UserInputError.js';
import { BATCH_SIZE } from '../batchSize.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { Partitioner } from '../Partitioner.js';
import type { RDD } from '../RDD.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

/**
 * The per-element and per-partition operators. One node kind with an `op` tag keeps each
 * operator a tight loop over a batch, with the user's function called directly.
 */
export type MapOp =
  | 'map'
  | 'filter'
  | 'flatMap'
  | 'mapValues'
  | 'flatMapValues'
  | 'keyBy'
  | 'keys'
  | 'values'
  | 'mapPartitions'
  | 'mapPartitionsWithIndex'
  | 'glom';

type AnyFn = (...args: never[]) => unknown;

export interface MapPartitionsArgs {
  readonly op: MapOp;
  readonly fn: Closure<AnyFn> | undefined;
  readonly preservesPartitioning: boolean;
}

export class MapPartitionsNode<T, U> implements RDDNode<U> {
  readonly kind = 'mapPartitions';
  readonly displayName = 'MapPartitionsRDD';
  readonly partitioner: Partitioner | undefined;

  constructor(
    readonly dependencies: readonly Dependency[],
    readonly args: MapPartitionsArgs,
  ) {
    this.partitioner = args.preservesPartitioning ? this.parent.partitioner : undefined;
  }

  private get parent(): RDD<T> {
    return this.dependencies[0]!.rdd as RDD<T>;
  }

  getPartitions(): Partition[] {
    return [...this.parent.partitions];
  }

  preferredLocations(split: Partition): readonly string[] {
    return this.parent.preferredLocations(split);
  }

  compute(split: Partition, ctx: TaskContext): Iterable<U[]> {
    const input = this.parent.iterator(split, ctx);
    const fn = this.args.fn?.fn as ((...args: unknown[]) => unknown) | undefined;
    switch (this.args.op) {
      case 'map':
        return mapBatches(input, fn!);
      case 'filter':
        return filterBatches(input, fn!) as Iterable<U[]>;
      case 'flatMap':
        return flatMapBatches(input, fn!);
      case 'mapValues':
        return mapBatches(input, (kv) => {
          const pair = asPair(kv, 'mapValues');
          return [pair[0], fn!(pair[1])];
        });
      case 'flatMapValues':
        return flatMapBatches(input, (kv) => {
          const [k, v] = asPair(kv, 'flatMapValues');
          const out: unknown[] = [];
          for (const x of asIterable(fn!(v), 'flatMapValues')) out.push([k, x]);
          return out;
        });
      case 'keyBy':
        return mapBatches(input, (x) => [fn!(x), x]);
      case 'keys':
        return mapBatches(input, (kv) => asPair(kv, 'keys')[0]);
      case 'values':
        return mapBatches(input, (kv) => asPair(kv, 'values')[1]);
      case 'mapPartitions':
        return rebatch(fn!(records(input), ctx), 'mapPartitions');
      case 'mapPartitionsWithIndex':
        return rebatch(fn!(split.index, records(input), ctx), 'mapPartitionsWithIndex');
      case 'glom':
        return glom(input) as Iterable<U[]>;
    }
  }

  toWire(): unknown {
    return { op: this.args.op, fn: this.args.fn?.serialized, preservesPartitioning: this.args.preservesPartitioning };
  }

  static wireFn(args: unknown): SerializedClosure | undefined {
    return (args as { fn?: SerializedClosure }).fn;
  }
}

function* mapBatches<T, U>(input: Iterable<T[]>, fn: (x: T) => unknown): Generator<U[]> {
  for (const batch of input) {
    const n = batch.length;
    const out = new Array<U>(n);
    for (let i = 0; i < n; i++) out[i] = fn(batch[i]!) as U;
    yield out;
  }
}

function* filterBatches<T>(input: Iterable<T[]>, fn: (x: T) => unknown): Generator<T[]> {
  for (const batch of input) {
    const out: T[] = [];
    for (let i = 0; i < batch.length; i++) {
      const x = batch[i]!;
      if (fn(x)) out.push(x);
    }
    if (out.length > 0) yield out;
  }
}

function* flatMapBatches<T, U>(input: Iterable<T[]>, fn: (x: T) => unknown): Generator<U[]> {
  for (const batch of input) {
    let out: U[] = [];
    for (let i = 0; i < batch.length; i++) {
      const produced = fn(batch[i]!);
      if (Array.isArray(produced)) {
        for (let j = 0; j < produced.length; j++) out.push(produced[j] as U);
      } else {
        for (const y of asIterable(produced, 'flatMap')) out.push(y as U);
      }
      if (out.length >= BATCH_SIZE) {
        yield out;
        out = [];
      }
    }
    // An output batch never mixes input batches: bad-record skipping feeds one record per
    // batch, so that a failure further down the pipeline is pinned to its input record.
    if (out.length > 0) yield out;
  }
}

function* glom<T>(input: Iterable<T[]>): Generator<T[][]> {
  const all: T[] = [];
  for (const batch of input) for (let i = 0; i < batch.length; i++) all.push(batch[i]!);
  yield [all];
}

/** One record at a time, for user functions that take a partition iterator. */
export function* records<T>(input: Iterable<T[]>): Generator<T> {
  for (const batch of input) yield* batch;
}

/** Turns whatever a partition function returned into batches. */
export function* rebatch<U>(produced: unknown, op: string): Generator<U[]> {
  if (Array.isArray(produced)) {
    for (let i = 0; i < produced.length; i += BATCH_SIZE) yield produced.slice(i, i + BATCH_SIZE) as U[];
    return;
  }
  let out: U[] = [];
  for (const x of asIterable(produced, op)) {
    out.push(x as U);
    if (out.length >= BATCH_SIZE) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

function asIterable(value: unknown, op: string): Iterable<unknown> {
  if (value !== null && typeof value === 'object' && Symbol.iterator in value) return value as Iterable<unknown>;
  if (typeof value === 'string') return value;
  throw new UserInputError(
    `${op}() function must return an iterable (an array or a generator), got ${value === null ? 'null' : typeof value}`,
  );
}

export function asPair(value: unknown, op: string): readonly [unknown, unknown] {
  if (Array.isArray(value) && value.length === 2) return value as unknown as readonly [unknown, unknown];
  throw new UserInputError(
    `${op}() needs an RDD of [key, value] pairs, but found the element ${describe(value)}: ` +
      `map your elements to 2-element arrays first, e.g. .map(x => [key(x), x])`,
    { code: 'NOT_A_PAIR' },
  );
}

function describe(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
