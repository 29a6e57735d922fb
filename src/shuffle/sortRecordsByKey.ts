import { compareKeys } from '../common/keys/compareKeys.js';

type Rec = [unknown, unknown];

// A record's position needs INDEX_BITS; the prefix needs 33 bits (two UTF-16 code units, or four
// Latin-1 ones, each + 1); 53 in all, exactly what a double holds without loss.
const INDEX_BITS = 20;
const INDEX_SPAN = 2 ** INDEX_BITS;
const MAX_PREFIX_SORT = INDEX_SPAN;

/**
 * Sorts records by key, stably (equal keys keep their order), in place or into a new array;
 * returns the sorted array.
 *
 * For the default order over string keys — the common sortByKey — most of the time went into
 * calling a comparator per comparison. Instead, each record's key prefix (its first four
 * characters when they are all Latin-1, else its first two UTF-16 code units) and its position
 * are packed into one double and the doubles are sorted natively (no JS callback); only records
 * sharing a prefix are then ordered with the comparator. Any other order or key type uses the
 * comparator throughout.
 */
export function sortRecordsByKey(recs: Rec[], cmp: (a: unknown, b: unknown) => number): Rec[] {
  const n = recs.length;
  if (n < 2) return recs;
  if (cmp !== compareKeys || n > MAX_PREFIX_SORT || !allStringKeys(recs)) return recs.sort((x, y) => cmp(x[0], y[0]));
  const packed = new Float64Array(n);
  // code + 1 throughout, so a missing character (a shorter key) sorts before U+0000.
  if (latin1Prefixes(recs)) {
    for (let i = 0; i < n; i++) {
      const k = recs[i]![0] as string;
      const len = k.length;
      let p = 0;
      for (let c = 0; c < 4; c++) p = p * 257 + (c < len ? k.charCodeAt(c) + 1 : 0);
      packed[i] = p * INDEX_SPAN + i;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const k = recs[i]![0] as string;
      const c0 = k.length > 0 ? k.charCodeAt(0) + 1 : 0;
      const c1 = k.length > 1 ? k.charCodeAt(1) + 1 : 0;
      packed[i] = (c0 * 65537 + c1) * INDEX_SPAN + i;
    }
  }
  packed.sort();
  // Filled in order with push: `new Array(n)` for large n makes a slow dictionary-mode array.
  const out: Rec[] = [];
  let runStart = 0;
  let runPrefix = Math.floor(packed[0]! / INDEX_SPAN);
  for (let j = 0; j <= n; j++) {
    const prefix = j < n ? Math.floor(packed[j]! / INDEX_SPAN) : -1;
    if (prefix === runPrefix) continue;
    if (j - runStart === 1) {
      out.push(recs[packed[runStart]! - runPrefix * INDEX_SPAN]!);
    } else {
      // Positions within the run are in ascending order, so a stable sort keeps ties in input order.
      const run: Rec[] = [];
      for (let r = runStart; r < j; r++) run.push(recs[packed[r]! - runPrefix * INDEX_SPAN]!);
      run.sort(compareStringKeys);
      for (let r = 0; r < run.length; r++) out.push(run[r]!);
    }
    runStart = j;
    runPrefix = prefix;
  }
  return out;
}

function allStringKeys(recs: readonly Rec[]): boolean {
  for (let i = 0; i < recs.length; i++) if (typeof recs[i]![0] !== 'string') return false;
  return true;
}

/** Whether every key's first four characters are Latin-1 (so four fit the prefix). */
function latin1Prefixes(recs: readonly Rec[]): boolean {
  for (let i = 0; i < recs.length; i++) {
    const k = recs[i]![0] as string;
    const len = k.length < 4 ? k.length : 4;
    for (let c = 0; c < len; c++) if (k.charCodeAt(c) > 0xff) return false;
  }
  return true;
}

function compareStringKeys(x: Rec, y: Rec): number {
  const a = x[0] as string;
  const b = y[0] as string;
  return a < b ? -1 : a > b ? 1 : 0;
}
