import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from './crc32.js';

describe('crc32', () => {
  it('matches the standard check value', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Portable(check)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('gives the same result natively and portably, whole or in pieces', () => {
    expect(typeof (zlib as { crc32?: unknown }).crc32).toBe('function'); // Node >= 20.15: the native path is what runs
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (data, cut) => {
        const at = Math.min(cut, data.length);
        const whole = crc32(data);
        expect(crc32Portable(data)).toBe(whole);
        expect(crc32(data.subarray(at), crc32(data.subarray(0, at)))).toBe(whole);
        expect(crc32Portable(data.subarray(at), crc32Portable(data.subarray(0, at)))).toBe(whole);
      }),
    );
  });
});
