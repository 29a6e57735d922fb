import { checkKeyDepth } from './checkKeyDepth.js';
import { KeyKind, keyKind } from './keyKind.js';

/*
 * MurmurHash3 (x86, 32-bit) building blocks. The hash must be identical in every process and on
 * every machine because it decides which partition a key's records go to, so it uses only fixed
 * constants and integer arithmetic: never string hashing from the engine, identity or order.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

// Distinct seeds per kind keep e.g. "" / [] / {} / 0 from all hashing alike.
const SEED_STRING = 0x2f0b3a49;
const SEED_INT = 0x5bd1e995;
const SEED_DOUBLE = 0x68e31da4;
const SEED_BIGINT = 0x1b56c4e9;
const SEED_DATE = 0x7f4a7c15;
const SEED_BYTES = 0x3c6ef372;
const SEED_ARRAY = 0x0a3c59b1;
const SEED_OBJECT = 0x61c88647;
const HASH_UNDEFINED = 0x1f83d9ab;
const HASH_NULL = 0x5be0cd19;
const HASH_FALSE = 0x510e527f;
const HASH_TRUE = 0x9b05688c | 0;

// One shared view pair: reading a double's bits must not allocate per call.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Word order of a double in memory follows the machine; pick indices so the hash does not.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Murmur3 over UTF-16 code units, two per block, read in place so no bytes are allocated. */
function hashString(s: string, seed: number): number {
  const len = s.length;
  const even = len & ~1;
  let h = seed;
  let i = 0;
  for (; i < even; i += 2) h = mixH(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < len) h ^= mixK(s.charCodeAt(i));
  return fmix32(h ^ (len << 1));
}

function hashNumber(v: number, seed: number): number {
  // Int32 values (and -0, since -0 | 0 === 0) take a cheap bijective mix.
  if ((v | 0) === v) return fmix32((v | 0) ^ seed);
  let lo: number;
  let hi: number;
  if (v !== v) {
    // Every NaN is the same key whatever its payload bits.
    lo = 0;
    hi = 0x7ff80000;
  } else {
    f64[0] = v;
    lo = u32[LO]!;
    hi = u32[HI]!;
  }
  return fmix32(mixH(mixH(seed ^ SEED_DOUBLE, lo), hi) ^ 8);
}

function hashBytes(b: Uint8Array): number {
  const len = b.length;
  const whole = len & ~3;
  let h = SEED_BYTES;
  let i = 0;
  // Little-endian assembly by hand so the result does not depend on the machine.
  for (; i < whole; i += 4) h = mixH(h, b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
  if (i < len) {
    let k = b[i]!;
    if (i + 1 < len) k |= b[i + 1]! << 8;
    if (i + 2 < len) k |= b[i + 2]! << 16;
    h ^= mixK(k);
  }
  return fmix32(h ^ len);
}

function hashAny(key: unknown, depth: number): number {
  switch (keyKind(key)) {
    case KeyKind.String:
      return hashString(key as string, SEED_STRING);
    case KeyKind.Number:
      return hashNumber(key as number, SEED_INT);
    case KeyKind.Boolean:
      return key ? HASH_TRUE : HASH_FALSE;
    case KeyKind.Undefined:
      return HASH_UNDEFINED;
    case KeyKind.Null:
      return HASH_NULL;
    case KeyKind.BigInt:
      return hashString((key as bigint).toString(16), SEED_BIGINT);
    case KeyKind.Date:
      return hashNumber((key as Date).getTime(), SEED_DATE);
    case KeyKind.Bytes:
      return hashBytes(key as Uint8Array);
    case KeyKind.Array: {
      checkKeyDepth(depth);
      const a = key as readonly unknown[];
      let h = SEED_ARRAY;
      for (let i = 0; i < a.length; i++) h = mixH(h, hashAny(a[i], depth + 1));
      return fmix32(h ^ a.length);
    }
    case KeyKind.Object: {
      checkKeyDepth(depth);
      const o = key as Record<string, unknown>;
      // Sorted so that key insertion order does not matter.
      const names = Object.keys(o).sort();
      let h = SEED_OBJECT;
      for (const name of names) h = mixH(mixH(h, hashString(name, SEED_STRING)), hashAny(o[name], depth + 1));
      return fmix32(h ^ names.length);
    }
  }
}

/**
 * Hash of a pair-RDD key: a non-negative 31-bit integer that is the same in every process, run
 * and machine (a MurmurHash3-based hash of the key's value, never of its identity or of
 * insertion order). Keys that are `keyEquals` hash alike: `0` and `-0`, all NaNs, arrays and
 * plain objects by structure (object key order ignored), Dates by time, Uint8Arrays by bytes.
 * A number and a bigint of the same value are different keys and usually hash differently.
 * Throws UserInputError for values that cannot be keys.
 */
export function hashKey(key: unknown): number {
  // Strings and numbers are the per-record hot path when partitioning a shuffle.
  if (typeof key === 'string') return hashString(key, SEED_STRING) & 0x7fffffff;
  if (typeof key === 'number') return hashNumber(key, SEED_INT) & 0x7fffffff;
  return hashAny(key, 0) & 0x7fffffff;
}
