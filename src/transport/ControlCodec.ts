import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { decode, encode } from '../common/codec/codec.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { ReplayGuard } from './ReplayGuard.js';

/*
 * Control envelope (docs/protocol.md):
 *
 *   envelope = CBOR [version, fields, mac]
 *   fields   = CBOR [type, timestampMs, nonce (16 bytes), body]   — carried as a byte string
 *   mac      = HMAC-SHA256(secret, uint32be(version) ‖ fields)     — 32 bytes, or null if unsigned
 *
 * The MAC covers the fields' exact bytes as sent, so verifying never depends on re-encoding,
 * and a receiver checks it before it decodes anything the sender chose (type or body).
 */

/** The control protocol version this build writes and accepts. */
export const CONTROL_PROTOCOL_VERSION = 1;

/** Default replay window: a message whose timestamp is further than this from now is refused. */
export const DEFAULT_CONTROL_MAX_AGE_MS = 5 * 60_000;

const NONCE_BYTES = 16;
const MAC_BYTES = 32;

/**
 * Encodes a control message of `type` with `body` (any value the project codec takes) into
 * an envelope, signed with HMAC-SHA256 when `secret` is given. Throws UserInputError for an
 * empty type or secret, or a body that cannot be encoded (the sender's bug, not bad input).
 */
export function encodeControl(type: string, body: unknown, secret: Uint8Array | undefined, opts?: { readonly now?: number }): Uint8Array {
  if (typeof type !== 'string' || type === '') throw new UserInputError('encodeControl: the message type must be a non-empty string.');
  if (secret !== undefined && secret.byteLength === 0) throw new UserInputError('encodeControl: the secret is empty; pass undefined to send unsigned.');
  const fields = encode([type, opts?.now ?? Date.now(), new Uint8Array(randomBytes(NONCE_BYTES)), body]);
  return encode([CONTROL_PROTOCOL_VERSION, fields, secret === undefined ? null : mac(secret, CONTROL_PROTOCOL_VERSION, fields)]);
}

/** The result of decodeControl: the message, or why it was refused. */
export type DecodedControl =
  | { readonly ok: true; readonly type: string; readonly body: unknown; readonly signed: boolean }
  | { readonly ok: false; readonly reason: string };

export interface DecodeControlOptions {
  /** Refuse messages without a valid signature (needs `secret`). */
  readonly requireSignature: boolean;
  /**
   * The replay window: messages stamped more than this before (or after, for clock skew) the
   * receiver's clock are refused as "expired". Default DEFAULT_CONTROL_MAX_AGE_MS (5 minutes).
   */
  readonly maxAgeMs?: number;
  /** The receiver's clock, for tests; default Date.now(). */
  readonly now?: number;
  /** Also refuse a message whose nonce was already accepted within the window. */
  readonly replayGuard?: ReplayGuard;
}

/**
 * Decodes and checks a control envelope. Never throws: garbage, a wrong version, a missing or
 * bad signature, or an expired timestamp give `{ ok: false, reason }` saying which. `signed` is
 * true when the signature was verified; a signed message received without a secret (and
 * without requireSignature) is accepted as unverified, `signed: false`.
 */
export function decodeControl(data: Uint8Array, secret: Uint8Array | undefined, opts: DecodeControlOptions): DecodedControl {
  try {
    return check(data, secret, opts);
  } catch (e) {
    return refuse(`malformed envelope (${e instanceof Error ? e.message : String(e)})`);
  }
}

function check(data: Uint8Array, secret: Uint8Array | undefined, opts: DecodeControlOptions): DecodedControl {
  if (opts.requireSignature && (secret === undefined || secret.byteLength === 0)) {
    return refuse('a signature is required but no secret is configured to verify it');
  }
  let envelope: unknown;
  try {
    envelope = decode(data);
  } catch {
    return refuse('not CBOR');
  }
  if (!Array.isArray(envelope) || envelope.length !== 3) return refuse('not a control envelope (expected a CBOR array [version, fields, mac])');
  const [version, fields, signature] = envelope as [unknown, unknown, unknown];
  if (typeof version !== 'number' || !Number.isInteger(version)) return refuse('not a control envelope (the version is not an integer)');
  if (version !== CONTROL_PROTOCOL_VERSION) return refuse(`unknown protocol version ${version} (this build speaks ${CONTROL_PROTOCOL_VERSION})`);
  if (!(fields instanceof Uint8Array)) return refuse('malformed envelope (the fields are not a byte string)');

  let signed = false;
  if (signature === null || signature === undefined) {
    if (opts.requireSignature) return refuse('missing signature');
  } else if (!(signature instanceof Uint8Array) || signature.byteLength !== MAC_BYTES) {
    return refuse(`malformed signature (expected ${MAC_BYTES} bytes of HMAC-SHA256)`);
  } else if (secret !== undefined && secret.byteLength > 0) {
    if (!timingSafeEqual(signature, mac(secret, version, fields))) return refuse('bad signature');
    signed = true;
  }

  let decoded: unknown;
  try {
    decoded = decode(fields);
  } catch {
    return refuse('malformed envelope (the fields are not CBOR)');
  }
  if (!Array.isArray(decoded) || decoded.length !== 4) return refuse('malformed envelope (expected fields [type, timestamp, nonce, body])');
  const [type, timestamp, nonce, body] = decoded as [unknown, unknown, unknown, unknown];
  if (typeof type !== 'string' || type === '') return refuse('malformed envelope (the type is not a non-empty string)');
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return refuse('malformed envelope (the timestamp is not a number)');
  if (!(nonce instanceof Uint8Array) || nonce.byteLength !== NONCE_BYTES) return refuse(`malformed envelope (the nonce is not ${NONCE_BYTES} bytes)`);

  const now = opts.now ?? Date.now();
  const maxAge = opts.maxAgeMs ?? DEFAULT_CONTROL_MAX_AGE_MS;
  const age = now - timestamp;
  if (age > maxAge) return refuse(`expired (sent ${seconds(age)} ago; the replay window is ${seconds(maxAge)})`);
  if (-age > maxAge) return refuse(`timestamp ${seconds(-age)} in the future (clocks differ by more than the ${seconds(maxAge)} replay window?)`);
  if (opts.replayGuard !== undefined && !opts.replayGuard.admit(nonce, timestamp, now)) return refuse('replayed (this nonce was already accepted)');

  return { ok: true, type, body, signed };
}

function mac(secret: Uint8Array, version: number, fields: Uint8Array): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(version >>> 0);
  return createHmac('sha256', secret).update(prefix).update(fields).digest();
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function refuse(reason: string): DecodedControl {
  return { ok: false, reason };
}
