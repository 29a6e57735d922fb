/**
 * An RDD's checkpoint mark (Spark's RDDCheckpointData). `checkpoint()` / `localCheckpoint()`
 * create it as `marked`; after the next job that computes the RDD, the driver writes the
 * partitions (`inProgress`) and then truncates the lineage (`checkpointed`).
 */
export interface RDDCheckpointData {
  /** `reliable`: files under sc.setCheckpointDir(); `local`: executors' block managers. */
  readonly kind: 'reliable' | 'local';
  state: 'marked' | 'inProgress' | 'checkpointed';
  /** Where a reliable checkpoint's files are, once written. */
  file: string | undefined;
}
