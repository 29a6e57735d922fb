import { UserInputError } from '../errors/UserInputError.js';

const ALLOWED =
  'Keys may be strings, numbers, bigints, booleans, null, undefined, Dates, Uint8Arrays, ' +
  'or arrays and plain objects built from these (compared by value).';

/** Describes a rejected key's type the way a user would name it, e.g. "a Map" or "an instance of class Point". */
function describe(value: unknown): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'symbol') return `a symbol (${String(value)})`;
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`;
  const ctor = (value as { constructor?: unknown }).constructor;
  const name = typeof ctor === 'function' ? ctor.name : '';
  if (name === 'Map' || name === 'Set' || name === 'WeakMap' || name === 'WeakSet' || name === 'Promise') return `a ${name}`;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `a ${name || 'binary buffer'}`;
  return name ? `an instance of class ${name}` : 'an object with a custom prototype';
}

/** The UserInputError raised when a value that cannot be a pair-RDD key is used as one. */
export function invalidKeyError(value: unknown): UserInputError {
  let hint = '';
  if (value instanceof Map || value instanceof Set) hint = ' Convert it to an array first, e.g. [...value].';
  else if (ArrayBuffer.isView(value)) hint = ' Wrap its bytes in a Uint8Array or convert it to an array.';
  else if (typeof value === 'object' && value !== null) hint = ' Convert it to a plain object, an array or a string.';
  return new UserInputError(`Invalid key: found ${describe(value)}. ${ALLOWED}${hint}`, { code: 'INVALID_KEY' });
}
