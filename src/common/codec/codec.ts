import { addExtension, Decoder, Encoder } from 'cbor-x';
import type { Extension, Options } from 'cbor-x';
import { KuberddError } from '../errors/KuberddError.js';
import { UserInputError } from '../errors/UserInputError.js';
import { KeyMap } from '../keys/KeyMap.js';
import { codecExtensionRegistry } from './codecExtensionRegistry.js';
import { CodecTag } from './codecTags.js';
import { escapeForCbor } from './escapeForCbor.js';
import { findUnencodable } from './findUnencodable.js';
import { registerCodecExtension } from './registerCodecExtension.js';

/*
 * Records (cbor-x's object-shape extension) are on, but only within one buffer: without the
 * `structures`/`sequential` options every encoded buffer defines the shapes it uses, so any
 * fresh process can decode it alone. They make arrays of similar objects smaller and faster
 * to decode and, unlike cbor-x's map writer, have no 65535-key limit per object.
 */
const OPTIONS: Options = { useRecords: true };

// useBuffer and the mode argument exist in cbor-x but not in its typings.
const encoder = new Encoder(OPTIONS) as unknown as {
  encode(value: unknown, mode?: number): Uint8Array;
  useBuffer(buffer: Uint8Array): void;
};
/**
 * cbor-x's RESET_BUFFER_MODE (encode.js; not re-exported): write every message at the start of
 * the same scratch buffer. Since each result is copied out at once, this avoids allocating a
 * fresh scratch buffer as big as the largest message every time the old one fills up.
 */
const RESET_BUFFER_MODE = 1024;
// copyBuffers: decoded Uint8Arrays and typed arrays own their memory instead of pinning (or
// aliasing) the block they came from, which is often a pooled read buffer.
const decoder = new Decoder({ ...OPTIONS, copyBuffers: true });

/** After a message this big, drop cbor-x's grown scratch buffer rather than keep it for good. */
const MAX_RETAINED_SCRATCH = 8 * 1024 * 1024;

let encoding = false;
let warmedUp = false;

// Standard tag 1 stores float seconds, which cannot hold every millisecond beyond 2^52 ms
// (about ±139,000 years); such Dates use integer milliseconds under a kuberdd tag instead.
addExtension({
  Class: Date,
  getTag(date: Date): number {
    const ms = date.getTime();
    return Math.round((ms / 1000) * 1000) === ms || ms !== ms ? 1 : CodecTag.DateMillis;
  },
  encode(date: Date, write: (data: unknown) => Uint8Array): void {
    const ms = date.getTime();
    write(Math.round((ms / 1000) * 1000) === ms || ms !== ms ? ms / 1000 : ms);
  },
} as unknown as Extension<Date, number>);
addExtension({ tag: CodecTag.DateMillis, decode: (ms: number) => new Date(ms) } as unknown as Extension<Date, number>);
codecExtensionRegistry.tags.set(CodecTag.DateMillis, Date);

registerCodecExtension({
  type: KeyMap,
  tag: CodecTag.KeyMap,
  encode(map: KeyMap<unknown, unknown>): unknown[] {
    const flat: unknown[] = [];
    for (const [k, v] of map) flat.push(k, v);
    return flat;
  },
  decode(flat: unknown[]): KeyMap<unknown, unknown> {
    const map = new KeyMap<unknown, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i], flat[i + 1]);
    return map;
  },
});

function encodeFailure(value: unknown, cause: unknown): Error {
  if (cause instanceof KuberddError) return cause;
  const site = findUnencodable(value);
  const where = site ? ` at ${site.path || 'the top level'}: found ${site.what}` : '';
  const reason = site ? '' : `: ${cause instanceof Error ? cause.message : String(cause)}`;
  return new UserInputError(
    `Cannot serialize a value${where}${reason}. Data that crosses processes (records, keys, ` +
      'broadcast and accumulator values) must be plain data: primitives, arrays, plain objects, ' +
      'Map, Set, Date, typed arrays, or classes registered with registerCodecExtension.',
    { code: 'NOT_SERIALIZABLE', cause },
  );
}

