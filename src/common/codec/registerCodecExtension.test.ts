import { describe, expect, it } from 'vitest';
import { KuberddError } from '../errors/KuberddError.js';
import { decode, encode } from './codec.js';
import { registerCodecExtension } from './registerCodecExtension.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
    readonly label = '',
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

class Point3 extends Point {
  constructor(x: number, y: number, readonly z: number) {
    super(x, y);
  }
}

class Wrapper {
  constructor(readonly inner: unknown) {}
}

registerCodecExtension({
  type: Point,
  tag: 40050,
  encode: (p: Point) => [p.x, p.y, p.label],
  decode: ([x, y, label]: [number, number, string]) => new Point(x, y, label),
});

registerCodecExtension({
  type: Wrapper,
  tag: 40051,
  encode: (w: Wrapper) => w.inner,
  decode: (inner: unknown) => new Wrapper(inner),
});

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof KuberddError ? e.code : 'not a KuberddError';
  }
  return undefined;
}

describe('registerCodecExtension', () => {
  it('round-trips instances of a registered class, anywhere in a value', () => {
    const value = { origin: new Point(0, 0), path: [new Point(3, 4, 'a')], byName: new Map([['p', new Point(1, 1)]]) };
    const out = decode<typeof value>(encode(value));
    expect(out.origin).toBeInstanceOf(Point);
    expect(out.path[0]!.norm()).toBe(5);
    expect(out.path[0]!.label).toBe('a');
    expect(out.byName.get('p')).toEqual(new Point(1, 1));
  });

  it('preserves -0 and lone surrogates inside what an extension produces', () => {
    const out = decode<Point>(encode(new Point(-0, 1, 'x\uD800')));
    expect(Object.is(out.x, -0)).toBe(true);
    expect(out.label).toBe('x\uD800');
  });

  it('nests extension types inside each other', () => {
    const out = decode<Wrapper>(encode(new Wrapper([new Point(1, 2), new Wrapper('deep')])));
    expect(out).toBeInstanceOf(Wrapper);
    const [p, w] = out.inner as [Point, Wrapper];
    expect(p).toBeInstanceOf(Point);
    expect(w.inner).toBe('deep');
  });

  it('encodes subclasses with the base class extension, as cbor-x matches by instanceof', () => {
    const out = decode<Point>(encode(new Point3(1, 2, 3)));
    expect(out.constructor).toBe(Point);
    expect(out).toEqual(new Point(1, 2));
  });

  it('allows registering the same class under the same tag again', () => {
    registerCodecExtension({ type: Point, tag: 40050, encode: (p: Point) => [p.x, p.y, p.label], decode: ([x, y, l]: [number, number, string]) => new Point(x, y, l) });
    expect(decode<Point>(encode(new Point(7, 8))).x).toBe(7);
  });

  it('refuses a nested encode() from inside an extension instead of corrupting the outer one', () => {
    class SelfEncoding {}
    registerCodecExtension({ type: SelfEncoding, tag: 40052, encode: () => encode('nested'), decode: () => new SelfEncoding() });
    expect(codeOf(() => encode([new SelfEncoding()]))).toBe('CODEC_REENTRANT');
    expect(decode(encode(['fine', 1]))).toEqual(['fine', 1]);
  });

  it('rejects tags outside 40000–40100 and tags or classes already taken', () => {
    class Other {}
    const spec = { encode: () => null, decode: () => new Other() };
    expect(codeOf(() => registerCodecExtension({ type: Other, tag: 39999, ...spec }))).toBe('CODEC_TAG');
    expect(codeOf(() => registerCodecExtension({ type: Other, tag: 40101, ...spec }))).toBe('CODEC_TAG');
    expect(codeOf(() => registerCodecExtension({ type: Other, tag: 40000.5, ...spec }))).toBe('CODEC_TAG');
    expect(codeOf(() => registerCodecExtension({ type: Other, tag: 40050, ...spec }))).toBe('CODEC_TAG');
    // 40000–40019 hold the codec's own markers (and KeyMap).
    expect(codeOf(() => registerCodecExtension({ type: Other, tag: 40000, ...spec }))).toBe('CODEC_TAG');
    expect(codeOf(() => registerCodecExtension({ type: Other, tag: 40004, ...spec }))).toBe('CODEC_TAG');
    expect(codeOf(() => registerCodecExtension({ type: Point, tag: 40060, encode: () => null, decode: () => new Point(0, 0) }))).toBe('CODEC_TAG');
  });
});
