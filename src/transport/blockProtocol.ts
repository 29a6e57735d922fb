import { decode, encode } from '../common/codec/codec.js';

/*
 * The block fetch wire format (docs/protocol.md), shared by serveBlocks and BlockFetcher.
 *
 * Requests are small CBOR arrays:
 *   [1, 'open', blockId, firstLength]     → OPENED (with up to firstLength bytes) or ERROR
 *   [1, 'read', session, offset, length]  → DATA (exactly length bytes) or ERROR
 *   [1, 'close', session]                 (published, no reply)
 *
 * Replies are two bytes [version, kind] followed by:
 *   OPENED: uint16be metaLength, CBOR [session | null, size, crc32, maxChunk], first bytes
 *   DATA:   the raw bytes (never re-encoded, so a chunk is not copied into CBOR)
 *   ERROR:  CBOR [code, message]
 */

export const BLOCK_PROTOCOL_VERSION = 1;

/** Room kept in every reply for its header: a chunk is at most max_payload minus this. */
export const BLOCK_REPLY_OVERHEAD = 256;

export type BlockRequest =
  | { readonly op: 'open'; readonly blockId: string; readonly firstLength: number }
  | { readonly op: 'read'; readonly session: string; readonly offset: number; readonly length: number }
  | { readonly op: 'close'; readonly session: string };

export type BlockErrorCode = 'MISSING' | 'UNKNOWN_SESSION' | 'BAD_REQUEST' | 'OUT_OF_RANGE' | 'SOURCE_FAILED';

export interface BlockOpened {
  /** null when the first bytes are the whole block (the server kept nothing open). */
  readonly session: string | null;
  readonly size: number;
  /** CRC32 of the whole block; null when its bytes carry their own checksums (framed blocks). */
  readonly crc: number | null;
  /** The largest chunk this server sends. */
  readonly maxChunk: number;
}

export type BlockReply =
  | ({ readonly kind: 'opened'; readonly first: Uint8Array } & BlockOpened)
  | { readonly kind: 'data'; readonly bytes: Uint8Array }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

const KIND_OPENED = 1;
const KIND_DATA = 2;
const KIND_ERROR = 3;
const MAX_BLOCK_ID_LENGTH = 4096;

export function encodeBlockRequest(request: BlockRequest): Uint8Array {
  switch (request.op) {
    case 'open':
      return encode([BLOCK_PROTOCOL_VERSION, 'open', request.blockId, request.firstLength]);
    case 'read':
      return encode([BLOCK_PROTOCOL_VERSION, 'read', request.session, request.offset, request.length]);
    case 'close':
      return encode([BLOCK_PROTOCOL_VERSION, 'close', request.session]);
  }
}

/** Parses a request; never throws: garbage gives `{ error }` saying what was wrong. */
export function decodeBlockRequest(data: Uint8Array): BlockRequest | { readonly error: string } {
  let value: unknown;
  try {
    value = decode(data);
  } catch {
    return { error: `not CBOR (${data.byteLength} bytes)` };
  }
  if (!Array.isArray(value) || value.length < 3) return { error: 'not a block request (expected a CBOR array [version, op, …])' };
  const [version, op, a, b, c] = value as unknown[];
  if (version !== BLOCK_PROTOCOL_VERSION) return { error: `unknown block protocol version ${String(version)} (this build speaks ${BLOCK_PROTOCOL_VERSION})` };
  switch (op) {
    case 'open':
      if (value.length !== 4) return { error: "'open' takes [version, 'open', blockId, firstLength]" };
      if (typeof a !== 'string' || a === '' || a.length > MAX_BLOCK_ID_LENGTH) return { error: `'open': the block id must be a string of 1 to ${MAX_BLOCK_ID_LENGTH} characters` };
      if (!isCount(b)) return { error: "'open': firstLength must be a non-negative integer" };
      return { op, blockId: a, firstLength: b };
    case 'read':
      if (value.length !== 5) return { error: "'read' takes [version, 'read', session, offset, length]" };
      if (typeof a !== 'string' || a === '') return { error: "'read': the session must be a non-empty string" };
      if (!isCount(b) || !isCount(c)) return { error: "'read': offset and length must be non-negative integers" };
      return { op, session: a, offset: b, length: c };
    case 'close':
      if (value.length !== 3) return { error: "'close' takes [version, 'close', session]" };
      if (typeof a !== 'string' || a === '') return { error: "'close': the session must be a non-empty string" };
      return { op, session: a };
    default:
      return { error: `unknown op ${JSON.stringify(typeof op === 'string' ? op.slice(0, 40) : String(op))} (expected open, read or close)` };
  }
}

