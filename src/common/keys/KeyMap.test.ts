import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../errors/UserInputError.js';
import { equalVariant, smallKey } from './keyArbitraries.testing.js';
import { keyEquals } from './keyEquals.js';
import { KeyMap } from './KeyMap.js';

/** The obvious, slow implementation of the same contract. */
class ReferenceMap {
  readonly entries: [unknown, number][] = [];
  #find(k: unknown): number {
    return this.entries.findIndex(([x]) => keyEquals(x, k));
  }
  get(k: unknown): number | undefined {
    return this.entries[this.#find(k)]?.[1];
  }
  has(k: unknown): boolean {
    return this.#find(k) >= 0;
  }
  set(k: unknown, v: number): void {
    const i = this.#find(k);
    if (i >= 0) this.entries[i]![1] = v;
    else this.entries.push([k, v]);
  }
  delete(k: unknown): boolean {
    const i = this.#find(k);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }
  clear(): void {
    this.entries.length = 0;
  }
}

type Op =
  | { op: 'set'; key: unknown; value: number }
  | { op: 'get' | 'has' | 'delete'; key: unknown }
  | { op: 'clear' };

// Keys are used as generated or as equal-but-different copies, so lookups must work by value.
const keyArb = fc.tuple(smallKey, fc.boolean()).map(([k, copy]) => (copy ? equalVariant(k) : k));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), key: keyArb, value: fc.integer() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'has' as const, 'delete' as const), key: keyArb }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

describe('KeyMap', () => {
  it('behaves like a reference map using keyEquals on random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const map = new KeyMap<unknown, number>();
        const ref = new ReferenceMap();
        for (const o of ops) {
          switch (o.op) {
            case 'set':
              expect(map.set(o.key, o.value)).toBe(map);
              ref.set(o.key, o.value);
              break;
            case 'get':
              expect(map.get(o.key)).toBe(ref.get(o.key));
              break;
            case 'has':
              expect(map.has(o.key)).toBe(ref.has(o.key));
              break;
            case 'delete':
              expect(map.delete(o.key)).toBe(ref.delete(o.key));
              break;
            case 'clear':
              map.clear();
              ref.clear();
          }
          expect(map.size).toBe(ref.entries.length);
        }
        const entries = [...map];
        expect(entries).toHaveLength(ref.entries.length);
        for (const [k, v] of ref.entries) {
          const found = entries.find(([x]) => keyEquals(x, k));
          expect(found?.[1]).toBe(v);
          // The first-inserted key object is kept (only -0 becomes 0, as in a native Map).
          if (typeof k === 'object' && k !== null) expect(found?.[0]).toBe(k);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps keys of different types apart and matches structural keys by value', () => {
    const map = new KeyMap<unknown, string>();
    map.set(1, 'number').set('1', 'string').set(1n, 'bigint').set([1], 'array').set({ 0: 1 }, 'object');
    map.set('A1:n1;', 'looks like an encoding').set(NaN, 'nan').set(-0, 'zero');
    expect(map.size).toBe(8);
    expect(map.get([1])).toBe('array');
    expect(map.get({ 0: 1 })).toBe('object');
    expect(map.get('A1:n1;')).toBe('looks like an encoding');
    expect(map.get(NaN)).toBe('nan');
    expect(map.get(0)).toBe('zero');
    expect(map.get([1n])).toBeUndefined();
    expect(map.get(new Date(1))).toBeUndefined();
    map.set({ b: [new Date(2)], a: new Uint8Array([7]) }, 'nested');
    expect(map.get({ a: Buffer.from([7]), b: [new Date(2)] })).toBe('nested');
  });

  it('keeps the first-inserted key object and yields it from every iterator', () => {
    const first = ['k', 1];
    const map = new KeyMap<unknown, number>([[first, 1], ['p', 2]]);
    map.set(['k', 1], 3);
    expect(map.size).toBe(2);
    expect([...map.keys()]).toEqual(['p', first]);
    expect([...map.keys()][1]).toBe(first);
    expect([...map.values()]).toEqual([2, 3]);
    expect([...map.entries()]).toEqual([['p', 2], [first, 3]]);
    const seen: [unknown, number][] = [];
    map.forEach(function (this: unknown, v, k, m) {
      expect(m).toBe(map);
      expect(this).toBe('ctx');
      seen.push([k, v]);
    }, 'ctx');
    expect(seen).toEqual([['p', 2], [first, 3]]);
  });

  it('accepts a Map or any iterable of entries in the constructor', () => {
    const map = new KeyMap<string, number>(new Map([['a', 1], ['b', 2]]));
    expect(map.get('b')).toBe(2);
    expect(new KeyMap(null).size).toBe(0);
    expect(Object.prototype.toString.call(map)).toBe('[object KeyMap]');
  });

  it('prints its entries in console.log / util.inspect', () => {
    const map = new KeyMap<unknown, number>([['a', 1], [[1, 2], 2]]);
    expect(inspect(map)).toBe("KeyMap(2) { 'a' => 1, [ 1, 2 ] => 2 }");
  });

  it('throws UserInputError for keys that are not valid, in every method', () => {
    const map = new KeyMap<unknown, number>();
    class Session {}
    for (const bad of [new Session(), () => 1, Symbol('s'), new Map(), [new Set()]]) {
      expect(() => map.set(bad, 1)).toThrow(UserInputError);
      expect(() => map.get(bad)).toThrow(UserInputError);
      expect(() => map.has(bad)).toThrow(UserInputError);
      expect(() => map.delete(bad)).toThrow(UserInputError);
    }
    expect(() => map.set(new Session(), 1)).toThrow(/instance of class Session/);
    expect(map.size).toBe(0);
  });
});
