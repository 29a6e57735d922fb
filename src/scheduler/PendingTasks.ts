/** A FIFO of task indices with a moving head, so taking from the front is O(1). */
class IndexQueue {
  #items: number[] = [];
  #head = 0;

  push(i: number): void {
    this.#items.push(i);
  }

  /** The first index for which `keep` holds, dropping the ones before it; -1 when none. */
  shiftWhere(keep: (i: number) => boolean): number {
    while (this.#head < this.#items.length) {
      const i = this.#items[this.#head++]!;
      if (keep(i)) {
        this.#compact();
        return i;
      }
    }
    this.#compact();
    return -1;
  }

  /** Drops stale entries at the front; true when a live one remains. */
  hasLive(live: (i: number) => boolean): boolean {
    while (this.#head < this.#items.length && !live(this.#items[this.#head]!)) this.#head++;
    this.#compact();
    return this.#head < this.#items.length;
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * The tasks of a task set still to launch, indexed three ways (as Spark's TaskSetManager
 * does): by preferred executor, tasks without a preference, and all tasks. Entries are removed
 * lazily: a launched task stays in the other queues and is skipped when met, so every
 * operation is O(1) amortized however large the stage.
 */
export class PendingTasks {
  readonly #pending: Uint8Array;
  #count = 0;
  readonly #byExecutor = new Map<string, IndexQueue>();
  readonly #noPreference = new IndexQueue();
  readonly #all = new IndexQueue();
  readonly #isPending = (i: number): boolean => this.#pending[i] === 1;

  constructor(private readonly preferences: readonly (readonly string[])[]) {
    this.#pending = new Uint8Array(preferences.length);
  }

  get size(): number {
    return this.#count;
  }

  has(index: number): boolean {
    return this.#pending[index] === 1;
  }

  add(index: number): void {
    if (this.#pending[index] === 1) return;
    this.#pending[index] = 1;
    this.#count++;
    const prefs = this.preferences[index] ?? [];
    for (const e of prefs) {
      let q = this.#byExecutor.get(e);
      if (q === undefined) this.#byExecutor.set(e, (q = new IndexQueue()));
      q.push(index);
    }
    if (prefs.length === 0) this.#noPreference.push(index);
    this.#all.push(index);
  }

  remove(index: number): void {
    if (this.#pending[index] !== 1) return;
    this.#pending[index] = 0;
    this.#count--;
  }

  clear(): void {
    this.#pending.fill(0);
    this.#count = 0;
  }

  /**
   * The next task for `executorId`: one that prefers it, else one with no preference, else
   * (when `anyAllowed`, i.e. the locality wait is over) any task. -1 when there is none.
   */
  take(executorId: string, anyAllowed: boolean): number {
    let i = this.#byExecutor.get(executorId)?.shiftWhere(this.#isPending) ?? -1;
    if (i < 0) i = this.#noPreference.shiftWhere(this.#isPending);
    if (i < 0 && anyAllowed) i = this.#all.shiftWhere(this.#isPending);
    if (i >= 0) this.remove(i);
    return i;
  }

  /** True when every pending task waits for a preferred executor. */
  get onlyLocalityBound(): boolean {
    return this.#count > 0 && !this.#noPreference.hasLive(this.#isPending);
  }

  /** Tasks that preferred only executors now gone can run anywhere at once. */
  executorLost(executorId: string, alive: ReadonlySet<string>): void {
    const q = this.#byExecutor.get(executorId);
    this.#byExecutor.delete(executorId);
    if (q === undefined) return;
    for (let i = q.shiftWhere(this.#isPending); i >= 0; i = q.shiftWhere(this.#isPending)) {
      if (!(this.preferences[i] ?? []).some((e) => alive.has(e))) this.#noPreference.push(i);
    }
  }
}
