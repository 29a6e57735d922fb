import { checkKeyDepth } from './checkKeyDepth.js';
import { invalidKeyError } from './invalidKeyError.js';
import { KeyKind, keyKind } from './keyKind.js';
import { validateKey } from './validateKey.js';

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality; throws for invalid values it reaches (the caller validates on `false`). */
function equalsAt(a: unknown, b: unknown, depth: number): boolean {
  const kind = keyKind(a);
  if (kind !== keyKind(b)) return false;
  switch (kind) {
    case KeyKind.Number:
      // SameValueZero: === already treats 0 and -0 alike; NaN is the one value unequal to itself.
      return a === b || (a !== a && b !== b);
    case KeyKind.Date: {
      const x = (a as Date).getTime();
      const y = (b as Date).getTime();
      return x === y || (x !== x && y !== y);
    }
    case KeyKind.Bytes:
      return bytesEqual(a as Uint8Array, b as Uint8Array);
    case KeyKind.Array: {
      checkKeyDepth(depth);
      const x = a as readonly unknown[];
      const y = b as readonly unknown[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!equalsAt(x[i], y[i], depth + 1)) return false;
      return true;
    }
    case KeyKind.Object: {
      checkKeyDepth(depth);
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const names = Object.keys(x);
      if (names.length !== Object.keys(y).length) return false;
      for (const name of names) {
        if (!Object.prototype.hasOwnProperty.call(y, name) || !equalsAt(x[name], y[name], depth + 1)) return false;
      }
      return true;
    }
    default:
      return a === b;
  }
}

/**
 * Whether two pair-RDD keys are the same key. Primitives compare with SameValueZero (NaN equals
 * NaN, 0 equals -0; 1 and 1n and '1' all differ); arrays and plain objects compare by structure,
 * recursively, ignoring object key order; Dates by time value; Uint8Arrays (and Buffers) by
 * bytes. Throws UserInputError if either argument is not a valid key.
 */
export function keyEquals(a: unknown, b: unknown): boolean {
  if (a === b && typeof a !== 'object') {
    // Identical primitives; functions and symbols are still rejected.
    if (typeof a === 'function' || typeof a === 'symbol') throw invalidKeyError(a);
    return true;
  }
  if (equalsAt(a, b, 0)) return true;
  // A mismatch may stop before reaching an invalid part, yet invalid keys must always be reported.
  validateKey(a);
  validateKey(b);
  return false;
}
