import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../errors/UserInputError.js';
import { KeyKind, keyKind } from './keyKind.js';

describe('keyKind', () => {
  it('classifies every valid kind of key', () => {
    expect(keyKind(undefined)).toBe(KeyKind.Undefined);
    expect(keyKind(null)).toBe(KeyKind.Null);
    expect(keyKind(false)).toBe(KeyKind.Boolean);
    expect(keyKind(-0)).toBe(KeyKind.Number);
    expect(keyKind(1n)).toBe(KeyKind.BigInt);
    expect(keyKind('')).toBe(KeyKind.String);
    expect(keyKind(new Date())).toBe(KeyKind.Date);
    expect(keyKind(Buffer.from('x'))).toBe(KeyKind.Bytes);
    expect(keyKind([])).toBe(KeyKind.Array);
    expect(keyKind(Object.create(null))).toBe(KeyKind.Object);
  });

  it('recognises plain objects, arrays, Dates and Uint8Arrays made in another realm', () => {
    const [obj, arr, date, bytes, instance] = vm.runInNewContext('[{ a: 1 }, [1], new Date(0), new Uint8Array(1), new (class Foo {})()]') as unknown[];
    expect(keyKind(obj)).toBe(KeyKind.Object);
    expect(keyKind(arr)).toBe(KeyKind.Array);
    expect(keyKind(date)).toBe(KeyKind.Date);
    expect(keyKind(bytes)).toBe(KeyKind.Bytes);
    expect(() => keyKind(instance)).toThrow(/instance of class Foo/);
  });

  it('rejects other objects with a UserInputError coded INVALID_KEY', () => {
    for (const bad of [new Map(), new Set(), new Int8Array(1), new ArrayBuffer(1), Promise.resolve(), /re/, new Error('e'), Object.create({ a: 1 })]) {
      expect(() => keyKind(bad)).toThrow(UserInputError);
      try {
        keyKind(bad);
      } catch (e) {
        expect((e as UserInputError).code).toBe('INVALID_KEY');
      }
    }
  });
});
