import { describe, expect, it } from 'vitest';
import { findUnencodable } from './findUnencodable.js';

describe('findUnencodable', () => {
  it('finds nothing in plain data, including shared (but acyclic) references', () => {
    const shared = { a: 1 };
    expect(findUnencodable([shared, shared, new Map([[shared, new Set([shared])]]), new Uint8Array(2)])).toBeUndefined();
  });

  it('gives a readable path to the first function or symbol', () => {
    expect(findUnencodable(() => 1)).toEqual({ path: '', what: 'a function' });
    expect(findUnencodable({ rows: [0, { fn: function handler() {} }] })).toEqual({ path: 'rows[1].fn', what: 'a function (handler)' });
    expect(findUnencodable({ 'odd key': [Symbol('s')] })).toEqual({ path: '["odd key"][0]', what: 'a symbol (Symbol(s))' });
    expect(findUnencodable({ m: new Map([['k', Symbol.iterator]]) })).toEqual({ path: 'm<value 0>', what: 'a symbol (Symbol(Symbol.iterator))' });
  });

  it('reports a cycle and where it points back to', () => {
    const root: Record<string, unknown> = { list: [] };
    const child = { parent: root };
    (root['list'] as unknown[]).push(child);
    expect(findUnencodable(root)).toEqual({ path: 'list[0].parent', what: 'a reference back to the root (a cycle)' });
    const inner: unknown[] = [];
    inner.push(inner);
    expect(findUnencodable({ x: inner })).toEqual({ path: 'x[0]', what: 'a reference back to x (a cycle)' });
  });
});
