import { ClosureError } from '../errors/ClosureError.js';
import { analyzeFunction, type FunctionAnalysis } from './analyzeFunction.js';
import type { Closure } from './Closure.js';
import { isEnvIdentifier, reservedEnvPrefix } from './isEnvIdentifier.js';
import { jsGlobals } from './jsGlobals.js';
import { listNames } from './listNames.js';
import type { ClosureRef } from './shippable.js';
import { toShippable } from './toShippable.js';

/** Where a closure is captured, for messages, and the engine's hook for big values. */
export interface CaptureSite {
  /** The transformation's method name, e.g. `map`. */
  readonly transformation: string;
  /**
   * Called with each top-level env value that is plain data (after conversion); returning a
   * marker (e.g. a broadcast) ships the marker instead. Values containing functions or other
   * markers are not offered, because markers inside a replaced value would not be revived.
   */
  readonly autoBroadcast?: (value: unknown) => ClosureRef | undefined;
}

/**
 * Captures `fn` for shipping to executors as source plus `env`. Every free variable of `fn` must
 * be a JavaScript/Node global or a key of `env`; env values are converted by toShippable.
 * Throws ClosureError, with a message that says how to fix the call, when that is not so.
 */
export function captureClosure<F extends (...args: never[]) => unknown>(
  fn: F,
  env: Record<string, unknown> | undefined,
  site: CaptureSite,
): Closure<F> {
  const t = site.transformation;
  if (typeof fn !== 'function') {
    throw new ClosureError(`${t}() expects a function, got ${describeType(fn)}`);
  }
  const environment = env ?? {};
  const envProto: unknown = typeof environment === 'object' && environment !== null ? Object.getPrototypeOf(environment) : undefined;
  if (envProto !== Object.prototype && envProto !== null) {
    throw new ClosureError(`${t}() expects its environment to be an object literal such as { threshold }, got ${describeType(environment)}`);
  }
  for (const key of Object.keys(environment)) {
    if (!isEnvIdentifier(key)) {
      throw new ClosureError(
        key.startsWith(reservedEnvPrefix) || key === '__name'
          ? `${t}() environment key \`${key}\` is reserved for kuberdd; rename it`
          : `${t}() environment key \`${key}\` is not a name the function could use as a variable; use a valid JavaScript identifier`,
      );
    }
  }

  const fnName = typeof fn.name === 'string' ? fn.name : '';
  const name = fnName === '' ? `${t}() function` : `${t}() function \`${fnName}\``;
  let analysis: FunctionAnalysis;
  try {
    analysis = analyzeFunction(Function.prototype.toString.call(fn));
  } catch (e) {
    if (!(e instanceof ClosureError)) throw e;
    throw new ClosureError(`${name} cannot be shipped: ${e.message}`, { cause: e });
  }

  const missing = analysis.freeVariables.filter((v) => !jsGlobals.has(v) && !Object.hasOwn(environment, v));
  if (missing.length > 0) {
    // Suggest the whole environment the function needs, so fixing one name does not drop another.
    const needed = analysis.freeVariables.filter((v) => Object.hasOwn(environment, v) || missing.includes(v));
    throw new ClosureError(
      `${t}() uses ${listNames(missing)}, which executors cannot see: ` +
        `pass ${missing.length === 1 ? 'it' : 'them'} as .${t}(fn, { ${needed.join(', ')} })`,
    );
  }

  const shippable = toShippable(environment, t);
  const shippedEnv = shippable.env;
  if (site.autoBroadcast !== undefined) {
    for (const key of shippable.plainDataKeys) {
      const marker = site.autoBroadcast(shippedEnv[key]);
      if (marker !== undefined) shippedEnv[key] = marker;
    }
  }
  return { fn, serialized: { source: analysis.expression, env: shippedEnv, name } };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return typeof value;
  const ctor: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === 'string' && ctor !== '' ? `an instance of ${ctor}` : 'object';
}