export function encodeOpenedReply(opened: BlockOpened, first: Uint8Array): Uint8Array {
  const meta = encode([opened.session, opened.size, opened.crc, opened.maxChunk]);
  const out = Buffer.allocUnsafe(4 + meta.byteLength + first.byteLength);
  out[0] = BLOCK_PROTOCOL_VERSION;
  out[1] = KIND_OPENED;
  out.writeUInt16BE(meta.byteLength, 2);
  out.set(meta, 4);
  out.set(first, 4 + meta.byteLength);
  return out;
}

/** The reply to a read: one copy of `bytes`, behind a two-byte header. */
export function encodeDataReply(bytes: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(2 + bytes.byteLength);
  out[0] = BLOCK_PROTOCOL_VERSION;
  out[1] = KIND_DATA;
  out.set(bytes, 2);
  return out;
}

export function encodeErrorReply(code: BlockErrorCode, message: string): Uint8Array {
  const body = encode([code, message]);
  const out = Buffer.allocUnsafe(2 + body.byteLength);
  out[0] = BLOCK_PROTOCOL_VERSION;
  out[1] = KIND_ERROR;
  out.set(body, 2);
  return out;
}

/** Parses a reply; the bytes of OPENED/DATA are views into `data`, not copies. Never throws. */
export function decodeBlockReply(data: Uint8Array): BlockReply | { readonly malformed: string } {
  if (data.byteLength < 2) return { malformed: `reply of ${data.byteLength} bytes is too short` };
  if (data[0] !== BLOCK_PROTOCOL_VERSION) return { malformed: `unknown block protocol version ${data[0]} in reply (this build speaks ${BLOCK_PROTOCOL_VERSION})` };
  switch (data[1]) {
    case KIND_DATA:
      return { kind: 'data', bytes: view(data, 2) };
    case KIND_OPENED: {
      if (data.byteLength < 4) return { malformed: 'OPENED reply without its metadata length' };
      const metaLength = (data[2]! << 8) | data[3]!;
      if (4 + metaLength > data.byteLength) return { malformed: 'OPENED reply shorter than its metadata' };
      let meta: unknown;
      try {
        meta = decode(data.subarray(4, 4 + metaLength));
      } catch {
        return { malformed: 'OPENED metadata is not CBOR' };
      }
      if (!Array.isArray(meta) || meta.length !== 4) return { malformed: 'OPENED metadata is not [session, size, crc, maxChunk]' };
      const [session, size, crc, maxChunk] = meta as unknown[];
      if (session !== null && (typeof session !== 'string' || session === '')) return { malformed: 'OPENED session is not a string or null' };
      if (!isCount(size) || (crc !== null && (!isCount(crc) || crc > 0xffffffff)) || !isCount(maxChunk) || maxChunk === 0) return { malformed: 'OPENED size, crc or maxChunk out of range' };
      return { kind: 'opened', session, size, crc, maxChunk, first: view(data, 4 + metaLength) };
    }
    case KIND_ERROR: {
      let body: unknown;
      try {
        body = decode(data.subarray(2));
      } catch {
        return { malformed: 'ERROR reply body is not CBOR' };
      }
      if (!Array.isArray(body) || typeof body[0] !== 'string' || typeof body[1] !== 'string') return { malformed: 'ERROR reply is not [code, message]' };
      return { kind: 'error', code: body[0], message: body[1] };
    }
    default:
      return { malformed: `unknown reply kind ${data[1]}` };
  }
}

/** A plain Uint8Array over the rest of `data` from `start` (a Buffer's subarray would be a Buffer). */
function view(data: Uint8Array, start: number): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset + start, data.byteLength - start);
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
