import { describe, expect, it } from 'vitest';
import { ClosureError } from '../errors/ClosureError.js';
import { functionExpressionSource } from './functionExpressionSource.js';

const compile = (expression: string): unknown => new Function(`"use strict"; return (${expression}\n);`)();

describe('functionExpressionSource', () => {
  it.each([
    'x => x + 1',
    'async (a, b) => a + b',
    'function named(x) { return x }',
    'async function* g() {}',
    'class A { m() {} }',
  ])('keeps function and class expressions as they are: %s', (source) => {
    expect(functionExpressionSource(source)).toBe(source);
  });

  it.each([
    ['f(x) { return x * 2 }', 'function (x) { return x * 2 }'],
    ['async f(x) { return x }', 'async function (x) { return x }'],
    ['*f(x) { yield x }', 'function* (x) { yield x }'],
    ['async *f(x) { yield x }', 'async function* (x) { yield x }'],
    ['delete(x) { return x }', 'function (x) { return x }'],
    ['async(x) { return x }', 'function (x) { return x }'],
    ['[Symbol.iterator]() { return 1 }', 'function () { return 1 }'],
  ])('turns method shorthand %s into %s', (source, expected) => {
    expect(functionExpressionSource(source)).toBe(expected);
  });

  it('produces sources that compile to working functions', () => {
    const object = {
      double(x: number): number {
        return x * 2;
      },
      *pair(x: number): Generator<number> {
        yield x;
        yield x;
      },
    };
    const double = compile(functionExpressionSource(object.double.toString())) as (x: number) => number;
    const pair = compile(functionExpressionSource(object.pair.toString())) as (x: number) => Iterable<number>;
    expect(double(21)).toBe(42);
    expect([...pair(7)]).toEqual([7, 7]);
  });

  it('throws ClosureError for native functions, accessors and non-functions', () => {
    expect(() => functionExpressionSource('function max() { [native code] }')).toThrow(ClosureError);
    expect(() => functionExpressionSource('get size() { return 1 }')).toThrow(/getters and setters/);
    expect(() => functionExpressionSource('x => x; y => y')).toThrow(/cannot parse/);
    expect(() => functionExpressionSource('#secret() { return 1 }')).toThrow(ClosureError);
  });
});
