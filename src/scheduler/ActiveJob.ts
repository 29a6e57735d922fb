import type { Closure } from '../common/closure/Closure.js';
import type { PartitionFunction } from '../engine/RDDContext.js';
import type { ResultStage } from './Stage.js';

/** An action in progress: which output partitions are done and where results go. */
export interface ActiveJob {
  readonly jobId: number;
  readonly finalStage: ResultStage;
  readonly func: Closure<PartitionFunction<unknown, unknown>>;
  /** Output index → RDD partition. */
  readonly partitions: readonly number[];
  /** RDD partition → output index. */
  readonly outputIndex: ReadonlyMap<number, number>;
  readonly finished: boolean[];
  numFinished: number;
  readonly description: string;
  readonly jobGroup: string | undefined;
  readonly startTime: number;
  onResult(outputIndex: number, value: unknown): void;
  onSuccess(): void;
  onFailure(error: Error): void;
}
