/** Below this many, an insertion sort beats the radix passes' fixed costs. */
const INSERTION_MAX = 32;
/** From this many, 16-bit digits (2 passes a word, 65,536 counters) beat 8-bit ones (4 passes, 256). */
const WIDE_DIGITS_MIN = 1 << 16;

/**
 * Sorts the parallel arrays `idx`, `hi` and `lo` together, stably, by the 64-bit unsigned
 * prefix `hi[i]`·2³² + `lo[i]` (u32 each). Afterwards `hi` and `lo` are in order, so equal
 * prefixes are adjacent.
 *
 * LSD radix sort by `hi` (every pass reads sequentially; a digit the same for every entry
 * costs one counting pass and no move), then each run of equal `hi` by `lo`: keys that differ
 * early (most keys a map task sorts) leave runs of one or two, and the passes over `lo` are
 * saved.
 */
export function sortByPrefix(idx: Uint32Array, hi: Uint32Array, lo: Uint32Array): void {
  const n = idx.length;
  if (hi.length !== n || lo.length !== n) throw new RangeError(`sortByPrefix needs arrays of one length, not ${n}, ${hi.length} and ${lo.length}`);
  if (n < 2) return;
  if (n <= INSERTION_MAX) {
    insertionSort(idx, hi, lo, 0, n);
    return;
  }
  radixSort(idx, hi, lo, hi);
  let s = 0;
  while (s < n) {
    const h = hi[s]!;
    let e = s + 1;
    while (e < n && hi[e] === h) e++;
    if (e - s > INSERTION_MAX) radixSort(idx.subarray(s, e), hi.subarray(s, e), lo.subarray(s, e), lo.subarray(s, e));
    else if (e - s > 1) insertionSort(idx, hi, lo, s, e);
    s = e;
  }
}

/** Stable LSD radix sort of the parallel arrays by `key` (one of `hi`, `lo`). */
function radixSort(idx: Uint32Array, hi: Uint32Array, lo: Uint32Array, key: Uint32Array): void {
  const n = idx.length;
  const byHi = key === hi;
  let keysHi: Uint32Array = hi;
  let keysLo: Uint32Array = lo;
  let order: Uint32Array = idx;
  let nextHi: Uint32Array = new Uint32Array(n);
  let nextLo: Uint32Array = new Uint32Array(n);
  let nextOrder: Uint32Array = new Uint32Array(n);
  const bits = n >= WIDE_DIGITS_MIN ? 16 : 8;
  const mask = (1 << bits) - 1;
  const counts = new Uint32Array(1 << bits);
  for (let shift = 0; shift < 32; shift += bits) {
    const word = byHi ? keysHi : keysLo;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(word[i]! >>> shift) & mask]!++;
    if (counts[(word[0]! >>> shift) & mask] === n) continue;
    let sum = 0;
    for (let d = 0; d <= mask; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(word[i]! >>> shift) & mask]!++;
      nextHi[at] = keysHi[i]!;
      nextLo[at] = keysLo[i]!;
      nextOrder[at] = order[i]!;
    }
    [keysHi, nextHi] = [nextHi, keysHi];
    [keysLo, nextLo] = [nextLo, keysLo];
    [order, nextOrder] = [nextOrder, order];
  }
  if (order !== idx) {
    idx.set(order);
    hi.set(keysHi);
    lo.set(keysLo);
  }
}

/** Stable insertion sort of entries [from, to) by (hi, lo). */
function insertionSort(idx: Uint32Array, hi: Uint32Array, lo: Uint32Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const r = idx[i]!;
    const h = hi[i]!;
    const l = lo[i]!;
    let j = i - 1;
    // Strictly greater moves right: equal prefixes keep their order.
    for (; j >= from && (hi[j]! > h || (hi[j] === h && lo[j]! > l)); j--) {
      idx[j + 1] = idx[j]!;
      hi[j + 1] = hi[j]!;
      lo[j + 1] = lo[j]!;
    }
    idx[j + 1] = r;
    hi[j + 1] = h;
    lo[j + 1] = l;
  }
}
