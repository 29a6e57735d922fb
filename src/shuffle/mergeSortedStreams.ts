import { compareKeys } from '../common/keys/compareKeys.js';

type Rec = [unknown, unknown];

interface Cursor {
  readonly it: Iterator<Rec[]>;
  batch: Rec[];
  pos: number;
}

/**
 * Merges streams of record batches, each stream sorted by key, into one key-sorted stream of
 * batches. Streams are pulled lazily, one batch at a time each. Stable: records with equal keys
 * come out in stream order, and in order within a stream. Abandoning the result (`return()`)
 * or a failure closes every source stream still open.
 */
export function* mergeSortedStreams(
  sources: readonly Iterable<Rec[]>[],
  cmp: (a: unknown, b: unknown) => number,
  batchSize = 4096,
): Generator<Rec[]> {
  const open: Iterator<Rec[]>[] = [];
  try {
    const cursors: Cursor[] = [];
    const advance = (c: Cursor): boolean => {
      for (;;) {
        const next = c.it.next();
        if (next.done === true) return false;
        if (next.value.length > 0) {
          c.batch = next.value;
          c.pos = 0;
          return true;
        }
      }
    };
    for (const s of sources) {
      const it = s[Symbol.iterator]();
      open.push(it);
      const c: Cursor = { it, batch: [], pos: 0 };
      if (advance(c)) cursors.push(c);
    }
    // Cursor index = stream order, the tie-breaker that makes the merge stable.
    const heap: number[] = [];
    const less = (a: number, b: number): boolean => {
      const x = cursors[a]!;
      const y = cursors[b]!;
      const c = cmp(x.batch[x.pos]![0], y.batch[y.pos]![0]);
      return c < 0 || (c === 0 && a < b);
    };
    const siftDown = (at: number): void => {
      const n = heap.length;
      for (;;) {
        const l = 2 * at + 1;
        if (l >= n) return;
        const r = l + 1;
        const m = r < n && less(heap[r]!, heap[l]!) ? r : l;
        if (!less(heap[m]!, heap[at]!)) return;
        [heap[m], heap[at]] = [heap[at]!, heap[m]!];
        at = m;
      }
    };
    for (let i = 0; i < cursors.length; i++) heap.push(i);
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
    let out: Rec[] = [];
    while (heap.length > 0) {
      const top = heap[0]!;
      const c = cursors[top]!;
      out.push(c.batch[c.pos]!);
      if (out.length >= batchSize) {
        yield out;
        out = [];
      }
      c.pos++;
      if (c.pos >= c.batch.length && !advance(c)) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      siftDown(0);
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

