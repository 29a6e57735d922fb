/*
 * Checks for values decoded from the network. Each returns the value it checked (rebuilt where
 * it is an object, so no unexpected field or prototype rides along) or throws WireShapeError
 * naming the field, which the protocol's parsers turn into a reason to drop the message.
 */

/** A decoded message does not have the shape its type promises. */
export class WireShapeError extends Error {
  override name = 'WireShapeError';
}

const MAX_STRING = 64 * 1024;

export function record(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new WireShapeError(`${where} must be an object, not ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

export function integer(value: unknown, where: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new WireShapeError(`${where} must be an integer >= ${min}, not ${describe(value)}`);
  }
  return value;
}

export function finiteNumber(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new WireShapeError(`${where} must be a finite number, not ${describe(value)}`);
  return value;
}

export function string(value: unknown, where: string, maxLength = MAX_STRING): string {
  if (typeof value !== 'string') throw new WireShapeError(`${where} must be a string, not ${describe(value)}`);
  if (value.length > maxLength) throw new WireShapeError(`${where} is ${value.length} characters long, more than the ${maxLength} allowed`);
  return value;
}

/** A name that also appears in NATS subjects and file names: letters, digits, `-`, `_`, `.`-free. */
export function identifier(value: unknown, where: string): string {
  const s = string(value, where, 128);
  if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new WireShapeError(`${where} must be 1-128 letters, digits, '-' or '_', not ${JSON.stringify(s)}`);
  return s;
}

export function boolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new WireShapeError(`${where} must be true or false, not ${describe(value)}`);
  return value;
}

export function bytes(value: unknown, where: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new WireShapeError(`${where} must be bytes, not ${describe(value)}`);
  return value;
}

export function oneOf<T extends string>(value: unknown, where: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new WireShapeError(`${where} must be one of ${allowed.join(', ')}, not ${describe(value)}`);
  }
  return value as T;
}

export function arrayOf<T>(value: unknown, where: string, item: (v: unknown, where: string) => T, maxLength = 1 << 24): T[] {
  if (!Array.isArray(value)) throw new WireShapeError(`${where} must be an array, not ${describe(value)}`);
  if (value.length > maxLength) throw new WireShapeError(`${where} has ${value.length} entries, more than the ${maxLength} allowed`);
  const out = new Array<T>(value.length);
  for (let i = 0; i < value.length; i++) out[i] = item(value[i], `${where}[${i}]`);
  return out;
}

/** `check(value)` when present; undefined when absent or null. */
export function optional<T>(value: unknown, where: string, check: (v: unknown, where: string) => T): T | undefined {
  return value === undefined || value === null ? undefined : check(value, where);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
