/**
 * How objects that are not plain data travel inside a closure's environment.
 *
 * A class whose instances may appear in a closure environment (Broadcast, Accumulator,
 * ModuleRef, …) implements `[toClosureRef]()` and returns a small plain marker such as
 * `{ $ref: 'broadcast', id: 3 }`. The executor side turns the marker back into a live object
 * through the resolver it passes to `reviveClosure`.
 *
 * A class whose instances must never be shipped (RDD, SparkContext) implements
 * `[notShippable]()` and returns the reason, which becomes part of the ClosureError.
 */
export const toClosureRef: unique symbol = Symbol.for('kuberdd.toClosureRef');
export const notShippable: unique symbol = Symbol.for('kuberdd.notShippable');

/** A marker that stands in an environment for a live object. */
export interface ClosureRef {
  readonly $ref: string;
  readonly [field: string]: unknown;
}

export interface Shippable {
  [toClosureRef](): ClosureRef;
}

export interface NotShippable {
  [notShippable](): string;
}
