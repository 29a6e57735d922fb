// Test support only (fast-check arbitraries for keys); not used at runtime.
import fc from 'fast-check';

const specialLeaf = fc.constantFrom<unknown>(0, -0, NaN, 1, -1, 1n, 0n, '1', '', 'a', true, false, null, undefined, Infinity, -Infinity);

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  specialLeaf,
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
  fc.boolean(),
  fc.date({ noInvalidDate: false }),
  fc.uint8Array({ maxLength: 6 }),
);

/** Arbitrary valid keys: primitives, Dates, Uint8Arrays and nested arrays/plain objects of them. */
export const anyKey: fc.Arbitrary<unknown> = fc.letrec<{ key: unknown }>((tie) => ({
  key: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('key'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 3 }), tie('key'), { maxKeys: 4 }),
  ),
})).key;

/** Keys from a tiny domain, so that random pairs are often equal. */
export const smallKey: fc.Arbitrary<unknown> = fc.letrec<{ key: unknown }>((tie) => ({
  key: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<unknown>(0, -0, 1, 1n, NaN, 'a', '1', null, undefined, true),
    fc.constantFrom(0, 1).map((t) => new Date(t)),
    fc.constantFrom(0, 1).map((b) => new Uint8Array([b])),
    fc.array(tie('key'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('a', 'b'), tie('key'), { maxKeys: 2 }),
  ),
})).key;

/**
 * A different-but-equal copy of a key: new objects, reversed object key order, 0 <-> -0,
 * a different NaN, Buffer for Uint8Array, a new Date.
 */
export function equalVariant(key: unknown): unknown {
  if (typeof key === 'number') {
    if (key === 0) return Object.is(key, 0) ? -0 : 0;
    if (Number.isNaN(key)) return -NaN;
    return key;
  }
  if (key instanceof Date) return new Date(key.getTime());
  if (key instanceof Uint8Array) return Buffer.from(key);
  if (Array.isArray(key)) return key.map(equalVariant);
  if (typeof key === 'object' && key !== null) {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(key).reverse()) {
      Object.defineProperty(out, name, { value: equalVariant((key as Record<string, unknown>)[name]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return key;
}
