/**
 * Read-only counters of what the driver shipped to executors (`sc.statusTracker()`), for
 * diagnostics and tests: which executor fetched which broadcast how often, and how large each
 * stage's binary (lineage, functions and their small environment values) was.
 */
export interface StatusTracker {
  /** Broadcast id → executor id → fetches. Auto-broadcast environment values are included. */
  broadcastFetches(): ReadonlyMap<number, ReadonlyMap<string, number>>;
  /** Encoded bytes of the stage's latest binary, shipped once to each executor running its tasks. */
  stageBinaryBytes(stageId: number): number | undefined;
}

/** How many stages' binary sizes are kept (oldest dropped first). */
const MAX_STAGES = 1000;

/** The driver's side of StatusTracker: the backends and schedulers record into it. */
export class TransferStats implements StatusTracker {
  readonly #fetches = new Map<number, Map<string, number>>();
  readonly #binaries = new Map<number, number>();

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

  broadcastFetches(): ReadonlyMap<number, ReadonlyMap<string, number>> {
    return new Map([...this.#fetches].map(([id, m]) => [id, new Map(m)]));
  }

  stageBinaryBytes(stageId: number): number | undefined {
    return this.#binaries.get(stageId);
  }
}
