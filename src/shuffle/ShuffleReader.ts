/** Reads a range of reduce partitions of one shuffle, as record batches. */
export interface ShuffleReader {
  read(): Iterable<[unknown, unknown][]>;
}
