import type { Closure } from '../common/closure/Closure.js';
import { toClosureRef, type ClosureRef, type Shippable } from '../common/closure/shippable.js';

/**
 * Lets an already captured closure (with its own environment) appear in another closure's
 * environment: library wrappers such as foldByKey's `v => f(clone(zero), v)` carry the
 * user's `f` this way, and executors revive it separately.
 */
export class ShippedClosure implements Shippable {
  constructor(readonly closure: Closure<(...args: never[]) => unknown>) {}

  [toClosureRef](): ClosureRef {
    return { $ref: 'closure', closure: this.closure.serialized };
  }

  static isClosure(value: unknown): value is Closure<(...args: never[]) => unknown> {
    return (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { fn?: unknown }).fn === 'function' &&
      typeof (value as { serialized?: { source?: unknown } }).serialized?.source === 'string'
    );
  }

  /** Replaces top-level Closure values of an environment with shippable wrappers. */
  static wrapEnv(env: Record<string, unknown>): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(env)) {
      if (ShippedClosure.isClosure(v)) {
        out ??= { ...env };
        out[k] = new ShippedClosure(v);
      }
    }
    return out ?? env;
  }
}
