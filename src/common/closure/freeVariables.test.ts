import { describe, expect, it } from 'vitest';
import { ClosureError } from '../errors/ClosureError.js';
import { freeVariables } from './freeVariables.js';

describe('freeVariables', () => {
  // Sources written as strings: functions defined in this file would be rewritten by vitest.
  const cases: [label: string, source: string, expected: string[]][] = [
    ['arrow using a param and an outer name', 'x => x * k', ['k']],
    ['parenthesized arrow with several params', '(a, b) => a + b + c', ['c']],
    ['async arrow', 'async (x) => await fetchIt(x)', ['fetchIt']],
    ['function expression, own name is bound', 'function f(n) { return n ? f(n - 1) : base }', ['base']],
    ['anonymous function', 'function (x) { return x + y }', ['y']],
    ['async generator', 'async function* g(xs) { for await (const x of xs) yield x * m }', ['m']],
    ['generator', 'function* g() { yield* source }', ['source']],
    ['globals are still reported (filtering is the caller\'s job)', 'x => Math.sqrt(x) + JSON.stringify(x).length', ['JSON', 'Math']],
    ['deduplicated and sorted', 'x => z + a + z + a', ['a', 'z']],
    ['block-scoped shadow', 'x => { { const k = 1; x += k } return x + k }', ['k']],
    ['let in for loop', 'xs => { let s = 0; for (let i = 0; i < xs.length; i++) s += xs[i]; return s + i }', ['i']],
    ['var hoisting', 'function () { v = 1; var v; return v }', []],
    ['function declaration hoisting', 'function () { return helper(); function helper() { return 1 } }', []],
    ['destructuring params with defaults', '({ a, b = dflt, c: { d } = {} }, [e = a, ...rest]) => a + b + d + e + rest.length', ['dflt']],
    ['default param referencing outer name', '(x, y = fallback) => x + y', ['fallback']],
    ['default param referencing earlier param', '(x, y = x) => x + y', []],
    ['destructuring assignment target', 'x => { let a; ({ a, b } = x); return a + b }', ['b']],
    ['arguments in a function', 'function () { return arguments.length }', []],
    ['arguments in a top-level arrow is free', '() => arguments[0]', ['arguments']],
    ['arguments in an arrow inside a function', 'function () { return (() => arguments[0])() }', []],
    ['this is not a variable', 'function () { return this.x + (() => this.y)() }', []],
    ['labels are not variables', 'xs => { outer: for (const a of xs) { for (const b of a) { if (b) continue outer; break outer } } }', []],
    ['catch param', 'x => { try { return f(x) } catch (err) { return err.message + e } }', ['e', 'f']],
    ['catch destructuring param', 'x => { try { return 1 } catch ({ message }) { return message } }', []],
    ['nested functions and closures', 'x => { const add = y => y + x + z; function mul(q) { return q * w } return add(mul(x)) }', ['w', 'z']],
    ['class expression', 'class Point { constructor(x) { this.x = x } static of(x) { return new Point(x * scale) } }', ['scale']],
    ['class extends outer name', 'class Special extends Base { m() { return super.m() } }', ['Base']],
    ['class fields and static blocks', 'class C { a = init; static b = C.name; static { log(C) } #p = 1; get p() { return this.#p } }', ['init', 'log']],
    ['class inside arrow', 'x => { class Acc { add(v) { return v + x } } return new Acc().add(k) }', ['k']],
    ['template literal', 'x => `${x}:${prefix}-${`${inner}`}`', ['inner', 'prefix']],
    ['tagged template', 'x => tag`a${x}`', ['tag']],
    ['optional chaining and nullish', 'x => x?.a?.[key] ?? other?.()', ['key', 'other']],
    ['object property names and shorthand', 'x => ({ a: x, b, [c]: 1, d() { return d } })', ['b', 'c', 'd']],
    ['member property names are not variables', 'x => x.foo.bar + obj.baz', ['obj']],
    ['spread', 'xs => [...xs, ...more]', ['more']],
    ['typeof of an undeclared name is still a reference', 'x => typeof maybe === "undefined"', ['maybe']],
    ['assignment to an undeclared name', 'x => { total = x }', ['total']],
    ['update of an outer name', 'x => counter++', ['counter']],
    ['new.target and import.meta-free code', 'function F() { if (!new.target) return new F() }', []],
    ['regex and bigint literals', 'x => /a+/.test(x) && 10n > big', ['big']],
    ['tsx __name calls', 'function scoreAll(values){function score(v){return v*weight}__name(score,"score");const bump=__name(v=>score(v)+1,"bump");return values.map(bump)}', ['__name', 'weight']],
    ['tsx class static block', 'x=>{class P{static{__name(this,"P")}x=x}return new P}', ['__name']],
    ['vitest rewritten import is a free variable', 'x => __vite_ssr_import_0__.compare(x)', ['__vite_ssr_import_0__']],
    ['eval is reported without making locals free', 'x => { const y = 1; return eval("x + y") }', ['eval']],
    ['method shorthand', 'f(x) { return x * k }', ['k']],
    ['method shorthand does not bind its own name', 'fact(n) { return n <= 1 ? 1 : n * fact(n - 1) }', ['fact']],
    ['async method shorthand', 'async load(id) { return await db.get(id) }', ['db']],
    ['generator method shorthand', '*each(xs) { for (const x of xs) yield x + off }', ['off']],
    ['async generator method shorthand', 'async *each(xs) { yield xs }', []],
    ['method named like a keyword', 'delete(x) { return x }', []],
    ['method named async', 'async(x) { return x + a }', ['a']],
    ['method named get', 'get(x) { return x + a }', ['a']],
    ['computed method name', '[Symbol.iterator]() { return it }', ['it']],
    ['string method name', "'a b'(x) { return x }", []],
    ['function created by new Function', 'function anonymous(a,b\n) {\nreturn a+b+c\n}', ['c']],
    ['source with a trailing line comment', 'x => x + k // why', ['k']],
  ];

  it.each(cases)('%s', (_label, source, expected) => {
    expect(freeVariables(source)).toEqual(expected);
  });

  it('analyses real functions through their toString()', () => {
    const k = 2;
    const fn = (x: number): number => x * k;
    expect(freeVariables(fn.toString())).toEqual(['k']);
  });

  it('rejects native functions with advice to wrap them', () => {
    expect(() => freeVariables(Math.sqrt.toString())).toThrow(ClosureError);
    expect(() => freeVariables(Math.sqrt.toString())).toThrow(/native and bound functions.*x => Math\.sqrt\(x\)/);
  });

  it('rejects bound functions', () => {
    const bound = ((x: number) => x).bind(null);
    expect(() => freeVariables(bound.toString())).toThrow(/native and bound functions/);
  });

  it('rejects getters and setters', () => {
    const descriptor = Object.getOwnPropertyDescriptor({ get v() { return 1; } }, 'v');
    expect(() => freeVariables(String(descriptor?.get))).toThrow(/getters and setters/);
    expect(() => freeVariables('set v(x) { this._v = x }')).toThrow(/getters and setters/);
  });

  it('rejects sources that are not a single function', () => {
    expect(() => freeVariables('x => x), (y => y')).toThrow(ClosureError);
    expect(() => freeVariables('x => x); evil(); (0')).toThrow(ClosureError);
    expect(() => freeVariables('42')).toThrow(/cannot parse/);
    expect(() => freeVariables('x => {')).toThrow(/cannot parse/);
  });

  it('rejects sloppy-only syntax, since executors compile in strict mode', () => {
    expect(() => freeVariables('function (o) { with (o) { return a } }')).toThrow(ClosureError);
  });

  it('rejects methods that use super', () => {
    expect(() => freeVariables('m() { return super.m() }')).toThrow(/super/);
  });
});
