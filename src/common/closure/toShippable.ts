import { ClosureError } from '../errors/ClosureError.js';
import { analyzeFunction } from './analyzeFunction.js';
import { intrinsicName } from './intrinsics.js';
import { jsGlobals } from './jsGlobals.js';
import { listNames } from './listNames.js';
import { notShippable, toClosureRef, type ClosureRef } from './shippable.js';

/** An environment converted for shipping. */
export interface ShippableEnvironment {
  /** Env key → encodable value (plain data and `$ref` markers). */
  readonly env: Record<string, unknown>;
  /**
   * Keys whose values contain no marker at all. Only these may be replaced wholesale (e.g. by a
   * broadcast): markers inside a replaced value would never be revived on the executor.
   */
  readonly plainDataKeys: ReadonlySet<string>;
}

/**
 * `$ref` values this module and reviveClosure own: nested functions, library intrinsics, and
 * user data that happens to have a `$ref` key (wrapped so it is not mistaken for a marker).
 */
const builtinRefKinds: ReadonlySet<string> = new Set(['function', 'intrinsic', 'literal']);

// Deep enough for real configuration data, shallow enough to stay far from the stack limit.
const maxDepth = 100;

/**
 * Converts a closure environment for shipping. Plain data (primitives, arrays, plain objects,
 * Map, Set, Date, RegExp, typed arrays, Buffer) is returned as is when nothing inside needs
 * converting, so large data is not copied. Inside it:
 * - objects with `[toClosureRef]()` become their marker;
 * - objects with `[notShippable]()`, symbols, cycles and class instances throw ClosureError;
 * - registered intrinsics become `{ $ref: 'intrinsic', name }`;
 * - other functions become `{ $ref: 'function', source, name }`. They are compiled in one scope
 *   with the main function on the executor, so their free variables must be globals or keys of
 *   this same environment.
 */
export function toShippable(env: Readonly<Record<string, unknown>>, transformation: string): ShippableEnvironment {
  const walker = new Walker(transformation, new Set(Object.keys(env)));
  const shipped: Record<string, unknown> = {};
  const plainDataKeys = new Set<string>();
  for (const key of Object.keys(env)) {
    walker.markers = 0;
    walker.path = [key];
    shipped[key] = walker.convert(env[key], 0);
    if (walker.markers === 0) plainDataKeys.add(key);
  }
  return { env: shipped, plainDataKeys };
}

class Walker {
  markers = 0;
  path: string[] = [];
  private readonly ancestors = new Set<object>();
  private readonly functions = new Map<Function, ClosureRef>();

  constructor(
    private readonly transformation: string,
    private readonly envKeys: ReadonlySet<string>,
  ) {}

