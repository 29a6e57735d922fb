import type { SerializedClosure } from './SerializedClosure.js';

/**
 * A user function together with its shippable form. On the driver `fn` is the user's own
 * function; on an executor it is the function rebuilt from `serialized`.
 */
export interface Closure<F extends (...args: never[]) => unknown> {
  readonly fn: F;
  readonly serialized: SerializedClosure;
}
