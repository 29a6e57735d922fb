import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../errors/UserInputError.js';
import { hashKey } from './hashKey.js';
import { anyKey, equalVariant, smallKey } from './keyArbitraries.testing.js';
import { keyEquals } from './keyEquals.js';

/** Plain byte-wise MurmurHash3 x86_32, the published algorithm, as an independent reference. */
function murmur3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed | 0;
  const whole = bytes.length - (bytes.length % 4);
  const mixK = (k: number): number => Math.imul(((Math.imul(k, c1) << 15) | (Math.imul(k, c1) >>> 17)), c2);
  for (let i = 0; i < whole; i += 4) {
    h ^= mixK(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let i = bytes.length - 1; i >= whole; i--) k = (k << 8) | bytes[i]!;
  if (bytes.length > whole) h ^= mixK(k);
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

describe('hashKey', () => {
  it('is stable: these exact values must never change (they place records in shuffle partitions)', () => {
    const expected: [unknown, number][] = [
      ['', 439377469],
      ['a', 1786243152],
      ['abc', 883191780],
      ['héllo wörld', 997465910],
      ['😀', 1872772879],
      [0, 1504376787],
      [-0, 1504376787],
      [1, 769423036],
      [-1, 2113920734],
      [2147483647, 245865658],
      [1.5, 1676277930],
      [2 ** 40, 1174792981],
      [NaN, 1544503563],
      [Infinity, 1687045223],
      [1n, 250573359],
      [-(2n ** 70n), 1348416960],
      [true, 453339276],
      [false, 1359893119],
      [null, 1541459225],
      [undefined, 528734635],
      [new Date(0), 1270938603],
      [new Date(1700000000000), 2097874010],
      [new Uint8Array([1, 2, 3]), 1529354836],
      [new Uint8Array([1, 2, 3, 4, 5]), 51088289],
      [[], 644812545],
      [[1, 'a'], 457104300],
      [['a', [1, [2n]]], 1459470436],
      [{}, 918526378],
      [{ a: 2, b: 1 }, 618723324],
      [{ user: 'ann', day: new Date(0), tags: ['x'] }, 1635200714],
    ];
    const actual = expected.map(([k]) => [k, hashKey(k)]);
    expect(actual).toEqual(expected);
  });

  it('hashes a string as MurmurHash3 x86_32 of its UTF-16LE bytes (seed 0x2f0b3a49), top bit cleared', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(hashKey(s)).toBe(murmur3(Buffer.from(s, 'utf16le'), 0x2f0b3a49) & 0x7fffffff);
      }),
    );
  });

  it('is a non-negative 31-bit integer for every key', () => {
    fc.assert(
      fc.property(anyKey, (k) => {
        const h = hashKey(k);
        expect(Number.isInteger(h) && h >= 0 && h <= 0x7fffffff).toBe(true);
      }),
    );
  });

  it('gives equal keys equal hashes (object key order, 0/-0, NaN, Buffer vs Uint8Array, new Dates)', () => {
    fc.assert(
      fc.property(anyKey, (k) => {
        expect(hashKey(equalVariant(k))).toBe(hashKey(k));
      }),
    );
    fc.assert(
      fc.property(smallKey, smallKey, (a, b) => {
        if (keyEquals(a, b)) expect(hashKey(a)).toBe(hashKey(b));
      }),
    );
    const oddNaN = new Float64Array(new Uint32Array([1, 0xfff00000]).buffer)[0]!;
    expect(hashKey(oddNaN)).toBe(hashKey(NaN));
  });

  it('tells apart keys that only look alike', () => {
    const distinct: unknown[] = [1, 1n, '1', [1], { 1: 1 }, new Uint8Array([1]), new Date(1), true, 'true', null, 'null', undefined, [], {}, '', ['a', 'b'], ['ab'], [['a'], 'b']];
    expect(new Set(distinct.map(hashKey)).size).toBe(distinct.length);
  });

  it('spreads keys evenly over partitions', () => {
    for (const makeKey of [(i: number): unknown => `user-${i}`, (i: number): unknown => i, (i: number): unknown => i * 0.1, (i: number): unknown => [i % 100, `k${i}`]]) {
      const buckets = new Array<number>(64).fill(0);
      for (let i = 0; i < 64_000; i++) buckets[hashKey(makeKey(i)) % 64]!++;
      // Expected 1000 per bucket; a fair hash stays well within ±15% at this sample size.
      expect(Math.max(...buckets)).toBeLessThan(1150);
      expect(Math.min(...buckets)).toBeGreaterThan(850);
    }
  });

  it('rejects values that cannot be keys, saying what was found and what is allowed', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const cases: [unknown, RegExp][] = [
      [new Point(1), /instance of class Point/],
      [new Map(), /found a Map.*\[\.\.\.value\]/],
      [() => 1, /found a function/],
      [Symbol('s'), /found a symbol/],
      [[1, { p: new Set() }], /found a Set/],
      [new Float64Array(1), /found a Float64Array/],
    ];
    for (const [value, message] of cases) {
      expect(() => hashKey(value)).toThrow(UserInputError);
      expect(() => hashKey(value)).toThrow(message);
      expect(() => hashKey(value)).toThrow(/Keys may be strings, numbers, bigints/);
    }
  });

  it('rejects cyclic keys with a UserInputError instead of overflowing the stack', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => hashKey(cyclic)).toThrow(/cyclic/);
  });
});
