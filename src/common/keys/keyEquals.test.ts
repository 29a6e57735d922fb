import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../errors/UserInputError.js';
import { anyKey, equalVariant, smallKey } from './keyArbitraries.testing.js';
import { keyEquals } from './keyEquals.js';

describe('keyEquals', () => {
  it('compares primitives with SameValueZero and never across types', () => {
    expect(keyEquals(NaN, NaN)).toBe(true);
    expect(keyEquals(0, -0)).toBe(true);
    expect(keyEquals('a', 'a')).toBe(true);
    expect(keyEquals(2n ** 70n, 2n ** 70n)).toBe(true);
    expect(keyEquals(null, null)).toBe(true);
    expect(keyEquals(undefined, undefined)).toBe(true);
    expect(keyEquals(1, 1n)).toBe(false);
    expect(keyEquals(1, '1')).toBe(false);
    expect(keyEquals(null, undefined)).toBe(false);
    expect(keyEquals(0, false)).toBe(false);
    expect(keyEquals('', [])).toBe(false);
  });

  it('compares arrays, plain objects, Dates and bytes by value', () => {
    expect(keyEquals([1, ['a', { x: [NaN] }]], [1, ['a', { x: [NaN] }]])).toBe(true);
    expect(keyEquals({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(keyEquals(Object.assign(Object.create(null), { a: 1 }), { a: 1 })).toBe(true);
    expect(keyEquals(new Date(5), new Date(5))).toBe(true);
    expect(keyEquals(new Date(NaN), new Date(NaN))).toBe(true);
    expect(keyEquals(new Uint8Array([1, 2]), Buffer.from([1, 2]))).toBe(true);
    expect(keyEquals([1, 2], [1, 2, 3])).toBe(false);
    expect(keyEquals({ a: undefined }, {})).toBe(false);
    expect(keyEquals({ a: 1 }, { b: 1 })).toBe(false);
    expect(keyEquals([1], { 0: 1 })).toBe(false);
    expect(keyEquals(new Date(0), 0)).toBe(false);
    expect(keyEquals(new Uint8Array([1]), [1])).toBe(false);
  });

  it('is reflexive and holds between a key and any equal-but-different copy of it', () => {
    fc.assert(
      fc.property(anyKey, (k) => {
        expect(keyEquals(k, k)).toBe(true);
        expect(keyEquals(k, equalVariant(k))).toBe(true);
        expect(keyEquals(equalVariant(k), k)).toBe(true);
      }),
    );
  });

  it('is symmetric and transitive', () => {
    fc.assert(
      fc.property(smallKey, smallKey, smallKey, (a, b, c) => {
        expect(keyEquals(a, b)).toBe(keyEquals(b, a));
        if (keyEquals(a, b) && keyEquals(b, c)) expect(keyEquals(a, c)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('throws UserInputError when either side is not a valid key, even where the comparison could stop early', () => {
    const fn = (): number => 1;
    class Thing {}
    expect(() => keyEquals(fn, fn)).toThrow(UserInputError);
    expect(() => keyEquals(Symbol.iterator, Symbol.iterator)).toThrow(/found a symbol/);
    expect(() => keyEquals(new Thing(), new Thing())).toThrow(/instance of class Thing/);
    expect(() => keyEquals(['a', fn], ['b', fn])).toThrow(/found a function/);
    expect(() => keyEquals('a', new Map())).toThrow(/found a Map/);
    expect(() => keyEquals([1], [2, new Set()])).toThrow(/found a Set/);
  });
});
