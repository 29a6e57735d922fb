import { tsImport } from 'tsx/esm/api';
import { describe, expect, it } from 'vitest';
import { ClosureError } from '../errors/ClosureError.js';
import { KuberddError } from '../errors/KuberddError.js';
import { captureClosure } from './captureClosure.js';
import { registerIntrinsic } from './intrinsics.js';
import { reviveClosure } from './reviveClosure.js';
import type { SerializedClosure } from './SerializedClosure.js';
import { toClosureRef, type ClosureRef } from './shippable.js';

type AnyFn = (...args: never[]) => unknown;

const noRefs = (ref: ClosureRef): never => {
  throw new Error(`unexpected ref ${JSON.stringify(ref)}`);
};

/** Capture, clone as a transport would, revive: what an executor gets. */
function ship<F extends AnyFn>(fn: F, env?: Record<string, unknown>, resolveRef: (ref: ClosureRef) => unknown = noRefs): F {
  const { serialized } = captureClosure(fn, env, { transformation: 'map' });
  return reviveClosure<F>(structuredClone(serialized), resolveRef);
}

describe('reviveClosure', () => {
  it('round-trips functions with their environments', () => {
    const k = 7;
    const words = new Set(['a', 'b']);
    const table = new Map([['x', 1]]);
    const cfg = { scale: 2, tags: ['t'], when: new Date(1000), re: /^a/ };
    const cases: [fn: (x: string) => unknown, env: Record<string, unknown> | undefined][] = [
      [(x) => x.length * k, { k }],
      [(x) => words.has(x), { words }],
      [(x) => table.get(x) ?? -1, { table }],
      [(x) => `${x}:${cfg.scale}:${cfg.tags.join()}:${cfg.when.getTime()}:${cfg.re.test(x)}`, { cfg }],
      [function (this: unknown, x) { return [typeof this, arguments.length, x]; }, undefined],
      [(x) => [...x].reverse().join(''), undefined],
    ];
    for (const [fn, env] of cases) {
      const revived = ship(fn, env);
      for (const input of ['a', 'xyz', '']) expect(revived(input)).toEqual(fn(input));
    }
  });

  it('round-trips async functions and generators', async () => {
    const step = 3;
    const asyncFn = async (x: number): Promise<number> => (await Promise.resolve(x)) + step;
    function* range(n: number): Generator<number> {
      for (let i = 0; i < n; i += step) yield i;
    }
    expect(await ship(asyncFn, { step })(1)).toBe(4);
    expect([...ship(range, { step })(10)]).toEqual([0, 3, 6, 9]);
  });

  it('compiles in strict mode, like the ESM modules user functions come from', () => {
    const fn = function (this: unknown): unknown {
      return this;
    };
    expect(ship(fn)()).toBeUndefined();
  });

  it('lets helper functions in the environment call each other and see env values', () => {
    const limit = 100;
    const square = (x: number): number => x * x;
    const clamp = (x: number): number => Math.min(x, limit);
    const squareClamped = (x: number): number => clamp(square(x));
    function fact(n: number): number {
      return n <= 1 ? 1 : n * fact(n - 1);
    }
    const fn = (x: number): number[] => [squareClamped(x), fact(x)];
    const revived = ship(fn, { limit, square, clamp, squareClamped, fact });
    expect(revived(5)).toEqual([25, 120]);
    expect(revived(20)).toEqual([100, fn(20)[1]]);
  });

  it('revives functions nested in data, with their original names', () => {
    const offset = 10;
    const ops = { inc: (x: number): number => x + 1, list: [(x: number): number => x * 2, (x: number): number => x + offset] };
    const fn = (x: number): unknown => [ops.inc(x), ...ops.list.map((f) => f(x)), ops.inc.name];
    expect(ship(fn, { ops, offset })(1)).toEqual([2, 2, 11, 'inc']);
  });

  it('revives helper classes from the environment, whose statics may read plain-data env values', () => {
    const unit = 5;
    class Money {
      static zero = new Money(0);
      static readonly step = unit;
      constructor(readonly cents: number) {}
      plus(o: Money): Money {
        return new Money(this.cents + o.cents + Money.step);
      }
    }
    const fn = (x: number): number => Money.zero.plus(new Money(x)).cents;
    expect(ship(fn, { Money, unit })(1)).toBe(6);
  });

  it('resolves intrinsic markers through the registry', () => {
    const descending = (a: number, b: number): number => b - a;
    registerIntrinsic('test.revive.descending', descending);
    const fn = (xs: number[]): number[] => [...xs].sort(descending);
    const { serialized } = captureClosure(fn, { descending }, { transformation: 'mapPartitions' });
    expect(serialized.env.descending).toEqual({ $ref: 'intrinsic', name: 'test.revive.descending' });
    expect(reviveClosure<typeof fn>(structuredClone(serialized), noRefs)([1, 3, 2])).toEqual([3, 2, 1]);
  });

  it('fails with UNKNOWN_INTRINSIC when the executor lacks an intrinsic', () => {
    const serialized: SerializedClosure = { source: '() => f', env: { f: { $ref: 'intrinsic', name: 'test.nowhere' } }, name: 'map() function' };
    expect(() => reviveClosure(serialized, noRefs)).toThrow(expect.objectContaining({ code: 'UNKNOWN_INTRINSIC' }) as KuberddError);
  });

  it('hands other markers to resolveRef, wherever they are', () => {
    class Broadcast<T> {
      constructor(readonly id: number, readonly value: T) {}
      [toClosureRef](): ClosureRef {
        return { $ref: 'broadcast', id: this.id };
      }
    }
    const lookup = new Broadcast(1, { a: 1 });
    const fn = (x: string): unknown => (cfg.lookup as Broadcast<Record<string, number>>).value[x];
    const cfg = { lookup };
    const seen: ClosureRef[] = [];
    const revived = ship(fn, { cfg }, (ref) => {
      seen.push(ref);
      return new Broadcast(ref.id as number, { a: 42 });
    });
    expect(seen).toEqual([{ $ref: 'broadcast', id: 1 }]);
    expect(revived('a')).toBe(42);
  });

  it('restores user data that has a $ref key', () => {
    const schema = { $ref: '#/x', nested: { $ref: 'y' } };
    const fn = (): unknown => schema;
    expect(ship(fn, { schema })()).toEqual(schema);
  });

  it('revives method shorthand sources', () => {
    const k = 4;
    const ops = {
      times(x: number): number {
        return x * k;
      },
    };
    const serialized: SerializedClosure = { source: ops.times.toString(), env: { k }, name: 'map() function `times`' };
    expect(reviveClosure<(x: number) => number>(serialized, noRefs)(2)).toBe(8);
    expect(ship(ops.times, { k })(3)).toBe(12);
  });

  it('can revive the same serialized closure twice without changing it', () => {
    const helper = (x: number): number => x + 1;
    const { serialized } = captureClosure((x: number) => helper(x), { helper }, { transformation: 'map' });
    const before = structuredClone(serialized);
    const a = reviveClosure<(x: number) => number>(serialized, noRefs);
    const b = reviveClosure<(x: number) => number>(serialized, noRefs);
    expect([a(1), b(2)]).toEqual([2, 3]);
    expect(serialized).toEqual(before);
  });

  it('names the function when a source does not compile', () => {
    const broken: SerializedClosure = { source: 'x => {', env: {}, name: 'map() function `broken`' };
    expect(() => reviveClosure(broken, noRefs)).toThrow(ClosureError);
    expect(() => reviveClosure(broken, noRefs)).toThrow(/^map\(\) function `broken` cannot be compiled/);
    const brokenHelper: SerializedClosure = {
      source: '() => h()',
      env: { h: { $ref: 'function', source: 'function (', name: 'h' } },
      name: 'map() function',
    };
    expect(() => reviveClosure(brokenHelper, noRefs)).toThrow(/env function `h` cannot be compiled/);
  });

  it('refuses environment keys that could not be bound', () => {
    const serialized: SerializedClosure = { source: '() => 1', env: { 'a}=0;evil();({a': 1 }, name: 'map() function' };
    expect(() => reviveClosure(serialized, noRefs)).toThrow(/cannot be bound/);
  });

  it('runs functions from TypeScript files loaded through tsx (esbuild __name helper)', async () => {
    const job = (await tsImport('./fixtures/tsxJob.ts', import.meta.url)) as typeof import('./fixtures/tsxJob.js');
    expect(job.scoreAll.toString()).toContain('__name(');
    expect(() => captureClosure(job.scoreAll, undefined, { transformation: 'map' })).toThrow(
      'map() uses `weight`, which executors cannot see: pass it as .map(fn, { weight })',
    );
    const revived = ship(job.scoreAll, { weight: job.weight });
    expect(revived([1, 2])).toEqual(job.scoreAll([1, 2]));
    expect(ship(job.helpers.clamp)(42)).toBe(10);
  });
});
