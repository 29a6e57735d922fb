import { KuberddError } from '../errors/KuberddError.js';

/**
 * Library functions that may appear in closure environments by reference: the driver ships
 * `{ $ref: 'intrinsic', name }` and the executor looks the name up in its own registry. Each
 * process (driver, every executor thread) has its own registry, so the module that registers an
 * intrinsic must be loaded on both sides.
 */
const byName = new Map<string, Function>();
const byFunction = new Map<Function, string>();

/** Registers `fn` under `name`. Registering the same pair again is a no-op; conflicts throw. */
export function registerIntrinsic(name: string, fn: Function): void {
  if (typeof fn !== 'function') {
    throw new KuberddError('INTRINSIC_CONFLICT', `intrinsic \`${name}\` must be a function, got ${typeof fn}`);
  }
  const existing = byName.get(name);
  const existingName = byFunction.get(fn);
  if (existing === fn && existingName === name) return;
  if (existing !== undefined) {
    throw new KuberddError('INTRINSIC_CONFLICT', `intrinsic \`${name}\` is already registered for another function`);
  }
  if (existingName !== undefined) {
    throw new KuberddError('INTRINSIC_CONFLICT', `this function is already registered as intrinsic \`${existingName}\`, cannot also register it as \`${name}\``);
  }
  byName.set(name, fn);
  byFunction.set(fn, name);
}

/** The name `fn` was registered under, or undefined if it is not an intrinsic. */
export function intrinsicName(fn: Function): string | undefined {
  return byFunction.get(fn);
}

/** The function registered under `name`; throws KuberddError `UNKNOWN_INTRINSIC` if none. */
export function lookupIntrinsic(name: string): Function {
  const fn = byName.get(name);
  if (fn === undefined) {
    throw new KuberddError(
      'UNKNOWN_INTRINSIC',
      `unknown intrinsic \`${name}\`: this process has not loaded the module that registers it`,
    );
  }
  return fn;
}
