import type { SparkListenerEvent } from '../scheduler/SparkListenerEvent.js';
import type { StageCounters } from '../scheduler/StageCounters.js';
import { StageCountersAggregator } from '../scheduler/StageCountersAggregator.js';

/**
 * Read-only counters of what the driver shipped to executors and what stages did
 * (`sc.statusTracker()`), for diagnostics and tests: which executor fetched which broadcast how
 * often, how large each stage's binary (lineage, functions and their small environment values)
 * was, and each stage's records, bytes, task time and failed/killed/speculative tasks.
 */
export interface StatusTracker {
  /** Broadcast id → executor id → fetches. Auto-broadcast environment values are included. */
  broadcastFetches(): ReadonlyMap<number, ReadonlyMap<string, number>>;
  /** Encoded bytes of the stage's latest binary, shipped once to each executor running its tasks. */
  stageBinaryBytes(stageId: number): number | undefined;
  /** What the stage did so far (see StageCounters for what counts); undefined for a stage never run. */
  stageCounters(stageId: number): StageCounters | undefined;
  /** Every stage run so far (the latest 1000), by stage id. */
  allStageCounters(): StageCounters[];
}

/** How many stages' binary sizes and counters are kept (oldest dropped first). */
const MAX_STAGES = 1000;

/** The driver's side of StatusTracker: the backends and schedulers record into it, and it sees every listener event. */
export class DriverStatusTracker implements StatusTracker {
  readonly #fetches = new Map<number, Map<string, number>>();
  readonly #binaries = new Map<number, number>();
  readonly #stages = new StageCountersAggregator(MAX_STAGES);

  recordBroadcastFetch(broadcastId: number, executorId: string): void {
    let perExecutor = this.#fetches.get(broadcastId);
    if (perExecutor === undefined) this.#fetches.set(broadcastId, (perExecutor = new Map()));
    perExecutor.set(executorId, (perExecutor.get(executorId) ?? 0) + 1);
  }

  forgetBroadcast(broadcastId: number): void {
    this.#fetches.delete(broadcastId);
  }

  recordStageBinary(stageId: number, bytes: number): void {
    this.#binaries.delete(stageId);
    this.#binaries.set(stageId, bytes);
    if (this.#binaries.size > MAX_STAGES) this.#binaries.delete(this.#binaries.keys().next().value!);
  }

  /** A scheduler event (the context passes each one before its listeners see it). */
  recordEvent(event: SparkListenerEvent): void {
    this.#stages.onEvent(event);
  }

  broadcastFetches(): ReadonlyMap<number, ReadonlyMap<string, number>> {
    return new Map([...this.#fetches].map(([id, m]) => [id, new Map(m)]));
  }

  stageBinaryBytes(stageId: number): number | undefined {
    return this.#binaries.get(stageId);
  }

  stageCounters(stageId: number): StageCounters | undefined {
    return this.#stages.stage(stageId);
  }

  allStageCounters(): StageCounters[] {
    return this.#stages.stages();
  }
}
