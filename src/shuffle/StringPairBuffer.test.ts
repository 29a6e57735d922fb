import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readFramedBlocks } from '../common/codec/frameBlock.js';
import { compareKeys } from '../common/keys/compareKeys.js';
import { hashKey } from '../common/keys/hashKey.js';
import { BlockFileWriter } from './blockIO.js';
import { decodeRecords } from './recordBlockCodec.js';
import { tempDirs } from './shuffleFixtures.testing.js';
import { STRING_PAIRS } from './stringPairBlock.js';
import { StringPairBuffer } from './StringPairBuffer.js';

type Rec = [unknown, unknown];

const dirs = tempDirs('kuberdd-string-pairs-');
afterAll(dirs.removeAll);

/** Each partition as written by writePartition, read back block by block. */
function written(buffer: StringPairBuffer, maxPayloadBytes = 1_000_000): { partitions: Rec[][]; payloads: Uint8Array[][] } {
  const path = join(dirs.make(), 'segments');
  const fd = openSync(path, 'w');
  const offsets = [0];
  const counts: number[] = [];
  try {
    const out = new BlockFileWriter(fd);
    for (let r = 0; r < buffer.numPartitions; r++) {
      counts.push(buffer.writePartition(r, out, maxPayloadBytes));
      offsets.push(out.position);
    }
    out.flush();
  } finally {
    closeSync(fd);
  }
  const bytes = readFileSync(path);
  const payloads = counts.map((_, r) => [...readFramedBlocks(bytes.subarray(offsets[r]!, offsets[r + 1]!), `segment ${r}`)]);
  const partitions = payloads.map((blocks) => blocks.flatMap((b) => decodeRecords(b)));
  expect(partitions.map((p) => p.length)).toEqual(counts);
  return { partitions, payloads };
}

const partitionOf = (n: number) => (k: string) => hashKey(k) % n;
/** The reference: per partition, a stable compareKeys sort (or arrival order). */
function expected(recs: Rec[], n: number, sorted: boolean): Rec[][] {
  const parts: Rec[][] = Array.from({ length: n }, () => []);
  for (const rec of recs) parts[hashKey(rec[0]) % n]!.push(rec);
  return sorted ? parts.map((p) => [...p].sort((a, b) => compareKeys(a[0], b[0]))) : parts;
}

// Keys that stress the prefixes: shared leading characters, lengths around 4 and 8, trailing
// NULs ("a" < "a\0"), Latin-1, beyond Latin-1, astral characters (surrogate pairs).
const unit = fc.constantFrom('a', 'b', '\u0000', 'é', '\u00ff', 'Ā', '中', '\uffff', '😀', 'z');
const keyArb = fc.oneof(
  fc.string({ unit, maxLength: 10 }),
  fc.string({ unit, maxLength: 3 }).map((s) => `common-prefix-${s}`),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'a', 'a\u0000', 'a\u0000\u0000', 'abcdefgh', 'abcdefgh\u0000', 'abcdefghi'),
);
const valueArb = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit, maxLength: 5 }));
// Values say where each record came from, so stability is observable.
const recordsArb = fc.array(fc.tuple(keyArb, valueArb), { maxLength: 400 }).map((rs) => rs.map(([k, v], i): Rec => [k, `${v}#${i}`]));

