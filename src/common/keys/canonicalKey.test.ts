import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalKey } from './canonicalKey.js';
import { anyKey, equalVariant, smallKey } from './keyArbitraries.testing.js';
import { keyEquals } from './keyEquals.js';

describe('canonicalKey', () => {
  it('is the same string for equal keys', () => {
    fc.assert(
      fc.property(anyKey, (k) => {
        expect(canonicalKey(equalVariant(k))).toBe(canonicalKey(k));
      }),
    );
  });

  it('differs whenever the keys differ', () => {
    fc.assert(
      fc.property(fc.oneof(smallKey, anyKey), fc.oneof(smallKey, anyKey), (a, b) => {
        expect(canonicalKey(a) === canonicalKey(b)).toBe(keyEquals(a, b));
      }),
      { numRuns: 1000 },
    );
  });

  it('cannot be fooled by strings that contain encoding syntax', () => {
    const tricky: unknown[] = [
      ['a', 'b'],
      ['ab'],
      'ab',
      ['s1:a'],
      [['a'], 'b'],
      ['a', ['b']],
      { a: 'b' },
      { 'a': 'b', '': '' },
      { '1:a': 1 },
      ['n1;'],
      [1],
      ['1'],
      [1n],
      [new Uint8Array([0x73, 0x31, 0x3a, 0x61])],
      ['s1:a', 's1:b'],
      [new Date(1)],
      [null],
      [undefined],
      [],
      {},
    ];
    expect(new Set(tricky.map(canonicalKey)).size).toBe(tricky.length);
  });
});
