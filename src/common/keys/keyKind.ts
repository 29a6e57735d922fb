import { invalidKeyError } from './invalidKeyError.js';

/**
 * The kinds of value that may be a pair-RDD key. The numbers follow the compareKeys order
 * (numbers and bigints share a rank there but are distinct kinds).
 */
export const KeyKind = {
  Undefined: 0,
  Null: 1,
  Boolean: 2,
  Number: 3,
  BigInt: 4,
  String: 5,
  Date: 6,
  Bytes: 7,
  Array: 8,
  Object: 9,
} as const;
export type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];

/**
 * Classifies a key, throwing the invalid-key UserInputError for anything else (class instances,
 * Maps, functions, symbols, typed arrays other than Uint8Array). Only the top level is checked.
 */
export function keyKind(value: unknown): KeyKind {
  switch (typeof value) {
    case 'string':
      return KeyKind.String;
    case 'number':
      return KeyKind.Number;
    case 'boolean':
      return KeyKind.Boolean;
    case 'bigint':
      return KeyKind.BigInt;
    case 'undefined':
      return KeyKind.Undefined;
    case 'object':
      return value === null ? KeyKind.Null : objectKind(value);
    default:
      throw invalidKeyError(value);
  }
}

function objectKind(value: object): KeyKind {
  if (Array.isArray(value)) return KeyKind.Array;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return KeyKind.Object;
  if (value instanceof Uint8Array) return KeyKind.Bytes; // includes Buffer: same bytes, same key
  if (value instanceof Date) return KeyKind.Date;
  // Values made in another realm (vm contexts) fail the identity checks above but are still
  // plain objects / Dates / Uint8Arrays; recognise them by structure and internal tags.
  if (Object.getPrototypeOf(proto) === null) return KeyKind.Object;
  const tag = Object.prototype.toString.call(value);
  if (tag === '[object Date]') return KeyKind.Date;
  if (tag === '[object Uint8Array]' && ArrayBuffer.isView(value)) return KeyKind.Bytes;
  throw invalidKeyError(value);
}
