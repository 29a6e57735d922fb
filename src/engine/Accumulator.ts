import { toClosureRef, type ClosureRef, type Shippable } from '../common/closure/shippable.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { AccumulatorSpec } from './AccumulatorSpec.js';

/**
 * A shared variable that tasks only add to and the driver reads. Each task adds to its own
 * zero copy; the driver merges a task's updates once, when the task's partition first
 * completes, so failed and retried attempts never double-count.
 */
export class Accumulator<IN, OUT = IN> implements Shippable {
  #state: unknown;

  constructor(
    readonly id: number,
    readonly name: string | undefined,
    readonly spec: AccumulatorSpec<IN, unknown, OUT>,
    /** Where `add` goes; executors route it to the running task's copy. */
    private readonly sink?: (id: number, value: IN) => void,
  ) {
    this.#state = spec.zero();
  }

  add(value: IN): void {
    if (this.sink !== undefined) this.sink(this.id, value);
    else this.#state = this.spec.add(this.#state, value);
  }

  get value(): OUT {
    return this.spec.value(this.#state);
  }

  /** Long and double accumulators: how many values were added. */
  get count(): number {
    return (this.#state as { count?: number }).count ?? 0;
  }

  get avg(): number {
    const s = this.#state as { sum?: number; count?: number };
    return s.count ? (s.sum ?? 0) / s.count : NaN;
  }

  /** Folds another accumulator of the same kind into this one (Spark's AccumulatorV2.merge). */
  merge(other: Accumulator<IN, OUT>): void {
    if (other.spec.kind !== this.spec.kind) {
      throw new UserInputError(`cannot merge a ${other.spec.kind} accumulator into a ${this.spec.kind} accumulator`);
    }
    this.#state = this.spec.merge(this.#state, other.#state);
  }

  /** Driver side: folds in one task's state. */
  mergeState(state: unknown): void {
    this.#state = this.spec.merge(this.#state, state);
  }

  reset(): void {
    this.#state = this.spec.zero();
  }

  [toClosureRef](): ClosureRef {
    const c = this.spec.closures;
    return {
      $ref: 'accumulator',
      id: this.id,
      kind: this.spec.kind,
      ...(c ? { zero: c.zero.serialized, add: c.add.serialized, merge: c.merge.serialized } : {}),
    };
  }

  toString(): string {
    return `Accumulator(${this.id}${this.name ? `, ${this.name}` : ''}: ${JSON.stringify(this.value)})`;
  }
}
