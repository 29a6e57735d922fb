/**
 * What executors of an earlier driver attempt still hold (map outputs, cached partitions),
 * offered when they register with the restarted driver and waiting for a shuffle or RDD of this
 * driver with the same lineage identity (engine/lineageIdentity.ts). Each offer is taken once;
 * those of an executor lost meanwhile are forgotten.
 */
export class RecoveredHoldings<T extends { readonly identity: string }> {
  readonly #byIdentity = new Map<string, { readonly executorId: string; readonly held: T }[]>();

  offer(executorId: string, holdings: readonly T[]): void {
    for (const held of holdings) {
      let list = this.#byIdentity.get(held.identity);
      if (list === undefined) this.#byIdentity.set(held.identity, (list = []));
      list.push({ executorId, held });
    }
  }

  take(identity: string): readonly { readonly executorId: string; readonly held: T }[] {
    const list = this.#byIdentity.get(identity) ?? [];
    this.#byIdentity.delete(identity);
    return list;
  }

  forgetExecutor(executorId: string): void {
    for (const [identity, list] of this.#byIdentity) {
      const kept = list.filter((h) => h.executorId !== executorId);
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
