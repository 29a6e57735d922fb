import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../common/keys/compareKeys.js';
import { sortRecordsByKey } from './sortRecordsByKey.js';

type Rec = [unknown, unknown];

/** The reference: a stable comparator sort. */
const reference = (recs: Rec[], cmp: (a: unknown, b: unknown) => number): Rec[] => [...recs].sort((x, y) => cmp(x[0], y[0]));

describe('sortRecordsByKey', () => {
  it('orders string keys exactly as compareKeys does, stably, for any strings', () => {
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: fc.integer({ min: 0, max: 0x101 }).map((c) => String.fromCharCode(c)), maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('', '\u0000', '\uffff', 'a\u0000', 'a'));
    fc.assert(
      fc.property(fc.array(key, { maxLength: 200 }), (keys) => {
        const recs: Rec[] = keys.map((k, i) => [k, i]);
        expect(sortRecordsByKey([...recs], compareKeys)).toEqual(reference(recs, compareKeys));
      }),
    );
  });

  it('uses the given comparator for other orders and mixed keys', () => {
    const desc = (a: unknown, b: unknown): number => compareKeys(b, a);
    const recs: Rec[] = [['b', 0], ['a', 1], ['b', 2], ['c', 3]];
    expect(sortRecordsByKey([...recs], desc).map((r) => r[1])).toEqual([3, 0, 2, 1]);
    const mixed: Rec[] = [['b', 0], [1, 1], ['a', 2], [null, 3]];
    expect(sortRecordsByKey([...mixed], compareKeys)).toEqual(reference(mixed, compareKeys));
  });

  it('keeps many equal prefixes and duplicates in input order', () => {
    const recs: Rec[] = Array.from({ length: 5000 }, (_, i) => [`ab${(i * 7919) % 97}`, i]);
    expect(sortRecordsByKey([...recs], compareKeys)).toEqual(reference(recs, compareKeys));
  });
});
