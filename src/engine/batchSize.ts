/** Records per batch flowing between operators: large enough to amortize per-batch costs, small enough to stay in cache. */
export const BATCH_SIZE = 4096;
