import { checkKeyDepth } from './checkKeyDepth.js';
import { KeyKind, keyKind } from './keyKind.js';

// Rank by kind; numbers and bigints share a rank so they interleave numerically.
const RANK = [0, 1, 2, 3, 3, 4, 5, 6, 7, 8] as const;

/** Numeric order with NaN above every other number and equal to itself; 0 and -0 equal. */
function compareNumeric(a: number | bigint, b: number | bigint): number {
  // Mixed number/bigint relational comparison in JS is exact, so no conversion is needed.
  if (a < b) return -1;
  if (a > b) return 1;
  // Neither below nor above: equal, or NaN is involved (bigints are never NaN).
  const aNaN = a !== a;
  const bNaN = b !== b;
  return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareAt(a: unknown, b: unknown, depth: number): number {
  const ka = keyKind(a);
  const kb = keyKind(b);
  const ra = RANK[ka];
  const rb = RANK[kb];
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ka) {
    case KeyKind.Undefined:
    case KeyKind.Null:
      return 0;
    case KeyKind.Boolean:
      return a === b ? 0 : a ? 1 : -1;
    case KeyKind.Number:
    case KeyKind.BigInt: {
      const c = compareNumeric(a as number | bigint, b as number | bigint);
      // 1 and 1n are different keys: break the tie by type (number first) to stay consistent with keyEquals.
      return c !== 0 || ka === kb ? c : ka === KeyKind.Number ? -1 : 1;
    }
    case KeyKind.String:
      return compareStrings(a as string, b as string);
    case KeyKind.Date:
      return compareNumeric((a as Date).getTime(), (b as Date).getTime());
    case KeyKind.Bytes:
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case KeyKind.Array: {
      checkKeyDepth(depth);
      const x = a as readonly unknown[];
      const y = b as readonly unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareAt(x[i], y[i], depth + 1);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case KeyKind.Object: {
      checkKeyDepth(depth);
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const xs = Object.keys(x).sort();
      const ys = Object.keys(y).sort();
      const n = Math.min(xs.length, ys.length);
      for (let i = 0; i < n; i++) {
        const c = compareStrings(xs[i]!, ys[i]!);
        if (c !== 0) return c;
      }
      if (xs.length !== ys.length) return xs.length < ys.length ? -1 : 1;
      for (const name of xs) {
        const c = compareAt(x[name], y[name], depth + 1);
        if (c !== 0) return c;
      }
      return 0;
    }
  }
}

/**
 * The default total order of keys (sortByKey, takeOrdered, top, min, max without a comparator).
 * Across kinds: undefined < null < boolean < number/bigint < string < Date < Uint8Array < array
 * < plain object. Within a kind: false < true; numbers and bigints numerically together, NaN
 * above all other numbers, and for equal values a number before a bigint (so 1 < 1n); strings by
 * UTF-16 code units (JS `<`); Dates by time (invalid Dates last); Uint8Arrays bytewise and
 * arrays element-wise, a proper prefix first; plain objects by their sorted key lists, then by
 * values in that key order. Returns 0 exactly when `keyEquals(a, b)`; throws UserInputError for
 * values that cannot be keys (only for the parts it has to look at).
 */
export function compareKeys(a: unknown, b: unknown): number {
  // The common sort case: two keys of the same primitive kind.
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number' && a === a && b === b) return a < b ? -1 : a > b ? 1 : 0;
  return compareAt(a, b, 0);
}
