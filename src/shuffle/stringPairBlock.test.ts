import { describe, expect, it } from 'vitest';
import { KuberddError } from '../common/errors/KuberddError.js';
import { decodeRecordBatches, decodeRecords, encodeRecords } from './recordBlockCodec.js';
import { decodeStringPairBlock, STRING_PAIRS, STRING_PAIRS_ASCII, stringPairBatches } from './stringPairBlock.js';

/** A STRING_PAIRS block built by hand from its documented layout. */
function block(pairs: [string, string][], flags = 0): Uint8Array {
  const text = Buffer.from(pairs.map(([k, v]) => k + v).join(''), 'utf8');
  const out = Buffer.alloc(12 + 8 * pairs.length + text.length);
  out[0] = STRING_PAIRS;
  out[1] = flags;
  out.writeUInt32LE(pairs.length, 4);
  out.writeUInt32LE(text.length, 8);
  pairs.forEach(([k, v], i) => {
    out.writeUInt32LE(k.length, 12 + 8 * i);
    out.writeUInt32LE(v.length, 16 + 8 * i);
  });
  text.copy(out, 12 + 8 * pairs.length);
  return out;
}

describe('STRING_PAIRS record blocks', () => {
  const pairs: [string, string][] = [['b', 'two'], ['', ''], ['é🙂', 'ü'], ['a long key of many characters', 'v']];

  it('decode to the pairs, through decodeRecords too, and at any offset in a larger buffer', () => {
    expect(decodeStringPairBlock(block(pairs))).toEqual(pairs);
    expect(decodeRecords(block(pairs))).toEqual(pairs);
    expect(decodeRecords(block([['abc', 'def']], STRING_PAIRS_ASCII))).toEqual([['abc', 'def']]);
    const shifted = new Uint8Array(block(pairs).length + 3);
    shifted.set(block(pairs), 3);
    expect(decodeRecords(shifted.subarray(3))).toEqual(pairs);
    expect(decodeRecords(block([]))).toEqual([]);
  });

  it('come in batches of the size asked for', () => {
    const many = Array.from({ length: 10 }, (_, i): [string, string] => [`k${i}`, `v${i}`]);
    const batches = [...stringPairBatches(block(many), 4)];
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flat()).toEqual(many);
    expect([...decodeRecordBatches(block(many), 3)].map((b) => b.length)).toEqual([3, 3, 3, 1]);
    // Other layouts come whole.
    expect([...decodeRecordBatches(encodeRecords([['x', 1], ['y', 2]]), 1)]).toEqual([[['x', 1], ['y', 2]]]);
  });

  it('reject malformed blocks with DECODE_FAILED before yielding anything', () => {
    const good = block(pairs);
    for (let cut = 1; cut < good.length; cut++) {
      expect(() => decodeRecords(good.subarray(0, cut)), `cut at ${cut}`).toThrow(KuberddError);
    }
    const damage = (at: number, value: number, width: 1 | 4 = 4): Uint8Array => {
      const b = Buffer.from(good);
      if (width === 1) b[at] = value;
      else b.writeUInt32LE(value, at);
      return b;
    };
    expect(() => decodeRecords(damage(4, 0xffffffff))).toThrow(/record count/);
    expect(() => decodeRecords(damage(1, 0x80, 1))).toThrow(/unknown flags/);
    expect(() => decodeRecords(damage(8, 3))).toThrow(/the text takes/);
    expect(() => decodeRecords(damage(12, 2))).toThrow(/the lengths cover/);
    expect(() => [...stringPairBatches(damage(16, 99), 1)]).toThrow(/DECODE_FAILED|lengths cover/);
  });
});
