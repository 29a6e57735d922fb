import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../common/codec/codec.js';
import { decodeBlockReply, decodeBlockRequest, encodeBlockRequest, encodeDataReply, encodeErrorReply, encodeOpenedReply } from './blockProtocol.js';

describe('blockProtocol', () => {
  it('round-trips every request', () => {
    for (const request of [
      { op: 'open', blockId: 'shuffle_1_2_3', firstLength: 65_000 },
      { op: 'read', session: 'abc.1', offset: 1 << 30, length: 1 },
      { op: 'close', session: 'abc.1' },
    ] as const) {
      expect(decodeBlockRequest(encodeBlockRequest(request))).toEqual(request);
    }
  });

  it('round-trips every reply, the bytes as views without a copy', () => {
    const bytes = new Uint8Array([9, 8, 7]);
    const opened = decodeBlockReply(encodeOpenedReply({ session: 's.1', size: 10, crc: 0xffffffff, maxChunk: 3 }, bytes));
    expect(opened).toEqual({ kind: 'opened', session: 's.1', size: 10, crc: 0xffffffff, maxChunk: 3, first: bytes });
    const data = encodeDataReply(bytes);
    const decoded = decodeBlockReply(data);
    expect(decoded).toEqual({ kind: 'data', bytes });
    expect('bytes' in decoded && decoded.bytes.buffer).toBe(data.buffer);
    expect(decodeBlockReply(encodeErrorReply('MISSING', 'no block x'))).toEqual({ kind: 'error', code: 'MISSING', message: 'no block x' });
    expect(decodeBlockReply(encodeOpenedReply({ session: null, size: 0, crc: 0, maxChunk: 1 }, new Uint8Array(0)))).toMatchObject({ session: null, size: 0 });
    // A self-checked block has no block CRC.
    expect(decodeBlockReply(encodeOpenedReply({ session: 's.2', size: 10, crc: null, maxChunk: 3 }, bytes))).toMatchObject({ kind: 'opened', crc: null });
  });

  it('says what is wrong with a malformed request', () => {
    expect(decodeBlockRequest(new Uint8Array([0xff, 0x00]))).toMatchObject({ error: expect.stringMatching(/not CBOR|not a block request/) });
    expect(decodeBlockRequest(encode([2, 'open', 'b', 1]))).toEqual({ error: 'unknown block protocol version 2 (this build speaks 1)' });
    expect(decodeBlockRequest(encode([1, 'delete', 'b']))).toEqual({ error: 'unknown op "delete" (expected open, read or close)' });
    expect(decodeBlockRequest(encode([1, 'read', 's', -1, 5]))).toEqual({ error: "'read': offset and length must be non-negative integers" });
    expect(decodeBlockRequest(encode([1, 'open', '', 5]))).toMatchObject({ error: expect.stringMatching(/block id must be a string/) });
  });

  it('never throws on garbage requests or replies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const request = decodeBlockRequest(bytes);
        expect(typeof request).toBe('object');
        const reply = decodeBlockReply(bytes);
        expect(typeof reply).toBe('object');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 6 }), (items) => {
        let bytes: Uint8Array;
        try {
          bytes = encode([1, ...items]);
        } catch {
          return;
        }
        expect(typeof decodeBlockRequest(bytes)).toBe('object');
        expect(typeof decodeBlockReply(new Uint8Array([1, 1, 0, bytes.length, ...bytes]))).toBe('object');
      }),
      { numRuns: 500 },
    );
  });
});
