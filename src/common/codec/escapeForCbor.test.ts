import { Tag } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { escapeForCbor } from './escapeForCbor.js';

describe('escapeForCbor', () => {
  it('returns the very same value when nothing needs escaping (no copy on the hot path)', () => {
    const tuples = Array.from({ length: 100 }, (_, i) => [`k${i}`, i, i * 0.5]);
    expect(escapeForCbor(tuples)).toBe(tuples);
    const mixed = { a: [1, 'é😀'], m: new Map([[1, 2]]), s: new Set(['x']), d: new Date(), b: new Float64Array([-0]) };
    expect(escapeForCbor(mixed)).toBe(mixed);
    expect(escapeForCbor('plain')).toBe('plain');
    expect(escapeForCbor(0)).toBe(0);
  });

  it('copies, leaving the input untouched, when it finds -0, a lone surrogate or a `__proto__` key', () => {
    const cases: unknown[] = [
      -0,
      [1, [2, -0]],
      'a\uD800',
      { k: ['x', '\uDFFF'] },
      { '\uD800': 1 },
      JSON.parse('{"__proto__": 1}'),
      new Map([['k', -0]]),
      new Map([['\uD800', 1]]),
      new Set(['\uDC00']),
      new Tag([-0], 300),
    ];
    for (const value of cases) {
      const before = structuredClone(value);
      const escaped = escapeForCbor(value);
      expect(escaped).not.toBe(value);
      expect(value).toEqual(before);
    }
  });

  it('looks inside class instances that cbor-x writes as plain objects', () => {
    class Holder {
      constructor(readonly v: number) {}
    }
    const h = new Holder(-0);
    const escaped = escapeForCbor([h]) as unknown[];
    expect(escaped[0]).not.toBeInstanceOf(Holder);
    expect(Object.is((escaped[0] as Holder).v, -0)).toBe(false);
    const clean = [new Holder(1)];
    expect(escapeForCbor(clean)).toBe(clean);
  });
});
