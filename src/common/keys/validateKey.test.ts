import { describe, expect, it } from 'vitest';
import { UserInputError } from '../errors/UserInputError.js';
import { validateKey } from './validateKey.js';

describe('validateKey', () => {
  it('accepts every valid kind, however nested', () => {
    expect(() =>
      validateKey([undefined, null, true, -0, NaN, 1n, 's', new Date(NaN), Buffer.from('b'), { a: [{ b: new Uint8Array(1) }] }, Object.create(null)]),
    ).not.toThrow();
  });

  it('finds an invalid value anywhere inside and names its type', () => {
    class Money {}
    expect(() => validateKey({ a: [1, { b: new Money() }] })).toThrow(/instance of class Money/);
    expect(() => validateKey([[[Symbol('deep')]]])).toThrow(/found a symbol \(Symbol\(deep\)\)/);
    expect(() => validateKey({ when: new Promise(() => {}) })).toThrow(/found a Promise/);
  });

  it('stops at 256 levels of nesting with a hint about cycles', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 256; i++) deep = [deep];
    expect(() => validateKey(deep)).not.toThrow();
    expect(() => validateKey([deep])).toThrow(UserInputError);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => validateKey(cyclic)).toThrow(/nested more than 256 .*cyclic/);
  });
});
