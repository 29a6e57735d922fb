import { ClosureError } from '../errors/ClosureError.js';
import { functionExpressionSource } from './functionExpressionSource.js';
import { lookupIntrinsic } from './intrinsics.js';
import { isEnvIdentifier } from './isEnvIdentifier.js';
import type { SerializedClosure } from './SerializedClosure.js';
import type { ClosureRef } from './shippable.js';

/** The helper tsx (esbuild keepNames) calls inside function bodies; see jsGlobals. */
const nameHelper = (target: object, value: string): object =>
  Object.defineProperty(target, 'name', { value, configurable: true });

// Only a guard against malformed input blowing the stack; captureClosure limits depth itself.
const maxDepth = 1000;

interface FunctionMarker {
  readonly $ref: 'function';
  readonly source: string;
  readonly name: string;
}

type Compiled = [main: unknown, functions: Function[], bindRest: (rest: Record<string, unknown>) => void];

/**
 * Rebuilds a captured function on an executor. The main function and every function shipped in
 * its environment are compiled by one `new Function`, in one strict-mode scope where each env key
 * is a `let` binding, so they see the env values and each other exactly as named on the driver.
 * Markers are replaced: `function` → compiled function, `intrinsic` → lookupIntrinsic,
 * `literal` → the user's data, anything else (broadcast, accumulator, module…) → `resolveRef`.
 *
 * `serialized` is not modified, so it may be revived again (each call compiles anew; cache the
 * result). Throws ClosureError naming the function when a source does not compile.
 */
export function reviveClosure<F>(serialized: SerializedClosure, resolveRef: (ref: ClosureRef) => unknown): F {
  const env = serialized.env;
  const keys = Object.keys(env);
  for (const key of keys) {
    if (!isEnvIdentifier(key)) throw new ClosureError(`${serialized.name}: environment key \`${key}\` cannot be bound`);
  }

  const markers: FunctionMarker[] = [];
  const markerIndex = new Map<object, number>();
  const keysWithFunctions = new Set<string>();
  for (const key of keys) {
    if (collectFunctions(env[key], markers, markerIndex, 0, serialized.name)) keysWithFunctions.add(key);
  }

  // Plain-data keys are bound before the functions are evaluated, so class static blocks and
  // field initializers may read them; keys holding functions are bound right after.
  const dataKeys = keys.filter((k) => !keysWithFunctions.has(k));
  const functionKeys = keys.filter((k) => keysWithFunctions.has(k));
  const data: Record<string, unknown> = {};
  const noFunctions: Function[] = [];
  for (const key of dataKeys) data[key] = revive(env[key], noFunctions, markerIndex, resolveRef, 0, serialized.name);

  const main = checkedSource(serialized.source, serialized.name);
  const nested = markers.map((m) => checkedSource(m.source, `${serialized.name}, env function \`${m.name}\``));
  const code = [
    '"use strict";',
    `let { ${dataKeys.join(', ')} } = __kuberddData;`,
    functionKeys.length > 0 ? `let ${functionKeys.join(', ')};` : '',
    `const __kuberddFunctions = [${nested.map((s) => `(${s}\n)`).join(',\n')}];`,
    `return [(${main}\n), __kuberddFunctions, (__kuberddRest) => { ({ ${functionKeys.join(', ')} } = __kuberddRest); }];`,
    // Names the generated code in stack traces, so failures point at the user's function.
    `//# sourceURL=kuberdd-closure:${serialized.name.replace(/[^\w.-]+/g, '_')}`,
  ].join('\n');

  let factory: (data: Record<string, unknown>, name: typeof nameHelper) => Compiled;
  try {
    factory = new Function('__kuberddData', '__name', code) as typeof factory;
  } catch (e) {
    throw new ClosureError(`${serialized.name} does not compile on the executor: ${String(e)}`, { cause: e });
  }
  let compiled: Compiled;
  try {
    compiled = factory(data, nameHelper);
  } catch (e) {
    // Only class field initializers / static blocks run here; user functions are not called yet.
    throw new ClosureError(`${serialized.name}: evaluating its definition failed on the executor: ${String(e)}`, { cause: e });
  }
  const [fn, functions, bindRest] = compiled;
  markers.forEach((marker, i) => {
    const f = functions[i];
    // Array elements get no inferred name; restore the driver-side one for messages and traces.
    if (f !== undefined && marker.name !== '' && typeof f.name === 'string' && f.name !== marker.name) nameHelper(f, marker.name);
  });
  const rest: Record<string, unknown> = {};
  for (const key of functionKeys) rest[key] = revive(env[key], functions, markerIndex, resolveRef, 0, serialized.name);
  bindRest(rest);
  return fn as F;
}

