import { describe, expect, it } from 'vitest';
import { KuberddError } from '../errors/KuberddError.js';
import { intrinsicName, lookupIntrinsic, registerIntrinsic } from './intrinsics.js';

describe('intrinsics', () => {
  it('maps names to functions and back', () => {
    const compareTestKeys = (a: number, b: number): number => a - b;
    registerIntrinsic('test.compareTestKeys', compareTestKeys);
    expect(lookupIntrinsic('test.compareTestKeys')).toBe(compareTestKeys);
    expect(intrinsicName(compareTestKeys)).toBe('test.compareTestKeys');
    expect(intrinsicName(() => 0)).toBeUndefined();
  });

  it('allows registering the same pair twice', () => {
    const same = (): number => 1;
    registerIntrinsic('test.same', same);
    registerIntrinsic('test.same', same);
    expect(lookupIntrinsic('test.same')).toBe(same);
  });

  it('rejects conflicting registrations', () => {
    const first = (): number => 1;
    registerIntrinsic('test.taken', first);
    expect(() => registerIntrinsic('test.taken', () => 2)).toThrow(/already registered/);
    expect(() => registerIntrinsic('test.other', first)).toThrow(/already registered as intrinsic `test.taken`/);
  });

  it('throws UNKNOWN_INTRINSIC for unknown names', () => {
    let caught: unknown;
    try {
      lookupIntrinsic('test.missing');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(KuberddError);
    expect((caught as KuberddError).code).toBe('UNKNOWN_INTRINSIC');
    expect((caught as KuberddError).message).toMatch(/test\.missing/);
  });
});
