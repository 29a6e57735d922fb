import { describe, expect, it } from 'vitest';
import { exponentialBackoffMs } from './exponentialBackoffMs.js';

describe('exponentialBackoffMs', () => {
  it('grows by the factor from the initial delay and stops at the cap', () => {
    const backoff = { initialSeconds: 10, maxSeconds: 60, factor: 2 };
    expect([1, 2, 3, 4, 5].map((n) => exponentialBackoffMs(n, backoff))).toEqual([10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('uses the CRD defaults (10 s, ×2, 300 s) for missing fields', () => {
    expect(exponentialBackoffMs(1, {})).toBe(10_000);
    expect(exponentialBackoffMs(10, {})).toBe(300_000);
  });

  it('allows fractional factors and a zero initial delay', () => {
    expect(exponentialBackoffMs(3, { initialSeconds: 1, factor: 1.5 })).toBe(2250);
    expect(exponentialBackoffMs(5, { initialSeconds: 0 })).toBe(0);
  });
});
