import { mergeSortedStreams } from './mergeSortedStreams.js';

/**
 * Merges in-memory runs of records, each already sorted by key, into one key-sorted stream of
 * batches. Stable: records with equal keys come out in run order, and in order within a run.
 * (Each run is a one-batch stream for the general streaming merge.)
 */
export function mergeSortedRuns(
  runs: readonly (readonly [unknown, unknown][])[],
  compareKeys: (a: unknown, b: unknown) => number,
  batchSize = 4096,
): Generator<[unknown, unknown][]> {
  return mergeSortedStreams(
    runs.map((run) => [run as [unknown, unknown][]]),
    compareKeys,
    batchSize,
  );
}
