import type { SerializedClosure } from '../common/closure/SerializedClosure.js';
import type { LineageWire, ShuffleDependencyWire } from '../engine/LineageWire.js';
import type { MapStatus } from '../shuffle/MapStatus.js';

/**
 * Everything an executor needs to run any task of one stage attempt (Spark's task binary):
 * the stage's lineage, what to do with the partition, and where the shuffles it reads live.
 * Encoded once per attempt and sent once per executor.
 */
export interface StageBinary {
  readonly stageId: number;
  readonly stageAttempt: number;
  readonly lineage: LineageWire;
  /** Shuffle map stages: the shuffle this stage writes. */
  readonly shuffleDep?: ShuffleDependencyWire | undefined;
  /** Result stages: the action's partition function. */
  readonly func?: SerializedClosure | undefined;
  /** Map outputs of every shuffle this stage reads, by shuffle id. */
  readonly mapStatuses: Readonly<Record<number, readonly MapStatus[]>>;
}