describe('StringPairBuffer', () => {
  it('writes each partition sorted exactly as compareKeys orders strings, stably, in STRING_PAIRS blocks', () => {
    fc.assert(
      fc.property(recordsArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 200 }), (recs, n, batchSize) => {
        const buffer = new StringPairBuffer(n, partitionOf(n), true);
        for (let i = 0; i < recs.length; i += batchSize) expect(buffer.append(recs.slice(i, i + batchSize))).toBe(Math.min(batchSize, recs.length - i));
        expect(buffer.records).toBe(recs.length);
        const { partitions, payloads } = written(buffer, 300);
        expect(partitions).toEqual(expected(recs, n, true));
        for (const blocks of payloads) for (const b of blocks) expect(b[0]).toBe(STRING_PAIRS);
        // batches() gives the same order, as objects.
        for (let r = 0; r < n; r++) expect([...buffer.batches(r, 7)].flat()).toEqual(partitions[r]);
        buffer.release();
      }),
      { numRuns: 150 },
    );
  });

  it('keeps arrival order per partition when not sorting', () => {
    fc.assert(
      fc.property(recordsArb, fc.integer({ min: 1, max: 4 }), (recs, n) => {
        const buffer = new StringPairBuffer(n, partitionOf(n), false);
        buffer.append(recs);
        expect(written(buffer).partitions).toEqual(expected(recs, n, false));
        expect(buffer.toBuckets()).toEqual(expected(recs, n, false));
        buffer.release();
      }),
      { numRuns: 50 },
    );
  });

  it('sorts many records with long runs of equal prefixes and duplicate keys', () => {
    const recs: Rec[] = [];
    for (let i = 0; i < 20_000; i++) recs.push([`2024-01-${String((i * 7919) % 31).padStart(2, '0')}T${(i * 31) % 97}`, `v${i}`]);
    for (let i = 0; i < 5000; i++) recs.push([`dup${i % 3}`, `d${i}`]);
    for (let i = 0; i < 70_000; i++) recs.push([String((i * 2654435761) % 1_000_003), `n${i}`]);
    const buffer = new StringPairBuffer(2, partitionOf(2), true);
    for (let i = 0; i < recs.length; i += 4096) buffer.append(recs.slice(i, i + 4096));
    expect(written(buffer).partitions).toEqual(expected(recs, 2, true));
    buffer.release();
  });

  it('refuses records that are not pairs of strings, and batches with lone surrogates, saying where it stopped', () => {
    const buffer = new StringPairBuffer(2, partitionOf(2), true);
    expect(buffer.append([['a', 'x'], ['b', 'y'], [1, 'z'], ['c', 'w']])).toBe(2);
    expect(buffer.append([['c', 'w'], ['d', 5]], 0)).toBe(1);
    expect(buffer.append([['e', '\ud800'], ['f', 'ok']])).toBe(0);
    expect(buffer.append([['é', 'ok'], ['x', 'ok\udfff']])).toBe(0);
    expect(buffer.append([['g', 'v']], 1)).toBe(1);
    expect(buffer.records).toBe(3);
    expect(buffer.toBuckets()).toEqual(expected([['a', 'x'], ['b', 'y'], ['c', 'w']], 2, false));
    buffer.release();
  });

  it('stops appending once it would hold more than the limit, taking one record beyond it only when empty', () => {
    const buffer = new StringPairBuffer(1, () => 0, true);
    const recs: Rec[] = Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(48)]);
    // 50 characters and a 32-byte index row each: two fit in 200 bytes, a third does not.
    expect(buffer.append(recs, 0, 200)).toBe(2);
    expect(buffer.full).toBe(true);
    expect(buffer.bytes).toBeLessThanOrEqual(200);
    expect(buffer.append(recs, 2, 200)).toBe(2);
    buffer.clear();
    expect(buffer.append(recs, 2, 10)).toBe(3);
    expect(buffer.full).toBe(true);
    expect(buffer.append(recs, 3)).toBe(10);
    expect(buffer.full).toBe(false);
    expect(written(buffer).partitions[0]).toEqual(recs.slice(2));
    buffer.release();
  });

  it('bounds blocks by maxPayloadBytes, giving one larger record a block of its own; empty partitions have no blocks', () => {
    const buffer = new StringPairBuffer(3, (k) => (k === 'big' ? 2 : 0), true);
    const recs: Rec[] = Array.from({ length: 50 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v'.repeat(20)]);
    recs.push(['big', 'x'.repeat(500)]);
    buffer.append(recs);
    const { partitions, payloads } = written(buffer, 120);
    expect(payloads[1]).toEqual([]);
    expect(partitions[2]).toEqual([['big', 'x'.repeat(500)]]);
    expect(payloads[0]!.length).toBeGreaterThan(10);
    for (const b of payloads[0]!) expect(b.length).toBeLessThanOrEqual(120);
    expect(partitions[0]).toEqual(recs.slice(0, 50));
    buffer.release();
  });

  it('counts its memory, clears for reuse, and hands its storage to the next buffer', () => {
    const a = new StringPairBuffer(1, () => 0, true);
    a.append([['b', 'second'], ['a', 'first']]);
    expect(a.bytes).toBeGreaterThanOrEqual('bsecondafirst'.length);
    a.clear();
    expect(a.records).toBe(0);
    a.append([['z', 'only']]);
    expect(written(a).partitions).toEqual([[['z', 'only']]]);
    a.release();
    // The next buffer reuses that memory: nothing of the old records may show through.
    const b = new StringPairBuffer(2, (k) => (k < 'm' ? 0 : 1), true);
    b.append([['q', 'v1'], ['c', 'v2']]);
    expect(written(b).partitions).toEqual([[['c', 'v2']], [['q', 'v1']]]);
    b.release();
  });
});
