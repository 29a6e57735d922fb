/**
 * One slice of an RDD. Partitions are plain data (they are encoded into stage binaries and
 * shipped to executors), so subclasses add only encodable fields.
 */
export interface Partition {
  readonly index: number;
}
