import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KuberddError } from '../errors/KuberddError.js';
import { UserInputError } from '../errors/UserInputError.js';
import { KeyMap } from '../keys/KeyMap.js';
import { decode, encode } from './codec.js';

/**
 * Strict structural identity: same constructors, Object.is on primitives (so -0 and NaN count),
 * same own-key order for objects, same entry order for Maps and Sets.
 */
function identical(a: unknown, b: unknown, path = '$'): void {
  if (typeof a !== 'object' || a === null) {
    if (!Object.is(a, b)) throw new Error(`${path}: ${String(a)} (${typeof a}) vs ${String(b)} (${typeof b})`);
    return;
  }
  if (typeof b !== 'object' || b === null) throw new Error(`${path}: object vs ${String(b)}`);
  // Prototypes, not `.constructor`, which an own "constructor" key would shadow.
  const pa: unknown = Object.getPrototypeOf(a) ?? Object.prototype;
  const pb: unknown = Object.getPrototypeOf(b) ?? Object.prototype;
  if (pa !== pb) throw new Error(`${path}: ${Object.prototype.toString.call(a)} vs ${Object.prototype.toString.call(b)}`);
  if (a instanceof Date) return identical(a.getTime(), (b as Date).getTime(), `${path}.getTime()`);
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    identical(x.length, y.length, `${path}.length`);
    for (let i = 0; i < x.length; i++) identical(x[i], y[i], `${path}[${i}]`);
    return;
  }
  if (a instanceof Map || a instanceof Set || a instanceof KeyMap) {
    const x = [...(a as Iterable<unknown>)];
    const y = [...(b as Iterable<unknown>)];
    return identical(x, y, `${path}<entries>`);
  }
  if (Array.isArray(a)) {
    identical(a.length, (b as unknown[]).length, `${path}.length`);
    for (let i = 0; i < a.length; i++) identical(a[i], (b as unknown[])[i], `${path}[${i}]`);
    return;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join('\u0000') !== kb.join('\u0000')) throw new Error(`${path}: keys [${ka}] vs [${kb}]`);
  for (const k of ka) identical((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
}

function roundTrip<T>(value: T): T {
  return decode<T>(encode(value));
}

function expectRoundTrip(value: unknown): void {
  identical(value, roundTrip(value));
}

// Strings over every UTF-16 code unit, so lone surrogates are common.
const anyString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 8 });
const keyString = fc.oneof(anyString, fc.constantFrom('__proto__', 'constructor', 'a', '0', '1', ''));

const supported: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.double(),
      fc.integer(),
      fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
      fc.constantFrom(-0, NaN, Infinity, -Infinity, 2 ** 32, -(2 ** 32), 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE),
      fc.bigInt(),
      fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
      anyString,
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.boolean(),
      fc.constantFrom(null, undefined),
      fc.date({ noInvalidDate: false }),
      fc.uint8Array({ maxLength: 8 }),
      fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u)),
      fc.float64Array({ maxLength: 4 }),
      fc.int32Array({ maxLength: 4 }),
      fc.bigInt64Array({ maxLength: 3 }),
    ),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(keyString, tie('value'), { maxKeys: 5, noNullPrototype: true }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((entries) => new Map(entries)),
    fc.array(tie('value'), { maxLength: 4 }).map((values) => new Set(values)),
  ),
})).value;

