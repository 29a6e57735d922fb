import { describe, expect, it } from 'vitest';
import { ClosureError } from '../errors/ClosureError.js';
import { captureClosure } from './captureClosure.js';
import { notShippable, toClosureRef, type ClosureRef } from './shippable.js';

const site = { transformation: 'map' };

describe('captureClosure', () => {
  it('ships the source, the converted environment and a descriptive name', () => {
    const k = 3;
    const triple = (x: number): number => x * k;
    const closure = captureClosure(triple, { k }, site);
    expect(closure.fn).toBe(triple);
    expect(closure.serialized).toEqual({ source: triple.toString(), env: { k: 3 }, name: 'map() function `triple`' });
    expect(captureClosure((x: number) => x, undefined, { transformation: 'filter' }).serialized.name).toBe('filter() function');
  });

  it('allows globals without an environment', () => {
    const fn = (x: number): string => JSON.stringify([Math.sqrt(x), Number.isFinite(x), console === undefined]);
    expect(captureClosure(fn, undefined, site).serialized.env).toEqual({});
  });

  it('explains a missing free variable with the exact fix', () => {
    const threshold = 5;
    expect(() => captureClosure((x: number) => x > threshold, undefined, site)).toThrow(
      new ClosureError('map() uses `threshold`, which executors cannot see: pass it as .map(fn, { threshold })'),
    );
  });

  it('lists every missing variable, and keeps the ones already passed in the suggestion', () => {
    const threshold = 5;
    const factor = 2;
    const offset = 1;
    const fn = (x: number): boolean => x * factor + offset > threshold;
    expect(() => captureClosure(fn, { offset }, { transformation: 'filter' })).toThrow(
      'filter() uses `factor` and `threshold`, which executors cannot see: pass them as .filter(fn, { factor, offset, threshold })',
    );
  });

  it('keeps environment keys the function does not use', () => {
    const closure = captureClosure((x: number) => x, { unused: [1, 2] }, site);
    expect(closure.serialized.env).toEqual({ unused: [1, 2] });
  });

  it('rejects non-functions', () => {
    expect(() => captureClosure(42 as unknown as () => void, undefined, site)).toThrow(new ClosureError('map() expects a function, got number'));
    expect(() => captureClosure(null as unknown as () => void, undefined, { transformation: 'flatMap' })).toThrow('flatMap() expects a function, got null');
  });

  it('rejects environments that are not object literals', () => {
    const env = new Map([['k', 1]]) as unknown as Record<string, unknown>;
    expect(() => captureClosure(() => 1, env, site)).toThrow(/object literal such as \{ threshold \}, got an instance of Map/);
  });

  it('rejects environment keys that are not identifiers or are reserved', () => {
    expect(() => captureClosure(() => 1, { 'a-b': 1 }, site)).toThrow(/environment key `a-b` is not a name/);
    expect(() => captureClosure(() => 1, { class: 1 }, site)).toThrow(/environment key `class`/);
    expect(() => captureClosure(() => 1, { __kuberddData: 1 }, site)).toThrow(/reserved for kuberdd/);
  });

  it('rejects native and bound functions, suggesting a wrapper', () => {
    expect(() => captureClosure(Math.sqrt, undefined, site)).toThrow(
      /^map\(\) function `sqrt` cannot be shipped: native and bound functions .*x => Math\.sqrt\(x\)/,
    );
    const bound = function (this: { k: number }, x: number): number {
      return x * this.k;
    }.bind({ k: 2 });
    expect(() => captureClosure(bound, undefined, site)).toThrow(ClosureError);
  });

  it('rejects class instances and notShippable values in the environment', () => {
    class Config {
      limit = 3;
    }
    expect(() => captureClosure(() => 1, { cfg: new Config() }, site)).toThrow(/`cfg`: an instance of `Config` would lose its prototype/);
    const rdd = { [notShippable]: () => 'use a broadcast' };
    expect(() => captureClosure(() => 1, { rdd }, { transformation: 'reduce' })).toThrow(
      'reduce() cannot ship env value `rdd`: this object cannot be used inside functions that run on executors: use a broadcast',
    );
  });

  it('offers plain-data values to autoBroadcast and ships the markers it returns', () => {
    const offered: unknown[] = [];
    const big = new Array(10).fill(1);
    const small = { a: 1 };
    const helper = (x: number): number => x;
    const marker: ClosureRef = { $ref: 'broadcast', id: 1 };
    const closure = captureClosure((x: number) => helper(x) + big.length + small.a, { big, small, helper }, {
      transformation: 'map',
      autoBroadcast: (value) => {
        offered.push(value);
        return value === big ? marker : undefined;
      },
    });
    expect(offered).toEqual([big, small]);
    expect(closure.serialized.env.big).toBe(marker);
    expect(closure.serialized.env.small).toBe(small);
    expect(closure.serialized.env.helper).toMatchObject({ $ref: 'function', name: 'helper' });
  });

  it('ships Shippable objects as their markers', () => {
    const counter = { [toClosureRef]: (): ClosureRef => ({ $ref: 'accumulator', id: 4 }) };
    const closure = captureClosure(() => counter, { counter }, site);
    expect(closure.serialized.env).toEqual({ counter: { $ref: 'accumulator', id: 4 } });
  });

  it('converts method shorthand to a function expression', () => {
    const ops = {
      twice(x: number): number {
        return x * 2;
      },
    };
    expect(captureClosure(ops.twice, undefined, site).serialized.source).toMatch(/^function \(x\)/);
  });
});