  convert(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case 'string':
      case 'number':
      case 'boolean':
      case 'bigint':
      case 'undefined':
        return value;
      case 'symbol':
        throw this.error('symbols cannot be shipped; use a string instead');
      case 'function':
        this.markers++;
        return this.shipFunction(value as Function);
      default:
        return value === null ? null : this.convertObject(value as object, depth);
    }
  }

  private convertObject(value: object, depth: number): unknown {
    const shippable = value as Partial<Record<typeof toClosureRef | typeof notShippable, unknown>>;
    if (typeof shippable[toClosureRef] === 'function') {
      this.markers++;
      return this.checkedRef((shippable[toClosureRef] as () => unknown).call(value), value);
    }
    if (typeof shippable[notShippable] === 'function') {
      const reason = String((shippable[notShippable] as () => unknown).call(value));
      throw this.error(`${describeClass(value)} cannot be used inside functions that run on executors: ${reason}`);
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer ||
        value instanceof Date || value instanceof RegExp) {
      return value;
    }
    if (depth >= maxDepth) {
      throw this.error(`it is nested more than ${maxDepth} levels deep; pass flatter data or broadcast it`);
    }
    if (this.ancestors.has(value)) throw this.error('it contains a cycle (an object that contains itself); pass acyclic data');
    const proto: unknown = Object.getPrototypeOf(value);
    this.ancestors.add(value);
    try {
      if (proto === Array.prototype) return this.convertArray(value as unknown[], depth);
      if (proto === Map.prototype) return this.convertMap(value as Map<unknown, unknown>, depth);
      if (proto === Set.prototype) return this.convertSet(value as Set<unknown>, depth);
      if (proto === Object.prototype || proto === null) return this.convertPlain(value as Record<string, unknown>, depth);
    } finally {
      this.ancestors.delete(value);
    }
    throw this.error(
      `${describeClass(value)} would lose its prototype (methods, getters, class identity) on the way to executors; ` +
        'pass plain data instead (e.g. an object literal with the fields you need) and rebuild the object inside the function',
    );
  }

  private convertArray(value: unknown[], depth: number): unknown[] {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      this.path.push(`[${i}]`);
      const converted = this.convert(item, depth + 1);
      this.path.pop();
      if (converted !== item) {
        copy ??= value.slice();
        copy[i] = converted;
      }
    }
    return copy ?? value;
  }

  private convertMap(value: Map<unknown, unknown>, depth: number): Map<unknown, unknown> {
    let changed = false;
    const entries: [unknown, unknown][] = [];
    for (const [k, v] of value) {
      this.path.push('<map key>');
      const key = this.convert(k, depth + 1);
      this.path.pop();
      this.path.push(typeof k === 'string' ? `.get(${JSON.stringify(k)})` : '<map value>');
      const converted = this.convert(v, depth + 1);
      this.path.pop();
      changed ||= key !== k || converted !== v;
      entries.push([key, converted]);
    }
    return changed ? new Map(entries) : value;
  }

  private convertSet(value: Set<unknown>, depth: number): Set<unknown> {
    let changed = false;
    const items: unknown[] = [];
    this.path.push('<set element>');
    for (const item of value) {
      const converted = this.convert(item, depth + 1);
      changed ||= converted !== item;
      items.push(converted);
    }
    this.path.pop();
    return changed ? new Set(items) : value;
  }

  private convertPlain(value: Record<string, unknown>, depth: number): unknown {
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = value[key];
      this.path.push(/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
      const converted = this.convert(item, depth + 1);
      this.path.pop();
      if (converted !== item) {
        copy ??= { ...value };
        copy[key] = converted;
      }
    }
    const result = copy ?? value;
    if (!Object.hasOwn(value, '$ref')) return result;
    // User data that looks like a marker: wrap it so the executor does not resolve it.
    this.markers++;
    return { $ref: 'literal', value: result };
  }

  private shipFunction(fn: Function): ClosureRef {
    const intrinsic = intrinsicName(fn);
    if (intrinsic !== undefined) return { $ref: 'intrinsic', name: intrinsic };
    const known = this.functions.get(fn);
    if (known !== undefined) return known;
    const name = typeof fn.name === 'string' ? fn.name : '';
    const label = name === '' ? 'a function' : `function \`${name}\``;
    let analysis;
    try {
      analysis = analyzeFunction(Function.prototype.toString.call(fn));
    } catch (e) {
      if (!(e instanceof ClosureError)) throw e;
      throw this.error(`it is ${label}, and ${e.message}`, e);
    }
    const missing = analysis.freeVariables.filter((v) => !jsGlobals.has(v) && !this.envKeys.has(v));
    if (missing.length > 0) {
      const suggestion = [...this.envKeys, ...missing].join(', ');
      throw new ClosureError(
        `${this.transformation}() env value \`${this.path.join('')}\` is ${label} that uses ${listNames(missing)}, ` +
          `which executors cannot see: functions in the environment share one scope, so pass ` +
          `${missing.length === 1 ? 'it' : 'them'} too, as .${this.transformation}(fn, { ${suggestion} })`,
      );
    }
    const ref: ClosureRef = { $ref: 'function', source: analysis.expression, name };
    this.functions.set(fn, ref);
    return ref;
  }

  private checkedRef(ref: unknown, owner: object): ClosureRef {
    const kind = (ref as { $ref?: unknown } | null)?.$ref;
    if (typeof kind !== 'string' || builtinRefKinds.has(kind)) {
      throw this.error(`${describeClass(owner)}[toClosureRef]() returned an invalid marker (\`$ref\` must be a string other than ${[...builtinRefKinds].join(', ')})`);
    }
    return ref as ClosureRef;
  }

  private error(reason: string, cause?: unknown): ClosureError {
    return new ClosureError(
      `${this.transformation}() cannot ship env value \`${this.path.join('')}\`: ${reason}`,
      cause === undefined ? undefined : { cause },
    );
  }
}

function describeClass(value: object): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return 'this object';
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `an instance of \`${name}\`` : 'this object';
}