describe('codec', () => {
  it('round-trips numbers exactly, including -0, NaN, infinities, large doubles and integers up to 2^53', () => {
    const numbers = [0, -0, NaN, Infinity, -Infinity, 1.5, -2.25, 0.1, 5e-324, Number.MAX_VALUE, 23, 24, 255, 256, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 1, 2 ** 53, -(2 ** 53), -1, -(2 ** 31) - 1, -(2 ** 32), -(2 ** 32) - 1];
    for (const n of numbers) identical(n, roundTrip(n));
    expectRoundTrip(numbers);
    expectRoundTrip({ z: -0, m: new Map([[1, -0]]), s: [[-0]] });
  });

  it('round-trips bigints of any size as bigints, never as numbers', () => {
    for (const b of [0n, 1n, -1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n), -(2n ** 64n) - 1n, 3n ** 200n, -(7n ** 99n)]) {
      const out = roundTrip(b);
      expect(typeof out).toBe('bigint');
      expect(out).toBe(b);
    }
  });

  it('round-trips strings, including lone surrogates in short, long and key positions', () => {
    const strings = ['', 'ascii', 'ünïcödé', '€😀', 'a\uD800b', '\uDC00', `${'x'.repeat(200)}\uD83D`, 'x'.repeat(70_000)];
    for (const s of strings) expect(roundTrip(s)).toBe(s);
    expectRoundTrip({ ['\uD800key']: '\uDFFFvalue', normal: ['\uD83Dtruncated', 'fine'] });
    expectRoundTrip(new Map([['\uD800', 1], ['\uD801', 2]]));
    // Two different lone surrogates must stay two different keys.
    expect(roundTrip(['k\uD800', 'k\uD801'])).toEqual(['k\uD800', 'k\uD801']);
  });

  it('round-trips booleans, null, undefined, nested arrays and holes', () => {
    expectRoundTrip([true, false, null, undefined, [[[]], [undefined]], { u: undefined }]);
    // eslint-disable-next-line no-sparse-arrays
    identical(roundTrip([1, , 3]), [1, undefined, 3]);
  });

  it('round-trips plain objects with their key order, including `__proto__` as an own key', () => {
    const ordered = { z: 1, a: 2, m: { y: 1, b: 2 }, 10: 'num', 2: 'keys' };
    const out = roundTrip(ordered);
    expect(Object.keys(out)).toEqual(Object.keys(ordered));
    identical(ordered, out);
    const tricky = JSON.parse('{"a": 1, "__proto__": {"polluted": true}, "z": -0}') as Record<string, unknown>;
    const back = roundTrip(tricky);
    identical(tricky, back);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    identical(roundTrip(Object.assign(Object.create(null), { a: 1 })), { a: 1 });
  });

  it('keeps Maps as Maps (any keys, in order), Sets as Sets, and KeyMaps as KeyMaps', () => {
    const map = new Map<unknown, unknown>([[1, 'one'], ['1', 'string one'], [{ k: [1] }, 'object key'], [2n, null], [NaN, new Set([1, 'a', [2]])]]);
    expectRoundTrip(map);
    expectRoundTrip(new Set([3, 1, 2, 'x', { a: 1 }]));
    const km = new KeyMap<unknown, unknown>([[['a', 1], 2], ['b', { c: -0 }]]);
    const kmBack = roundTrip(km);
    expect(kmBack).toBeInstanceOf(KeyMap);
    identical(km, kmBack);
    expect(kmBack.get(['a', 1])).toBe(2);
  });

  it('round-trips Dates exactly, including invalid ones and the extremes that float seconds would round', () => {
    for (const ms of [0, 1, -1, 1234567890123, 1700000000000, -4426413620417513, 4403099369488150, 8.64e15, -8.64e15, NaN]) {
      const out = roundTrip(new Date(ms));
      expect(out).toBeInstanceOf(Date);
      expect(Object.is(out.getTime(), ms)).toBe(true);
    }
  });

  it('decodes Uint8Array as Uint8Array and Buffer as Buffer, as copies', () => {
    const u8 = roundTrip(new Uint8Array([1, 2, 3]));
    expect(u8.constructor).toBe(Uint8Array);
    expect([...u8]).toEqual([1, 2, 3]);
    const buf = roundTrip(Buffer.from('hi'));
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect(buf.toString()).toBe('hi');
    const bytes = encode({ b: Buffer.from([7, 7]), u: new Uint8Array([8]) });
    const out = decode<{ b: Buffer; u: Uint8Array }>(bytes);
    expect(out.b.buffer).not.toBe(bytes.buffer);
    expect(out.u.buffer).not.toBe(bytes.buffer);
    bytes.fill(0);
    expect([...out.b, ...out.u]).toEqual([7, 7, 8]);
  });

  it('round-trips every typed array type', () => {
    expectRoundTrip([
      new Int8Array([-1, 2]),
      new Uint8ClampedArray([255]),
      new Int16Array([-300]),
      new Uint16Array([65535]),
      new Int32Array([-(2 ** 31)]),
      new Uint32Array([2 ** 32 - 1]),
      new Float32Array([1.5, -0, NaN]),
      new Float64Array([Math.PI, -0, NaN, Infinity]),
      new BigInt64Array([-1n, 2n ** 62n]),
      new BigUint64Array([2n ** 64n - 1n]),
    ]);
    // A view on part of a larger buffer encodes only its own elements.
    identical(roundTrip(new Float64Array([1, 2, 3, 4]).subarray(1, 3)), new Float64Array([2, 3]));
  });

  it('round-trips arbitrary values of the supported types', () => {
    fc.assert(
      fc.property(supported, (value) => {
        identical(value, roundTrip(value));
      }),
      { numRuns: 500 },
    );
  });

  it('returns a fresh, exactly sized buffer that later encodes never touch', () => {
    const first = encode(['a', 1, { x: 'y' }]);
    const snapshot = [...first];
    for (let i = 0; i < 50; i++) encode([`other ${i}`, i, 'z'.repeat(i * 100)]);
    expect([...first]).toEqual(snapshot);
    expect(first.byteOffset).toBe(0);
    expect(first.buffer.byteLength).toBe(first.length);
    // The buffer can be transferred away without breaking the codec.
    structuredClone(first, { transfer: [first.buffer as ArrayBuffer] });
    expect(roundTrip(['still', 'works'])).toEqual(['still', 'works']);
  });

  it('produces self-contained buffers that a fresh process decodes with plain cbor-x', () => {
    // Same-shaped objects in consecutive messages: each must define its own record shapes.
    const messages = [0, 1, 2].map((i) => encode([{ id: i, name: `n${i}` }, { id: i + 10, name: 'm' }]));
    const script =
      "import { Decoder } from 'cbor-x';" +
      "const d = new Decoder({ useRecords: true });" +
      "const out = process.argv.slice(1).reverse().map((b64) => d.decode(Buffer.from(b64, 'base64')));" +
      'process.stdout.write(JSON.stringify(out));';
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script, ...messages.map((m) => Buffer.from(m).toString('base64'))], { cwd: process.cwd(), encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual([2, 1, 0].map((i) => [{ id: i, name: `n${i}` }, { id: i + 10, name: 'm' }]));
  });

  it('handles many record shapes and very wide objects in one buffer', () => {
    const shapes = Array.from({ length: 10_000 }, (_, i) => ({ [`k${i}`]: i, common: -0 }));
    expectRoundTrip(shapes);
    const wide: Record<string, number> = {};
    for (let i = 0; i < 70_000; i++) wide[`f${i}`] = i;
    expectRoundTrip(wide);
  });

  it('encodes and decodes a 1M-tuple shuffle block correctly', () => {
    const n = 1_000_000;
    const block: [string, number][] = new Array(n);
    for (let i = 0; i < n; i++) block[i] = [`key-${(i * 7919) % 100_003}`, i % 3 === 0 ? i * 0.5 : i];
    const out = decode<[string, number][]>(encode(block));
    expect(out.length).toBe(n);
    for (let i = 0; i < n; i++) {
      const [k, v] = out[i]!;
      if (k !== block[i]![0] || v !== block[i]![1]) throw new Error(`record ${i} differs: ${k}, ${v}`);
    }
  });

  it('names the path of a function, symbol or cycle it cannot serialize', () => {
    const expectNotSerializable = (value: unknown, where: RegExp): void => {
      try {
        encode(value);
      } catch (e) {
        expect(e).toBeInstanceOf(UserInputError);
        expect((e as UserInputError).code).toBe('NOT_SERIALIZABLE');
        expect((e as Error).message).toMatch(where);
        return;
      }
      throw new Error('expected encode to throw');
    };
    expectNotSerializable({ rows: [1, { handler() {} }] }, /at rows\[1\]\.handler: found a function \(handler\)/);
    expectNotSerializable([Symbol('s')], /at \[0\]: found a symbol/);
    const cyclic: Record<string, unknown> = { a: { b: [] } };
    ((cyclic['a'] as Record<string, unknown>)['b'] as unknown[]).push(cyclic);
    expectNotSerializable(cyclic, /at a\.b\[0\]: found a reference back to the root \(a cycle\)/);
    expect(roundTrip(['after', 'errors'])).toEqual(['after', 'errors']);
  });

  it('rejects truncated or malformed input with KuberddError DECODE_FAILED', () => {
    const bytes = encode({ a: [1, 2, 3], b: 'text' });
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => decode(bytes.subarray(0, cut))).toThrow(KuberddError);
    }
    const extra = new Uint8Array(bytes.length + 1);
    extra.set(bytes);
    expect(() => decode(extra)).toThrow(/DECODE_FAILED|Cannot decode/);
    try {
      decode(new Uint8Array([0x82, 0x01]));
    } catch (e) {
      expect((e as KuberddError).code).toBe('DECODE_FAILED');
    }
  });

  it('decodes from any view without modifying it', () => {
    const bytes = encode([1, 'two']);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    const view = padded.subarray(5, 5 + bytes.length);
    expect(decode(view)).toEqual([1, 'two']);
    // cbor-x caches a DataView on its input object; the caller's view must not get one.
    expect(Object.prototype.hasOwnProperty.call(view, 'dataView')).toBe(false);
  });
});
