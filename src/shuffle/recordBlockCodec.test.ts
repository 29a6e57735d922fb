import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../common/codec/codec.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import { decodeRecords, encodeRecords } from './recordBlockCodec.js';

type Rec = [unknown, unknown];

describe('recordBlockCodec', () => {
  it('writes string and number columns, and round-trips them exactly', () => {
    const recs: Rec[] = [['b', 2], ['a', -0], ['é🙂', NaN], ['', Infinity], ['a', 1.5]];
    const bytes = encodeRecords(recs);
    expect(bytes[0]).toBe(0x01);
    const back = decodeRecords(bytes);
    expect(back).toEqual(recs);
    expect(Object.is(back[1]![1], -0)).toBe(true);
  });

  it('keeps one CBOR column when the other is columnar', () => {
    const recs: Rec[] = [['k', [1, 2]], ['k2', { a: 1 }], ['k3', null]];
    const bytes = encodeRecords(recs);
    expect(bytes[0]).toBe(0x01);
    expect(decodeRecords(bytes)).toEqual(recs);
  });

  it('falls back to CBOR for mixed columns and for strings UTF-8 cannot carry', () => {
    for (const recs of [[[1, 'a'], ['b', 2]], [['\ud800', 'x']], [[[1], {}]]] as Rec[][]) {
      const bytes = encodeRecords(recs);
      expect(bytes[0]).not.toBe(0x01);
      expect(decodeRecords(bytes)).toEqual(recs);
    }
    expect(decodeRecords(encodeRecords([]))).toEqual([]);
  });

  it('round-trips any batch of records', () => {
    const value = fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
    const stringy = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string());
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(stringy, value), fc.oneof(stringy, fc.double(), value)), { maxLength: 30 }), (recs) => {
        expect(decodeRecords(encodeRecords(recs as Rec[]))).toEqual(recs);
      }),
    );
  });

  it('rejects malformed columnar blocks with DECODE_FAILED instead of crashing or allocating wildly', () => {
    const good = encodeRecords([['abc', 'defgh'], ['i', 'j']]);
    for (let cut = 1; cut < good.length; cut++) {
      expect(() => decodeRecords(good.subarray(0, cut)), `cut at ${cut}`).toThrow(KuberddError);
    }
    const hugeCount = Uint8Array.from(good);
    new DataView(hugeCount.buffer).setUint32(4, 0xffffffff, true);
    expect(() => decodeRecords(hugeCount)).toThrow(/record count/);
    const badKind = Uint8Array.from(good);
    badKind[1] = 9;
    expect(() => decodeRecords(badKind)).toThrow(/unknown column kind 9/);
    expect(() => decodeRecords(encode(42))).toThrow(/not a record array/);
  });
});
