/**
 * What a finished map task reports to the driver: where its output lives and how large each
 * reduce partition's block is. The driver's MapOutputTracker keeps these per shuffle.
 */
export interface MapStatus {
  readonly shuffleId: number;
  readonly mapId: number;
  /** The executor that holds (and serves) this output. */
  readonly executorId: string;
  /** The committed data file on that executor's local disk. */
  readonly dataPath: string;
  /** Byte offset of each reduce partition's segment in the data file; length numPartitions + 1. */
  readonly offsets: readonly number[];
  /** Records per reduce partition (for counters and skew diagnostics). */
  readonly records: readonly number[];
  /**
   * The data file is also in the application's JetStream blob bucket (`kuberdd.shuffle.durable`),
   * named by its base name: when its executor is lost, the output stays registered, served from there.
   */
  readonly durable?: boolean;
}

/** The `executorId` of a durable map output whose executor is gone: readers fetch it from JetStream. */
export const DURABLE_SHUFFLE_EXECUTOR_ID = 'jetstream';