function checkedSource(source: unknown, what: string): string {
  if (typeof source !== 'string') throw new ClosureError(`${what}: its source is missing`);
  try {
    return functionExpressionSource(source);
  } catch (e) {
    if (!(e instanceof ClosureError)) throw e;
    throw new ClosureError(`${what} cannot be compiled on the executor: ${e.message}`, { cause: e });
  }
}

function refKind(value: object): string | undefined {
  const kind = (value as { $ref?: unknown }).$ref;
  return typeof kind === 'string' && isPlain(value) ? kind : undefined;
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Finds the function markers in `value` (in walk order); true if there was at least one. */
function collectFunctions(value: unknown, into: FunctionMarker[], index: Map<object, number>, depth: number, what: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > maxDepth) throw new ClosureError(`${what}: its environment is nested too deeply`);
  const kind = refKind(value);
  if (kind === 'function') {
    if (!index.has(value)) {
      const marker = value as Partial<FunctionMarker>;
      index.set(value, into.length);
      into.push({ $ref: 'function', source: String(marker.source), name: typeof marker.name === 'string' ? marker.name : '' });
    }
    return true;
  }
  if (kind !== undefined && kind !== 'literal') return false;
  // A literal's wrapped object is user data with a `$ref` key: look at its fields only.
  const inner = kind === 'literal' ? (value as { value?: unknown }).value : value;
  if (typeof inner !== 'object' || inner === null) return false;
  let found = false;
  for (const child of children(inner)) found = collectFunctions(child, into, index, depth + 1, what) || found;
  return found;
}

function* children(value: object): Iterable<unknown> {
  if (Array.isArray(value)) {
    yield* value;
  } else if (value instanceof Map) {
    for (const [k, v] of value) {
      yield k;
      yield v;
    }
  } else if (value instanceof Set) {
    yield* value;
  } else if (isPlain(value)) {
    yield* Object.values(value);
  }
}

/** Replaces markers in `value`, copying containers only where something changed. */
function revive(
  value: unknown,
  functions: readonly Function[],
  index: ReadonlyMap<object, number>,
  resolveRef: (ref: ClosureRef) => unknown,
  depth: number,
  what: string,
): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > maxDepth) throw new ClosureError(`${what}: its environment is nested too deeply`);
  const again = (child: unknown): unknown => revive(child, functions, index, resolveRef, depth + 1, what);
  const kind = refKind(value);
  switch (kind) {
    case undefined:
      break;
    case 'function': {
      const fn = functions[index.get(value) ?? -1];
      if (fn === undefined) throw new ClosureError(`${what}: a nested function was not compiled`);
      return fn;
    }
    case 'intrinsic':
      return lookupIntrinsic(String((value as { name?: unknown }).name));
    case 'literal': {
      // The wrapped object is user data: revive its fields, not the object itself.
      const inner = (value as { value?: unknown }).value;
      if (typeof inner !== 'object' || inner === null) return inner;
      return mapPlain(inner as Record<string, unknown>, again);
    }
    default:
      return resolveRef(value as ClosureRef);
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const revived = again(item);
      if (revived !== item) {
        copy ??= value.slice();
        copy[i] = revived;
      }
    }
    return copy ?? value;
  }
  if (value instanceof Map) {
    let changed = false;
    const entries: [unknown, unknown][] = [];
    for (const [k, v] of value as Map<unknown, unknown>) {
      const rk = again(k);
      const rv = again(v);
      changed ||= rk !== k || rv !== v;
      entries.push([rk, rv]);
    }
    return changed ? new Map(entries) : value;
  }
  if (value instanceof Set) {
    let changed = false;
    const items: unknown[] = [];
    for (const item of value as Set<unknown>) {
      const revived = again(item);
      changed ||= revived !== item;
      items.push(revived);
    }
    return changed ? new Set(items) : value;
  }
  return isPlain(value) ? mapPlain(value as Record<string, unknown>, again) : value;
}

function mapPlain(value: Record<string, unknown>, fn: (child: unknown) => unknown): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const revived = fn(item);
    if (revived !== item) {
      copy ??= { ...value };
      copy[key] = revived;
    }
  }
  return copy ?? value;
}
