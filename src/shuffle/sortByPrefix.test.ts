import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortByPrefix } from './sortByPrefix.js';

/** The reference: a stable sort of [hi, lo, idx] triples by (hi, lo). */
function reference(hi: number[], lo: number[]): number[] {
  return hi
    .map((h, i) => ({ h, l: lo[i]!, i }))
    .sort((a, b) => a.h - b.h || a.l - b.l)
    .map((e) => e.i);
}

function check(hi: number[], lo: number[]): void {
  const idx = Uint32Array.from(hi, (_, i) => i);
  const h = Uint32Array.from(hi);
  const l = Uint32Array.from(lo);
  sortByPrefix(idx, h, l);
  const expected = reference(hi, lo);
  expect([...idx]).toEqual(expected);
  expect([...h]).toEqual(expected.map((i) => hi[i]));
  expect([...l]).toEqual(expected.map((i) => lo[i]));
}

describe('sortByPrefix', () => {
  const word = fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 3 }));

  it('sorts stably by (hi, lo) as unsigned 32-bit words, at every size (insertion, 8-bit and 16-bit digits)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(word, word), { maxLength: 300 }), (pairs) => {
        check(
          pairs.map((p) => p[0]),
          pairs.map((p) => p[1]),
        );
      }),
    );
    // Large enough for 16-bit digits, with many duplicates and digits that never vary.
    const n = 70_000;
    const hi = Array.from({ length: n }, (_, i) => (((i * 2654435761) >>> 0) & 0xff00ff00) >>> 0);
    const lo = Array.from({ length: n }, (_, i) => (i * 7) % 13);
    check(hi, lo);
  });

  it('leaves equal prefixes in their order and sorted input as it is', () => {
    check(new Array(100).fill(5), new Array(100).fill(9));
    check(Array.from({ length: 1000 }, (_, i) => i), new Array(1000).fill(0));
    check([], []);
    check([1], [2]);
  });

  it('rejects arrays of different lengths', () => {
    expect(() => sortByPrefix(new Uint32Array(2), new Uint32Array(2), new Uint32Array(1))).toThrow(RangeError);
  });
});