/**
 * Serializes `value` to CBOR. Each result is self-contained (decodable alone, by any process
 * with the same extensions registered) and owns its ArrayBuffer exclusively (byteOffset 0, safe
 * to transfer to a worker). Round-trips faithfully: numbers including -0, NaN and ±Infinity;
 * bigints of any size; strings, including lone surrogates; booleans, null, undefined; arrays
 * (holes become undefined); plain objects with key order; Map (any keys), Set, Date, Uint8Array,
 * Buffer, every other typed array, and classes registered with registerCodecExtension.
 * Lossy, as in cbor-x: other class instances become plain objects of their enumerable own
 * properties, ArrayBuffer decodes as a Buffer, Errors keep only name and message.
 * Throws UserInputError `NOT_SERIALIZABLE` naming the path of a function, symbol or cycle.
 */
export function encode(value: unknown): Uint8Array {
  if (!warmedUp) warmUp();
  if (encoding) {
    // cbor-x keeps its write position in module state, so a nested encode would corrupt the outer one.
    throw new KuberddError('CODEC_REENTRANT', 'encode() was called from inside a codec extension; return plain data from the extension instead');
  }
  encoding = true;
  let bytes: Uint8Array;
  try {
    bytes = encoder.encode(escapeForCbor(value), RESET_BUFFER_MODE);
  } catch (e) {
    throw encodeFailure(value, e);
  } finally {
    encoding = false;
  }
  // cbor-x returns a view into its scratch buffer, which the next encode overwrites.
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  if (bytes.length > MAX_RETAINED_SCRATCH) encoder.useBuffer(Buffer.allocUnsafeSlow(64 * 1024));
  return out;
}

/**
 * Decodes bytes made by `encode` (which it does not modify or keep references into). Byte
 * strings come back as Uint8Array for Uint8Array values and as Buffer for Buffer values; every
 * binary value is a copy. Throws KuberddError `DECODE_FAILED` for malformed or truncated input.
 */
export function decode<T = unknown>(bytes: Uint8Array): T {
  if (!warmedUp) warmUp();
  // A fresh Buffer view: cbor-x caches a DataView on its input object and slices byte strings
  // with the input's species, so this keeps callers' objects untouched and the result type fixed.
  const src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return decoder.decode(src) as T;
  } catch (e) {
    throw new KuberddError('DECODE_FAILED', `Cannot decode ${bytes.byteLength} bytes of codec data: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/*
 * cbor-x's encode and decode are each one very large function. If V8 optimizes one before it
 * has seen, say, a 5-digit integer, the first such value deoptimizes it, and re-optimizing a
 * function that size takes tens of millions of further calls: measured, every later encode of
 * a 1M-tuple array ran 5-7x slower, and decodes about 2x. Running a value that takes each size
 * class of number, string, array and map, and each built-in type, through both until V8 has
 * optimized them with complete type feedback avoids that (3 passes were not enough, 15 were).
 * About 10 ms, paid by the first encode or decode of the process.
 */
function warmUp(): void {
  warmedUp = true;
  const numbers = [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -1, -24, -25, -256, -257, -65536, -65537, -(2 ** 31) - 1, -(2 ** 32), 0.5, -1.5, 2 ** 40, NaN, -0];
  const strings = ['', 'a', 'é€😀', 'x'.repeat(23), 'y'.repeat(24), 'z'.repeat(63), 'w'.repeat(64), 'ü'.repeat(100), 'v'.repeat(300), 'lone\uD800'];
  const value = {
    numbers,
    strings,
    bigints: [0n, 1n, -1n, 2n ** 64n, -(2n ** 64n)],
    flags: [true, false, null, undefined],
    tuples: Array.from({ length: 30 }, (_, i) => [strings[i % strings.length], numbers[i % numbers.length]]),
    records: [{ a: 1, b: 'x' }, { a: 2, b: 'y' }, { c: [] }, {}],
    map: new Map<unknown, unknown>([[1, 'a'], ['b', { c: 2 }]]),
    big: new Map(Array.from({ length: 30 }, (_, i) => [i, i])),
    set: new Set([1, 'a']),
    dates: [new Date(0), new Date(1.5), new Date(8.64e15)],
    binary: [new Uint8Array(2), Buffer.alloc(2), new Float64Array(2)],
  };
  for (let i = 0; i < 20; i++) decode(encode(value));
}
