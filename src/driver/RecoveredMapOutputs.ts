import type { HeldMapOutput } from '../executor/ExecutorProtocol.js';
import type { MapStatus } from '../shuffle/MapStatus.js';

/**
 * Map outputs offered by executors of an earlier driver attempt, waiting for a shuffle of this
 * driver with the same lineage identity. Each is taken once (the DAG scheduler registers it
 * under its own shuffle id); those of an executor lost meanwhile are forgotten.
 */
export class RecoveredMapOutputs {
  readonly #byIdentity = new Map<string, MapStatus[]>();

  offer(executorId: string, outputs: readonly HeldMapOutput[]): void {
    for (const { identity, status } of outputs) {
      if (status.executorId !== executorId) continue;
      let list = this.#byIdentity.get(identity);
      if (list === undefined) this.#byIdentity.set(identity, (list = []));
      list.push(status);
    }
  }

  take(identity: string): readonly MapStatus[] {
    const list = this.#byIdentity.get(identity) ?? [];
    this.#byIdentity.delete(identity);
    return list;
  }

  forgetExecutor(executorId: string): void {
    for (const [identity, list] of this.#byIdentity) {
      const kept = list.filter((s) => s.executorId !== executorId);
      if (kept.length === 0) this.#byIdentity.delete(identity);
      else this.#byIdentity.set(identity, kept);
    }
  }

  get size(): number {
    let n = 0;
    for (const list of this.#byIdentity.values()) n += list.length;
    return n;
  }
}
