import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../errors/UserInputError.js';
import { compareKeys } from './compareKeys.js';
import { anyKey, equalVariant, smallKey } from './keyArbitraries.testing.js';
import { keyEquals } from './keyEquals.js';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe('compareKeys', () => {
  it('orders kinds and values as documented', () => {
    // Strictly increasing.
    const ordered: unknown[] = [
      undefined,
      null,
      false,
      true,
      -Infinity,
      -(2n ** 70n),
      -1,
      -0.5,
      0,
      0n,
      1,
      1n,
      1.5,
      2n,
      2 ** 60,
      2n ** 70n,
      Infinity,
      NaN,
      '',
      'B',
      'a',
      'ab',
      'b',
      '\uFFFF',
      new Date(-1),
      new Date(0),
      new Date(NaN),
      new Uint8Array(),
      new Uint8Array([0]),
      new Uint8Array([0, 0]),
      new Uint8Array([1]),
      [],
      [undefined],
      [1],
      [1, 'a'],
      ['a'],
      [[]],
      {},
      { a: 2 },
      { a: 1, b: 0 },
      { a: 2, b: 0 },
      { b: 0 },
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect([ordered[i], ordered[j], sign(compareKeys(ordered[i], ordered[j]))]).toEqual([ordered[i], ordered[j], sign(i - j)]);
      }
    }
  });

  it('returns 0 exactly for keyEquals-equal keys (0 and -0, NaNs, reordered objects; not 1 and 1n)', () => {
    expect(compareKeys(0, -0)).toBe(0);
    expect(compareKeys(NaN, NaN)).toBe(0);
    expect(compareKeys({ a: 1, b: [2] }, { b: [2], a: 1 })).toBe(0);
    expect(compareKeys(1, 1n)).toBeLessThan(0);
    fc.assert(
      fc.property(anyKey, (k) => {
        expect(compareKeys(k, equalVariant(k))).toBe(0);
      }),
    );
    fc.assert(
      fc.property(smallKey, smallKey, (a, b) => {
        expect(compareKeys(a, b) === 0).toBe(keyEquals(a, b));
      }),
      { numRuns: 500 },
    );
  });

  it('is antisymmetric', () => {
    fc.assert(
      fc.property(fc.oneof(anyKey, smallKey), fc.oneof(anyKey, smallKey), (a, b) => {
        expect(sign(compareKeys(a, b)) + sign(compareKeys(b, a))).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('is transitive: after sorting, every earlier key compares <= every later one', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyKey, smallKey), { maxLength: 12 }), (keys) => {
        // Sorted through boxes: Array.prototype.sort would move undefined to the end unasked.
        const sorted = keys.map((k) => [k]).sort((x, y) => compareKeys(x[0], y[0])).map((x) => x[0]);
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i + 1; j < sorted.length; j++) expect(compareKeys(sorted[i], sorted[j])).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('throws UserInputError for values that cannot be keys', () => {
    expect(() => compareKeys(new Map(), 1)).toThrow(UserInputError);
    expect(() => compareKeys('a', () => 1)).toThrow(/found a function/);
    expect(() => compareKeys([1, new WeakMap()], [1, 2])).toThrow(/found a WeakMap/);
  });
});
