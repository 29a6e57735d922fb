import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../common/codec/codec.js';
import { CONTROL_PROTOCOL_VERSION, decodeControl, DEFAULT_CONTROL_MAX_AGE_MS, encodeControl } from './ControlCodec.js';
import { ReplayGuard } from './ReplayGuard.js';

const secret = new TextEncoder().encode('job-secret-0123456789');
const otherSecret = new TextEncoder().encode('job-secret-0123456788');
const body = { taskId: 7, partitions: [0, 1, 2], binary: new Uint8Array([1, 2, 3]), big: 2n ** 70n, props: new Map([['a', 1]]) };

describe('ControlCodec', () => {
  it('round-trips a signed message', () => {
    const decoded = decodeControl(encodeControl('launch', body, secret), secret, { requireSignature: true });
    expect(decoded).toEqual({ ok: true, type: 'launch', body, signed: true });
  });

  it('round-trips an unsigned message when signatures are not required', () => {
    expect(decodeControl(encodeControl('heartbeat', { at: 1 }, undefined), undefined, { requireSignature: false })).toEqual({
      ok: true,
      type: 'heartbeat',
      body: { at: 1 },
      signed: false,
    });
    // With a secret configured but not required, an unsigned message is accepted as unsigned.
    expect(decodeControl(encodeControl('heartbeat', null, undefined), secret, { requireSignature: false })).toMatchObject({ ok: true, signed: false });
  });

  it('accepts a signed message as unverified when the receiver has no secret and requires none', () => {
    expect(decodeControl(encodeControl('status', 1, secret), undefined, { requireSignature: false })).toEqual({ ok: true, type: 'status', body: 1, signed: false });
  });

  it('refuses a message whose every byte, flipped in turn, was tampered with', () => {
    const message = encodeControl('launch', { task: 1, code: 'x => x + 1' }, secret);
    for (let i = 0; i < message.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const tampered = new Uint8Array(message);
        tampered[i]! ^= mask;
        const decoded = decodeControl(tampered, secret, { requireSignature: true });
        expect(decoded.ok, `byte ${i} ^ ${mask} was accepted`).toBe(false);
      }
    }
  });

  it('says "bad signature" for a wrong secret or a changed body', () => {
    const message = encodeControl('kill', { taskId: 3 }, secret);
    expect(decodeControl(message, otherSecret, { requireSignature: true })).toEqual({ ok: false, reason: 'bad signature' });
    // The last byte is inside the MAC: the envelope still parses, the MAC no longer matches.
    const tampered = new Uint8Array(message);
    tampered[tampered.length - 1]! ^= 1;
    expect(decodeControl(tampered, secret, { requireSignature: false })).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('says "missing signature" for an unsigned message when one is required', () => {
    expect(decodeControl(encodeControl('launch', body, undefined), secret, { requireSignature: true })).toEqual({ ok: false, reason: 'missing signature' });
  });

  it('refuses to verify without a secret when signatures are required', () => {
    const decoded = decodeControl(encodeControl('launch', body, secret), undefined, { requireSignature: true });
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(/no secret is configured/);
  });

  it('refuses messages older than the replay window (default 5 minutes), and from too far in the future', () => {
    const sentAt = 1_700_000_000_000;
    const message = encodeControl('launch', body, secret, { now: sentAt });
    expect(decodeControl(message, secret, { requireSignature: true, now: sentAt + DEFAULT_CONTROL_MAX_AGE_MS - 1 }).ok).toBe(true);
    const late = decodeControl(message, secret, { requireSignature: true, now: sentAt + DEFAULT_CONTROL_MAX_AGE_MS + 1000 });
    expect(!late.ok && late.reason).toMatch(/^expired \(sent 301 s ago; the replay window is 300 s\)$/);
    expect(decodeControl(message, secret, { requireSignature: true, now: sentAt + 2000, maxAgeMs: 1000 })).toMatchObject({ ok: false, reason: expect.stringMatching(/^expired/) });
    const early = decodeControl(message, secret, { requireSignature: true, now: sentAt - DEFAULT_CONTROL_MAX_AGE_MS - 1000 });
    expect(!early.ok && early.reason).toMatch(/in the future/);
  });

  it('refuses a replay within the window when given a ReplayGuard', () => {
    const guard = new ReplayGuard(DEFAULT_CONTROL_MAX_AGE_MS);
    const message = encodeControl('launch', body, secret);
    expect(decodeControl(message, secret, { requireSignature: true, replayGuard: guard }).ok).toBe(true);
    expect(decodeControl(message, secret, { requireSignature: true, replayGuard: guard })).toEqual({ ok: false, reason: 'replayed (this nonce was already accepted)' });
    // A fresh message of the same content has its own nonce.
    expect(decodeControl(encodeControl('launch', body, secret), secret, { requireSignature: true, replayGuard: guard }).ok).toBe(true);
  });

  it('names an unknown protocol version', () => {
    const fields = encode(['launch', Date.now(), new Uint8Array(16), null]);
    expect(decodeControl(encode([7, fields, null]), undefined, { requireSignature: false })).toEqual({
      ok: false,
      reason: `unknown protocol version 7 (this build speaks ${CONTROL_PROTOCOL_VERSION})`,
    });
  });

  it('says "not CBOR" for bytes that are not CBOR, and what is wrong with CBOR that is not an envelope', () => {
    expect(decodeControl(new TextEncoder().encode('hello'), secret, { requireSignature: false })).toEqual({ ok: false, reason: 'not CBOR' });
    expect(decodeControl(new Uint8Array(0), secret, { requireSignature: false })).toEqual({ ok: false, reason: 'not CBOR' });
    expect(decodeControl(encode({ type: 'launch' }), secret, { requireSignature: false })).toMatchObject({ ok: false, reason: expect.stringMatching(/^not a control envelope/) });
    expect(decodeControl(encode([1, 'fields', null]), secret, { requireSignature: false })).toMatchObject({ ok: false, reason: expect.stringMatching(/fields are not a byte string/) });
    expect(decodeControl(encode([1, encode(['t', Date.now(), new Uint8Array(3), 1]), null]), secret, { requireSignature: false })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/nonce is not 16 bytes/),
    });
    expect(decodeControl(encode([1, encode(['', Date.now(), new Uint8Array(16), 1]), null]), secret, { requireSignature: false })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/type is not a non-empty string/),
    });
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, requireSignature) => {
        const decoded = decodeControl(bytes, secret, { requireSignature });
        expect(decoded.ok).toBe(false);
        expect(!decoded.ok && decoded.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary CBOR values or randomly corrupted envelopes', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        let bytes: Uint8Array;
        try {
          bytes = encode(value);
        } catch {
          return; // Not encodable by the project codec: not a message anyone can send.
        }
        const decoded = decodeControl(bytes, secret, { requireSignature: false });
        expect(typeof decoded.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
    const message = encodeControl('status', { a: [1, 2, 3] }, secret);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(message.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const corrupted = new Uint8Array(message);
        for (const [at, mask] of edits) corrupted[at]! ^= mask;
        const decoded = decodeControl(corrupted, secret, { requireSignature: true });
        // Edits can cancel out (the same byte flipped twice by the same mask).
        if (Buffer.compare(corrupted, message) !== 0) expect(decoded.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses an empty type or an empty secret when encoding', () => {
    expect(() => encodeControl('', 1, secret)).toThrow(/type must be a non-empty string/);
    expect(() => encodeControl('x', 1, new Uint8Array(0))).toThrow(/secret is empty/);
  });
});

describe('ReplayGuard', () => {
  it('forgets nonces once their messages would have expired anyway, and stays bounded', () => {
    const guard = new ReplayGuard(1000, 3);
    const nonce = (n: number): Uint8Array => new Uint8Array(16).fill(n);
    expect(guard.admit(nonce(1), 0, 0)).toBe(true);
    expect(guard.admit(nonce(1), 0, 500)).toBe(false);
    expect(guard.admit(nonce(1), 0, 1001)).toBe(true);
    for (let i = 2; i < 10; i++) guard.admit(nonce(i), 1001, 1001);
    expect(guard.size).toBe(3);
  });
});
