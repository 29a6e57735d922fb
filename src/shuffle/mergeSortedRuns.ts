/**
 * Merges runs of records, each already sorted by key, into one key-sorted stream of batches.
 * Stable: records with equal keys come out in run order, and in order within a run.
 */
export function* mergeSortedRuns(
  runs: readonly (readonly [unknown, unknown][])[],
  compareKeys: (a: unknown, b: unknown) => number,
  batchSize = 4096,
): Generator<[unknown, unknown][]> {
  const live = runs.filter((run) => run.length > 0);
  const pos = new Array<number>(live.length).fill(0);
  // Binary min-heap of run indices, ordered by each run's current head record.
  const heap: number[] = [];
  const less = (a: number, b: number): boolean => {
    const c = compareKeys(live[a]![pos[a]!]![0], live[b]![pos[b]!]![0]);
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
  for (let i = 0; i < live.length; i++) heap.push(i);
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);

  let batch: [unknown, unknown][] = [];
  while (heap.length > 1) {
    const top = heap[0]!;
    const run = live[top]!;
    batch.push(run[pos[top]!]!);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
    pos[top]! += 1;
    if (pos[top]! >= run.length) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    siftDown(0);
  }
  // One run left: copy its tail without comparisons.
  const lastIdx = heap[0];
  if (lastIdx !== undefined) {
    const run = live[lastIdx]!;
    for (let i = pos[lastIdx]!; i < run.length; i++) {
      batch.push(run[i]!);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
