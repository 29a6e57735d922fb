import type { Closure } from '../common/closure/Closure.js';

/**
 * What an accumulator does, as plain functions over an encodable state. Built-in kinds are
 * known to every executor by name; `custom` ships its three functions as closures.
 */
export interface AccumulatorSpec<IN, S, OUT> {
  readonly kind: 'long' | 'double' | 'collection' | 'custom';
  zero(): S;
  add(state: S, value: IN): S;
  merge(a: S, b: S): S;
  value(state: S): OUT;
  /** For `custom`: the user's functions, shipped with the accumulator. */
  readonly closures?: {
    readonly zero: Closure<() => S>;
    readonly add: Closure<(acc: S, v: IN) => S>;
    readonly merge: Closure<(a: S, b: S) => S>;
  };
}

interface SumState {
  sum: number;
  count: number;
}

function sumSpec(kind: 'long' | 'double'): AccumulatorSpec<number, SumState, number> {
  return {
    kind,
    zero: () => ({ sum: 0, count: 0 }),
    add: (s, v) => {
      if (typeof v !== 'number' || (kind === 'long' && !Number.isInteger(v))) {
        throw new TypeError(`${kind}Accumulator.add() needs ${kind === 'long' ? 'a whole number' : 'a number'}, got ${String(v)}`);
      }
      s.sum += v;
      s.count++;
      return s;
    },
    merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
    value: (s) => s.sum,
  };
}

export const builtinAccumulatorSpecs = {
  long: sumSpec('long'),
  double: sumSpec('double'),
  collection: {
    kind: 'collection',
    zero: () => [] as unknown[],
    add: (s: unknown[], v: unknown) => (s.push(v), s),
    merge: (a: unknown[], b: unknown[]) => a.concat(b),
    value: (s: unknown[]) => s,
  } satisfies AccumulatorSpec<unknown, unknown[], unknown[]>,
};

export function customAccumulatorSpec<IN, S>(closures: NonNullable<AccumulatorSpec<IN, S, S>['closures']>): AccumulatorSpec<IN, S, S> {
  return {
    kind: 'custom',
    zero: closures.zero.fn,
    add: closures.add.fn,
    merge: closures.merge.fn,
    value: (s) => s,
    closures,
  };
}
