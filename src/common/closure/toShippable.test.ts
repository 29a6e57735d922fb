import { describe, expect, it } from 'vitest';
import { ClosureError } from '../errors/ClosureError.js';
import { registerIntrinsic } from './intrinsics.js';
import { notShippable, toClosureRef, type ClosureRef } from './shippable.js';
import { toShippable } from './toShippable.js';

class FakeBroadcast {
  constructor(readonly id: number) {}
  [toClosureRef](): ClosureRef {
    return { $ref: 'broadcast', id: this.id };
  }
}

class FakeRdd {
  [notShippable](): string {
    return 'RDDs only exist on the driver; collect() the data or broadcast it';
  }
}

describe('toShippable', () => {
  it('passes plain data through without copying', () => {
    const table = { a: [1, 2, { b: 'x' }], m: new Map([['k', new Set([1n])]]), d: new Date(0), r: /x+/g, bytes: new Uint8Array(3), buf: Buffer.from('hi') };
    const list = [1, 'two', null, undefined, true];
    const shipped = toShippable({ table, list, n: 3 }, 'map');
    expect(shipped.env.table).toBe(table);
    expect(shipped.env.list).toBe(list);
    expect(shipped.env.n).toBe(3);
    expect([...shipped.plainDataKeys].sort()).toEqual(['list', 'n', 'table']);
  });

  it('replaces Shippable objects by their markers, deep inside data, copying only the path to them', () => {
    const untouched = { big: [1, 2, 3] };
    const config = { refs: [new FakeBroadcast(7)], untouched };
    const shipped = toShippable({ config }, 'map');
    const converted = shipped.env.config as { refs: unknown[]; untouched: unknown };
    expect(converted).not.toBe(config);
    expect(converted.refs).toEqual([{ $ref: 'broadcast', id: 7 }]);
    expect(converted.untouched).toBe(untouched);
    expect(config.refs[0]).toBeInstanceOf(FakeBroadcast);
    expect(shipped.plainDataKeys.has('config')).toBe(false);
  });

  it('converts functions to function markers and intrinsics to intrinsic markers', () => {
    const intrinsicCompare = (a: number, b: number): number => a - b;
    registerIntrinsic('test.shippable.compare', intrinsicCompare);
    const scale = (x: number): number => x * 2;
    const shipped = toShippable({ scale, ops: { cmp: intrinsicCompare } }, 'map');
    expect(shipped.env.scale).toEqual({ $ref: 'function', source: scale.toString(), name: 'scale' });
    expect(shipped.env.ops).toEqual({ cmp: { $ref: 'intrinsic', name: 'test.shippable.compare' } });
    expect(shipped.plainDataKeys.size).toBe(0);
  });

  it('wraps user data that has a $ref key so executors do not resolve it', () => {
    const shipped = toShippable({ doc: { $ref: '#/definitions/x', n: 1 } }, 'map');
    expect(shipped.env.doc).toEqual({ $ref: 'literal', value: { $ref: '#/definitions/x', n: 1 } });
  });

  it('rejects notShippable objects naming the key, transformation and reason', () => {
    expect(() => toShippable({ lines: new FakeRdd() }, 'filter')).toThrow(
      'filter() cannot ship env value `lines`: an instance of `FakeRdd` cannot be used inside functions that run on executors: ' +
        'RDDs only exist on the driver; collect() the data or broadcast it',
    );
  });

  it('names the path to a bad value nested in data', () => {
    expect(() => toShippable({ cfg: { stages: [{}, { source: new FakeRdd() }] } }, 'map')).toThrow(/`cfg\.stages\[1\]\.source`/);
  });

  it('rejects class instances because they lose their prototype', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expect(() => toShippable({ origin: new Point(0) }, 'map')).toThrow(/`origin`: an instance of `Point` would lose its prototype.*plain data/);
    expect(() => toShippable({ p: Promise.resolve(1) }, 'map')).toThrow(ClosureError);
  });

  it('rejects cycles but allows shared references', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => toShippable({ cyclic }, 'map')).toThrow(/cycle/);
    const shared = { v: 1 };
    expect(toShippable({ pair: [shared, shared] }, 'map').env.pair).toEqual([shared, shared]);
  });

  it('limits depth', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 150; i++) deep = [deep];
    expect(() => toShippable({ deep }, 'map')).toThrow(/nested more than 100 levels/);
  });

  it('rejects symbols', () => {
    expect(() => toShippable({ tag: Symbol('t') }, 'map')).toThrow(/symbols cannot be shipped/);
  });

  it('requires nested functions to find their free variables in the same environment', () => {
    const limit = 10;
    const clamp = (x: number): number => Math.min(x, limit);
    expect(() => toShippable({ clamp }, 'map')).toThrow(
      'map() env value `clamp` is function `clamp` that uses `limit`, which executors cannot see: functions in the environment ' +
        'share one scope, so pass it too, as .map(fn, { clamp, limit })',
    );
    expect(toShippable({ clamp, limit }, 'map').env.limit).toBe(10);
  });

  it('rejects native functions in the environment, naming the key', () => {
    expect(() => toShippable({ sqrt: Math.sqrt }, 'map')).toThrow(/`sqrt`: it is function `sqrt`, and native and bound functions cannot be shipped/);
  });

  it('rejects invalid markers from toClosureRef', () => {
    const bad = { [toClosureRef]: () => ({ $ref: 'function' }) };
    expect(() => toShippable({ bad }, 'map')).toThrow(/invalid marker/);
  });
});
