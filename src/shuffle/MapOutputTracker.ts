import { DURABLE_SHUFFLE_EXECUTOR_ID, type MapStatus } from './MapStatus.js';

/**
 * The driver's record of where each shuffle's map outputs live. A missing entry means the
 * output must be (re)computed: never written, or lost with its executor.
 */
export class MapOutputTracker {
  readonly #outputs = new Map<number, (MapStatus | undefined)[]>();

  registerShuffle(shuffleId: number, numMaps: number): void {
    if (!this.#outputs.has(shuffleId)) this.#outputs.set(shuffleId, new Array<MapStatus | undefined>(numMaps).fill(undefined));
  }

  has(shuffleId: number): boolean {
    return this.#outputs.has(shuffleId);
  }

  registerMapOutput(status: MapStatus): void {
    const outputs = this.#outputs.get(status.shuffleId);
    if (outputs === undefined) throw new Error(`internal: map output for unregistered shuffle ${status.shuffleId}`);
    outputs[status.mapId] = status;
  }

  /**
   * Forgets one map output, if it is the one on `executorId` (a newer copy elsewhere stays). A
   * durable output is kept, now served from JetStream, unless that is where it failed.
   */
  unregisterMapOutput(shuffleId: number, mapId: number, executorId: string): void {
    const outputs = this.#outputs.get(shuffleId);
    const status = outputs?.[mapId];
    if (outputs === undefined || status?.executorId !== executorId) return;
    outputs[mapId] = status.durable === true && executorId !== DURABLE_SHUFFLE_EXECUTOR_ID ? { ...status, executorId: DURABLE_SHUFFLE_EXECUTOR_ID } : undefined;
  }

  /** Forgets everything an executor held (durable outputs move to JetStream); returns the shuffles that lost outputs. */
  removeOutputsOnExecutor(executorId: string): number[] {
    const affected: number[] = [];
    for (const [shuffleId, outputs] of this.#outputs) {
      let lost = false;
      outputs.forEach((s, i) => {
        if (s?.executorId === executorId && s.durable === true) {
          outputs[i] = { ...s, executorId: DURABLE_SHUFFLE_EXECUTOR_ID };
        } else if (s?.executorId === executorId) {
          outputs[i] = undefined;
          lost = true;
        }
      });
      if (lost) affected.push(shuffleId);
    }
    return affected;
  }

  missingPartitions(shuffleId: number): number[] {
    const outputs = this.#outputs.get(shuffleId) ?? [];
    const missing: number[] = [];
    outputs.forEach((s, i) => {
      if (s === undefined) missing.push(i);
    });
    return missing;
  }

  numAvailable(shuffleId: number): number {
    return (this.#outputs.get(shuffleId) ?? []).filter((s) => s !== undefined).length;
  }

  /** All outputs of a complete shuffle, in map order. */
  statuses(shuffleId: number): MapStatus[] {
    const outputs = this.#outputs.get(shuffleId);
    if (outputs === undefined || outputs.some((s) => s === undefined)) {
      throw new Error(`internal: shuffle ${shuffleId} is read before all its map outputs exist`);
    }
    return outputs as MapStatus[];
  }

  unregisterShuffle(shuffleId: number): void {
    this.#outputs.delete(shuffleId);
  }
}
