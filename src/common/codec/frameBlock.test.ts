import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KuberddError } from '../errors/KuberddError.js';
import { frameBlock, readFramedBlocks, readFramedStream } from './frameBlock.js';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function readAll(buf: Uint8Array, source = 'test.data'): Uint8Array[] {
  return [...readFramedBlocks(buf, source)];
}

function corruptError(fn: () => unknown): KuberddError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KuberddError);
    expect((e as KuberddError).code).toBe('CORRUPT_BLOCK');
    return e as KuberddError;
  }
  throw new Error('expected a CORRUPT_BLOCK error');
}

describe('frameBlock / readFramedBlocks', () => {
  it('writes the documented header', () => {
    const framed = frameBlock(new Uint8Array([9, 8, 7]));
    expect(framed.length).toBe(15);
    expect([...framed.subarray(0, 8)]).toEqual([0x4b, 0x42, 1, 0, 3, 0, 0, 0]);
    expect([...framed.subarray(12)]).toEqual([9, 8, 7]);
  });

  it('round-trips any sequence of payloads, yielding views into the input', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (payloads) => {
        const buf = concat(payloads.map(frameBlock));
        const out = readAll(buf);
        expect(out.map((p) => [...p])).toEqual(payloads.map((p) => [...p]));
        for (const p of out) expect(p.buffer).toBe(buf.buffer);
      }),
    );
  });

  it('reads frames from a subarray of a larger buffer', () => {
    const inner = concat([frameBlock(new Uint8Array([1])), frameBlock(new Uint8Array([2, 3]))]);
    const outer = concat([new Uint8Array([0xff, 0xff, 0xff]), inner, new Uint8Array([0xee])]);
    expect(readAll(outer.subarray(3, 3 + inner.length)).map((p) => [...p])).toEqual([[1], [2, 3]]);
  });

  it('detects every single-byte corruption, wherever it is', () => {
    const payloads = [new Uint8Array([1, 2, 3, 4, 5]), new Uint8Array(), new Uint8Array([0xaa, 0x55])];
    const buf = concat(payloads.map(frameBlock));
    for (let i = 0; i < buf.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bad = buf.slice();
        bad[i]! ^= flip;
        const err = corruptError(() => readAll(bad, 'shuffle_3_7.data'));
        expect(err.message).toContain('shuffle_3_7.data');
        expect(err.message).toMatch(/at byte offset \d+: (bad magic|unsupported frame version|unsupported frame flags|truncated|checksum mismatch)/);
      }
    }
  });

  it('detects truncation at every offset', () => {
    const buf = concat([frameBlock(new Uint8Array([1, 2, 3])), frameBlock(new Uint8Array([4, 5, 6, 7]))]);
    const firstEnd = 15;
    for (let cut = 1; cut < buf.length; cut++) {
      if (cut === firstEnd) {
        // A cut exactly between frames leaves a valid, shorter stream.
        expect(readAll(buf.subarray(0, cut))).toHaveLength(1);
        continue;
      }
      const err = corruptError(() => readAll(buf.subarray(0, cut)));
      expect(err.message).toMatch(/truncated/);
      expect(err.message).toContain(`byte offset ${cut < firstEnd ? 0 : firstEnd}`);
    }
  });

  it('says what is wrong and where', () => {
    const good = frameBlock(new Uint8Array([1, 2, 3]));
    const bad = concat([good, good]);
    bad[good.length] = 0x00;
    expect(corruptError(() => readAll(bad, 'f')).message).toBe(
      'Corrupt block in f at byte offset 15: bad magic 0x0042 (expected 0x4b42, "KB"). The data was damaged after it was written; it must be recomputed.',
    );
    const flipped = good.slice();
    flipped[13]! ^= 1;
    expect(corruptError(() => readAll(flipped, 'f')).message).toMatch(/at byte offset 0: checksum mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8} over 3 payload bytes\)/);
  });

  it('yields the good frames before failing on a bad one', () => {
    const buf = concat([frameBlock(new Uint8Array([1])), new Uint8Array([0x4b, 0x42, 1])]);
    const it = readFramedBlocks(buf, 'f');
    expect([...(it.next().value as Uint8Array)]).toEqual([1]);
    expect(() => it.next()).toThrow(/truncated header \(3 of 12 bytes present\)/);
  });

  it('reads nothing from an empty buffer', () => {
    expect(readAll(new Uint8Array())).toEqual([]);
  });
});

describe('readFramedStream', () => {
  const concat = (parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const chop = (buf: Uint8Array, cuts: number[]): Uint8Array[] => {
    const sorted = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
    const out: Uint8Array[] = [];
    let at = 0;
    for (const c of [...sorted, buf.length]) {
      out.push(buf.slice(at, c));
      at = c;
    }
    return out;
  };

  it('yields the same payloads however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (payloads, cuts) => {
        const buf = concat(payloads.map(frameBlock));
        const got = [...readFramedStream(chop(buf, cuts), 'test', buf.length)].map((p) => [...p]);
        expect(got).toEqual(payloads.map((p) => [...p]));
      }),
    );
  });

  it('detects a stream cut short or running long, at every offset', () => {
    const buf = concat([frameBlock(Uint8Array.of(1, 2, 3)), frameBlock(Uint8Array.of(4, 5))]);
    for (let end = 0; end < buf.length; end++) {
      const chunks = chop(buf.subarray(0, end), [end >> 1]);
      expect(() => [...readFramedStream(chunks, 'seg', buf.length)], `cut at ${end}`).toThrow(KuberddError);
    }
    expect(() => [...readFramedStream([buf, frameBlock(Uint8Array.of(9))], 'seg', buf.length)]).toThrow(/expected/);
  });

  it('reports damage inside a chunked stream as a corrupt block naming the source', () => {
    const buf = concat([frameBlock(Uint8Array.of(1, 2, 3)), frameBlock(Uint8Array.of(4, 5))]);
    buf[buf.length - 1]! ^= 0xff;
    expect(() => [...readFramedStream(chop(buf, [5, 17]), 'shuffle_1_0.data', buf.length)]).toThrow(/shuffle_1_0\.data.*checksum mismatch/);
  });
});
