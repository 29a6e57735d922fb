// Shared arbitraries and plain-JavaScript reference helpers for the API property tests.
import fc from 'fast-check';
import { expect } from 'vitest';
import { JobFailedError, SparkContext, UserInputError } from '../../../src/index.js';

/** Each run executes real jobs: keep these modest. */
export const RUNS = 20;
export const FEW_RUNS = 12;

export function newContext(appName: string): SparkContext {
  return new SparkContext({ master: 'local[2]', appName });
}

/** Partition counts: often more than the element count, so partitions are empty. */
export const slices = fc.integer({ min: 1, max: 7 });

export const smallInt = fc.integer({ min: -30, max: 30 });
export const ints = fc.oneof(
  { weight: 1, arbitrary: fc.constant<number[]>([]) },
  { weight: 6, arbitrary: fc.array(smallInt, { maxLength: 30 }) },
);
/** Strings safe for line-based pipes: no newlines. */
export const word = fc.stringMatching(/^[a-zA-Z0-9]{0,5}$/);
export const words = fc.oneof(
  { weight: 1, arbitrary: fc.constant<string[]>([]) },
  { weight: 6, arbitrary: fc.array(word, { maxLength: 25 }) },
);

export type Key = number | string | [number, string] | { a: number; b: number };

/**
 * A small key domain so keys collide often, with structural keys built fresh for every
 * element (so equality must be structural): `[i, 'a']`, and `{a, b}` in either property order.
 * `1` and `'1'` are different keys.
 */
export const key: fc.Arbitrary<Key> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom('a', 'b', '1') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 }).map((i): Key => [i, 'a']) },
  { weight: 1, arbitrary: fc.boolean().map((rev): Key => (rev ? { b: 2, a: 1 } : { a: 1, b: 2 })) },
);
export const pairs: fc.Arbitrary<[Key, number][]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<[Key, number][]>([]) },
  { weight: 6, arbitrary: fc.array(fc.tuple(key, smallInt), { maxLength: 25 }) },
);

/** A stable, order-insensitive identity for keys and values (object property order ignored). */
export function canon(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undef';
  if (typeof x === 'number') return Object.is(x, -0) ? 'n:0' : `n:${x}`;
  if (typeof x === 'string') return `s:${JSON.stringify(x)}`;
  if (typeof x === 'boolean') return `b:${x}`;
  if (Array.isArray(x)) return `[${x.map(canon).join(',')}]`;
  if (typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon(o[k])}`)
      .join(',')}}`;
  }
  return `?${String(x)}`;
}

export function sortCanon<T>(xs: readonly T[]): T[] {
  return [...xs].sort((a, b) => (canon(a) < canon(b) ? -1 : canon(a) > canon(b) ? 1 : 0));
}

/** Same elements with the same multiplicities, in any order. */
export function expectSameMultiset<T>(actual: readonly T[], expected: readonly T[]): void {
  expect(sortCanon(actual).map(canon)).toEqual(sortCanon(expected).map(canon));
}

/** Groups by key with structural key equality; keys in first-seen order. */
export function groupRef<K, V>(kvs: readonly (readonly [K, V])[]): [K, V[]][] {
  const m = new Map<string, [K, V[]]>();
  for (const [k, v] of kvs) {
    const id = canon(k);
    const g = m.get(id);
    if (g === undefined) m.set(id, [k, [v]]);
    else g[1].push(v);
  }
  return [...m.values()];
}

export function distinctRef<T>(xs: readonly T[]): T[] {
  const m = new Map<string, T>();
  for (const x of xs) if (!m.has(canon(x))) m.set(canon(x), x);
  return [...m.values()];
}

/** Grouped values compared as multisets: sorts each group's values. */
export function normGroups<K, V>(groups: readonly (readonly [K, readonly V[]])[]): [K, V[]][] {
  return groups.map(([k, vs]) => [k, sortCanon(vs)]);
}

/** Parallel slices the way parallelize cuts them: slice i holds [floor(i*n/k), floor((i+1)*n/k)). */
export function sliceRef<T>(xs: readonly T[], k: number): T[][] {
  const n = xs.length;
  return Array.from({ length: k }, (_, i) => xs.slice(Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)));
}

export function expectClose(actual: number, expected: number, tol = 1e-9): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
    return;
  }
  if (!Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

export async function rejection(p: Promise<unknown> | (() => unknown)): Promise<Error> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection, but it resolved');
}

/** The error a pair function gives on non-pairs: clear, and saying pairs are needed. */
export function expectNeedsPairs(e: Error): void {
  expect(e instanceof UserInputError || e instanceof JobFailedError).toBe(true);
  expect(e.message).toMatch(/pairs/);
}

export function numCompare(a: number, b: number): number {
  return a - b;
}
