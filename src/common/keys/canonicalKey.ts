import { checkKeyDepth } from './checkKeyDepth.js';
import { KeyKind, keyKind } from './keyKind.js';

/*
 * Every piece is self-delimiting (a tag letter, then either a ';'-terminated number or a
 * length-prefixed payload), so a concatenation of pieces can be split back in only one way:
 * different keys never share an encoding, and keyEquals-equal keys always share one.
 */
function encodeAt(key: unknown, depth: number): string {
  switch (keyKind(key)) {
    case KeyKind.String: {
      const s = key as string;
      return `s${s.length}:${s}`;
    }
    case KeyKind.Number:
      // String() is exact and injective for doubles except -0 -> "0", which is the equality wanted.
      return `n${String(key)};`;
    case KeyKind.BigInt:
      return `b${String(key)};`;
    case KeyKind.Boolean:
      return key ? 't' : 'f';
    case KeyKind.Undefined:
      return 'u';
    case KeyKind.Null:
      return 'z';
    case KeyKind.Date:
      return `d${String((key as Date).getTime())};`;
    case KeyKind.Bytes: {
      const b = key as Uint8Array;
      // latin1 maps each byte to one char: compact and exact.
      return `B${b.length}:${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')}`;
    }
    case KeyKind.Array: {
      checkKeyDepth(depth);
      const a = key as readonly unknown[];
      let out = `A${a.length}:`;
      for (let i = 0; i < a.length; i++) out += encodeAt(a[i], depth + 1);
      return out;
    }
    case KeyKind.Object: {
      checkKeyDepth(depth);
      const o = key as Record<string, unknown>;
      const names = Object.keys(o).sort();
      let out = `O${names.length}:`;
      for (const name of names) out += `${name.length}:${name}${encodeAt(o[name], depth + 1)}`;
      return out;
    }
  }
}

/**
 * A string that identifies a key up to keyEquals: equal keys give the same string, different
 * keys different strings. Used by KeyMap for array, object, Date and Uint8Array keys (primitive
 * keys never need it). Throws UserInputError for values that cannot be keys.
 */
export function canonicalKey(key: unknown): string {
  return encodeAt(key, 0);
}
