import { addExtension, Tag } from 'cbor-x';
import type { Extension } from 'cbor-x';
import { codecExtensionRegistry } from './codecExtensionRegistry.js';
import { CodecTag } from './codecTags.js';

/*
 * cbor-x loses three kinds of value silently: -0 (written as integer 0), strings with lone
 * surrogates (CBOR text must be UTF-8, so they become U+FFFD and distinct keys merge) and
 * object keys named `__proto__` (renamed on decode to guard against prototype pollution).
 * A cheap scan finds them; only then is a copy made with those values replaced by markers
 * that have their own tags.
 */

class NegativeZero {}
const NEGATIVE_ZERO = new NegativeZero();

class Utf16String {
  constructor(readonly value: string) {}
}

class EntriesObject {
  constructor(readonly entries: unknown[]) {}
}

interface MaybeWellFormed {
  isWellFormed(): boolean; // ES2024, in Node 20; not yet in the ES2023 lib typings
}

function illFormed(s: string): boolean {
  return !(s as unknown as MaybeWellFormed).isWellFormed();
}

function isNegativeZero(n: number): boolean {
  return n === 0 && 1 / n < 0;
}

function isPlain(o: object): boolean {
  const proto: unknown = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

/** Objects cbor-x writes as something other than their enumerable properties, with nothing inside to escape. */
function isOpaque(o: object): boolean {
  return ArrayBuffer.isView(o) || o instanceof ArrayBuffer || o instanceof Date || o instanceof RegExp || o instanceof Error;
}

function needsEscape(v: unknown): boolean {
  switch (typeof v) {
    case 'number':
      return isNegativeZero(v);
    case 'string':
      return illFormed(v);
    case 'object':
      return v !== null && objectNeedsEscape(v);
    default:
      return false;
  }
}

function objectNeedsEscape(o: object): boolean {
  if (Array.isArray(o)) {
    // Inlined element checks: arrays of tuples are the shuffle hot path.
    for (let i = 0; i < o.length; i++) {
      const e: unknown = o[i];
      if (typeof e === 'string') {
        if (illFormed(e)) return true;
      } else if (typeof e === 'number') {
        if (isNegativeZero(e)) return true;
      } else if (typeof e === 'object' && e !== null && objectNeedsEscape(e)) return true;
    }
    return false;
  }
  if (!isPlain(o)) {
    if (o instanceof Map) {
      for (const [k, v] of o) if (needsEscape(k) || needsEscape(v)) return true;
      return false;
    }
    if (o instanceof Set) {
      for (const v of o) if (needsEscape(v)) return true;
      return false;
    }
    if (o instanceof Tag) return needsEscape(o.value);
    if (isOpaque(o) || codecExtensionRegistry.isExtensionInstance(o)) return false;
    // Any other class instance is written by cbor-x as its enumerable properties.
  }
  const rec = o as Record<string, unknown>;
  for (const k in rec) {
    if (k === '__proto__' || illFormed(k) || needsEscape(rec[k])) return true;
  }
  return false;
}

function escape(v: unknown): unknown {
  switch (typeof v) {
    case 'number':
      return isNegativeZero(v) ? NEGATIVE_ZERO : v;
    case 'string':
      return illFormed(v) ? new Utf16String(v) : v;
    case 'object':
      return v === null ? v : escapeObject(v);
    default:
      return v;
  }
}

function escapeObject(o: object): unknown {
  if (Array.isArray(o)) {
    const out = new Array<unknown>(o.length);
    for (let i = 0; i < o.length; i++) out[i] = escape(o[i]);
    return out;
  }
  if (!isPlain(o)) {
    if (o instanceof Map) {
      const out = new Map<unknown, unknown>();
      for (const [k, v] of o) out.set(escape(k), escape(v));
      return out;
    }
    if (o instanceof Set) {
      const out = new Set<unknown>();
      for (const v of o) out.add(escape(v));
      return out;
    }
    if (o instanceof Tag) return new Tag(escape(o.value), o.tag);
    if (isOpaque(o) || codecExtensionRegistry.isExtensionInstance(o)) return o;
  }
  const rec = o as Record<string, unknown>;
  const keys: string[] = [];
  // Same property walk as cbor-x's object writer, so the escaped copy has what it would have written.
  for (const k in rec) if (Object.prototype.hasOwnProperty.call(rec, k)) keys.push(k);
  if (keys.some((k) => k === '__proto__' || illFormed(k))) {
    const entries: unknown[] = [];
    for (const k of keys) entries.push(escape(k), escape(rec[k]));
    return new EntriesObject(entries);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = escape(rec[k]);
  return out;
}

/**
 * Returns `value` itself when cbor-x encodes it faithfully (almost always; the check is one
 * walk without allocation), otherwise a copy in which -0, strings with lone surrogates and
 * objects with `__proto__` or ill-formed keys are replaced by markers with kuberdd tags. Class
 * instances with a codec extension are left alone: registerCodecExtension escapes what their
 * extension produces.
 */
export function escapeForCbor(value: unknown): unknown {
  return needsEscape(value) ? escape(value) : value;
}

type AnyExtension = Extension<unknown, unknown>;

function register(type: Function, tag: number, encode: (value: never, write: (data: unknown) => Uint8Array) => void, decode: (data: never) => unknown): void {
  codecExtensionRegistry.tags.set(tag, type);
  addExtension({ Class: type, tag, encode, decode } as unknown as AnyExtension);
}

register(
  NegativeZero,
  CodecTag.NegativeZero,
  (_: NegativeZero, write) => write(null),
  () => -0,
);
register(
  Utf16String,
  CodecTag.Utf16String,
  // UTF-16LE keeps every code unit, paired or not.
  (s: Utf16String, write) => write(Buffer.from(s.value, 'utf16le')),
  (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le'),
);
register(
  EntriesObject,
  CodecTag.EntriesObject,
  (o: EntriesObject, write) => write(o.entries),
  (entries: unknown[]) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i + 1 < entries.length; i += 2) {
      // defineProperty: plain assignment to `__proto__` would set the prototype instead.
      Object.defineProperty(out, entries[i] as string, { value: entries[i + 1], enumerable: true, writable: true, configurable: true });
    }
    return out;
  },
);
