/**
 * Tests for the benchmark harness: generators (determinism, shape), the hand-written baselines
 * against naive single-thread references, and the kuberdd job code against a tiny in-memory
 * fake SparkContext (so the jobs' closures and check shapes are validated before the engine
 * exists). Small data only; runs in a few seconds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-ignore -- plain JS modules with JSDoc
import * as baseline from './baseline.js';
// @ts-ignore
import { joinCheck, keyedSumCheck, sameCheck, verifySortedFiles } from './check.js';
// @ts-ignore
import { ensureData, generateKv, generateKvSmall, generateSort, generateWords, makeVocabulary, zipfAliasTable } from './generate.js';
// @ts-ignore
import * as jobs from './kuberdd-jobs.js';

let dir = '';
const p = (name: string) => path.join(dir, name);

/** Lines of a text file as textFile() sees them (no empty last line after a final '\n'). */
function readLines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kuberdd-bench-test-'));
  await generateWords({ out: p('words.txt'), bytes: 1 << 20 });
  await generateKv({ out: p('kv.csv'), records: 50_000, keys: 5_000 });
  await generateKvSmall({ out: p('small.csv'), keys: 5_000 });
  await generateSort({ out: p('sort.txt'), records: 20_000 });
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('generators', () => {
  it('are deterministic: same seed → same bytes, other seed → other bytes', async () => {
    for (const [name, gen, opts] of [
      ['words', generateWords, { bytes: 200_000 }],
      ['kv', generateKv, { records: 5_000, keys: 1_000 }],
      ['kvs', generateKvSmall, { keys: 1_000 }],
      ['sort', generateSort, { records: 1_000 }],
    ] as const) {
      await (gen as any)({ out: p(`${name}-a`), seed: 7, ...opts });
      await (gen as any)({ out: p(`${name}-b`), seed: 7, ...opts });
      await (gen as any)({ out: p(`${name}-c`), seed: 8, ...opts });
      const a = fs.readFileSync(p(`${name}-a`));
      expect(a.equals(fs.readFileSync(p(`${name}-b`))), name).toBe(true);
      expect(a.equals(fs.readFileSync(p(`${name}-c`))), name).toBe(false);
    }
  });

  it('words: bounded size, lines of 10–20 single-space-separated vocabulary words', () => {
    const size = fs.statSync(p('words.txt')).size;
    expect(size).toBeLessThanOrEqual(1 << 20);
    expect(size).toBeGreaterThan((1 << 20) - 300);
    const vocab = new Set(makeVocabulary(100_000));
    expect(vocab.size).toBe(100_000);
    expect([...vocab].filter((w) => !/^[a-z]{2,12}$/.test(w))).toEqual([]);
    const lines = readLines(p('words.txt'));
    expect(fs.readFileSync(p('words.txt')).at(-1)).toBe(10);
    const bad = lines.filter((line) => {
      const ws = line.split(' ');
      return ws.length < 10 || ws.length > 20 || ws.some((w) => !vocab.has(w));
    });
    expect(bad).toEqual([]);
  });

  it('words: Zipf(1.0) shape over ranks', () => {
    const vocab: string[] = makeVocabulary(100_000);
    const counts = new Map<string, number>();
    let total = 0;
    for (const line of readLines(p('words.txt')))
      for (const w of line.split(' ')) {
        counts.set(w, (counts.get(w) ?? 0) + 1);
        total++;
      }
    let H = 0;
    for (let r = 1; r <= 100_000; r++) H += 1 / r;
    const f = (rank: number) => (counts.get(vocab[rank - 1]!) ?? 0) / total;
    expect(f(1)).toBeGreaterThan(0.9 / H);
    expect(f(1)).toBeLessThan(1.1 / H);
    expect(f(1) / f(10)).toBeGreaterThan(8);
    expect(f(1) / f(10)).toBeLessThan(12.5);
    // ranks 1..100 carry ~ H_100 / H_100000 ≈ 43% of the mass
    let top100 = 0;
    for (let r = 1; r <= 100; r++) top100 += f(r);
    expect(top100).toBeGreaterThan(0.4);
    expect(top100).toBeLessThan(0.46);
    // alias table reproduces the distribution exactly in expectation
    const { threshold, alias, probs } = zipfAliasTable(1000, 1.0);
    const q = new Float64Array(1000);
    for (let i = 0; i < 1000; i++) {
      const t = Math.min(threshold[i] / 4294967296, 1);
      q[i]! += t / 1000;
      q[alias[i]!]! += (1 - t) / 1000;
    }
    for (let i = 0; i < 1000; i++) expect(Math.abs(q[i]! - probs[i]!)).toBeLessThan(1e-9);
  });

  it('kv, kv-small and sort formats', () => {
    const kv = readLines(p('kv.csv'));
    expect(kv.length).toBe(50_000);
    expect(kv.filter((l) => !/^k\d{7},\d{1,3}$/.test(l))).toEqual([]);
    const small = readLines(p('small.csv'));
    expect(small.length).toBe(5_000);
    expect(new Set(small.map((l) => l.split(',')[0])).size).toBe(5_000);
    expect(small.filter((l) => !/^k\d{7},[a-z]{3,12}$/.test(l))).toEqual([]);
    const buf = fs.readFileSync(p('sort.txt'));
    expect(buf.length).toBe(20_000 * 100);
    let badRecords = 0;
    for (let r = 0; r < 20_000; r++) {
      let ok = buf[r * 100 + 99] === 10 && buf[r * 100 + 10] === 32;
      for (let i = 0; i < 99; i++) ok &&= buf[r * 100 + i]! >= 32 && buf[r * 100 + i]! <= 126;
      if (!ok) badRecords++;
    }
    expect(badRecords).toBe(0);
  });

  it('ensureData skips an identical existing file and regenerates a changed one', async () => {
    const out = p('ens.csv');
    const a = await ensureData('kv', { out, records: 1000, keys: 100 });
    expect(a.generated).toBe(true);
    const b = await ensureData('kv', { out, records: 1000, keys: 100 });
    expect(b.generated).toBe(false);
    fs.appendFileSync(out, 'x');
    const c = await ensureData('kv', { out, records: 1000, keys: 100 });
    expect(c.generated).toBe(true);
    const d = await ensureData('kv', { out, records: 1000, keys: 101 });
    expect(d.generated).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Naive single-thread references
// ---------------------------------------------------------------------------------------------

function refWordcount(file: string) {
  const m = new Map<string, number>();
  for (const line of readLines(file)) for (const w of line.split(' ')) m.set(w, (m.get(w) ?? 0) + 1);
  return keyedSumCheck(m);
}

function refReduceByKey(file: string) {
  const m = new Map<string, number>();
  for (const line of readLines(file)) {
    const [k, v] = line.split(',');
    m.set(k!, (m.get(k!) ?? 0) + Number(v));
  }
  return keyedSumCheck(m);
}

function refJoin(kvFile: string, smallFile: string) {
  const labels = new Map(readLines(smallFile).map((l) => l.split(',') as [string, string]));
  const rows = new Map<number, [number, number, number]>();
  for (const line of readLines(kvFile)) {
    const [k, v] = line.split(',');
    const label = labels.get(k!);
    if (label === undefined) continue;
    const row = rows.get(label.length) ?? [label.length, 0, 0];
    row[1]++;
    row[2] += Number(v);
    rows.set(label.length, row);
  }
  return joinCheck(rows.values());
}

function refSort(file: string) {
  const lines = readLines(file);
  lines.sort((a, b) => (a.slice(0, 10) < b.slice(0, 10) ? -1 : a.slice(0, 10) > b.slice(0, 10) ? 1 : 0));
  const out = p(`ref-sorted-${Math.random()}`);
  fs.writeFileSync(out, lines.map((l) => l + '\n').join(''));
  return verifySortedFiles([out]);
}

describe('baselines agree with naive references', () => {
  it('wordcount (2 and 3 threads)', async () => {
    const ref = refWordcount(p('words.txt'));
    for (const threads of [2, 3]) {
      const r = await baseline.wordcount(p('words.txt'), { threads });
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.check).toEqual(ref);
    }
  });

  it('reduceByKey', async () => {
    expect((await baseline.reduceByKey(p('kv.csv'))).check).toEqual(refReduceByKey(p('kv.csv')));
  });

  it('join', async () => {
    const ref = refJoin(p('kv.csv'), p('small.csv'));
    expect(ref.count).toBe(50_000);
    expect((await baseline.join(p('kv.csv'), p('small.csv'))).check).toEqual(ref);
  });

  it('sort (2 and 3 threads), output file sorted and a permutation of the input', async () => {
    const ref = refSort(p('sort.txt'));
    expect(ref.sorted).toBe(true);
    expect(ref.count).toBe(20_000);
    for (const threads of [2, 3]) {
      const out = p(`sorted-${threads}.txt`);
      const r = await baseline.sort(p('sort.txt'), { threads, outPath: out, keepOutput: true });
      expect(r.check).toEqual(ref);
      expect(fs.statSync(out).size).toBe(20_000 * 100);
    }
    // an unsorted file is detected
    expect(verifySortedFiles([p('sort.txt')]).sorted).toBe(false);
  });

  it('sort handles variable-length lines and short keys like string order', async () => {
    const lines = ['b', 'abc', 'ab', 'a', 'zz top', 'abcdefghijk2', 'abcdefghijk1', 'abcdefghij', '', 'Ab'];
    const f = p('var.txt');
    fs.writeFileSync(f, lines.join('\n') + '\n');
    const r = await baseline.sort(f, { outPath: p('var-out.txt'), keepOutput: true });
    expect(r.check.sorted).toBe(true);
    expect(r.check.count).toBe(lines.length);
    const got = readLines(p('var-out.txt')).map((l) => l.slice(0, 10));
    expect(got).toEqual(lines.map((l) => l.slice(0, 10)).sort());
  });

  it('emptytasks', async () => {
    const r = await baseline.emptytasks(3000);
    expect(r.check).toEqual({ tasks: 3000 });
    expect(r.tasksPerSecond).toBeGreaterThan(1000);
  });
});

// ---------------------------------------------------------------------------------------------
// kuberdd jobs on a fake in-memory SparkContext. Every user function is rebuilt from its source
// text (like the engine ships closures), so a closure with free variables fails here.
// ---------------------------------------------------------------------------------------------

function ship<F extends (...a: any[]) => any>(fn: F): F {
  return new Function(`return (${fn.toString()});`)() as F;
}

class FakeRDD {
  constructor(readonly parts: () => unknown[][]) {}
  make(parts: () => unknown[][]): this {
    return new (this.constructor as new (p: () => unknown[][]) => this)(parts);
  }
  map(f: (x: any) => any) {
    const g = ship(f);
    return this.make(() => this.parts().map((p) => p.map((x) => g(x))));
  }
  flatMap(f: (x: any) => Iterable<any>) {
    const g = ship(f);
    return this.make(() =>
      this.parts().map((p) => {
        const out: unknown[] = [];
        for (const x of p) for (const y of g(x)) out.push(y);
        return out;
      }),
    );
  }
  mapPartitions(f: (it: Iterable<any>) => Iterable<any>) {
    const g = ship(f);
    return this.make(() => this.parts().map((p) => [...g(p[Symbol.iterator]())]));
  }
  values() {
    return this.make(() => this.parts().map((p) => p.map((kv: any) => kv[1])));
  }
  reduceByKey(f: (a: any, b: any) => any, n = 2) {
    const g = ship(f);
    return this.make(() => {
      const m = new Map<unknown, unknown>();
      for (const p of this.parts()) for (const [k, v] of p as [unknown, unknown][]) m.set(k, m.has(k) ? g(m.get(k), v) : v);
      const out: unknown[][] = Array.from({ length: n }, () => []);
      let i = 0;
      for (const e of m) out[i++ % n]!.push(e);
      return out;
    });
  }
  join(other: FakeRDD) {
    return this.make(() => {
      const right = new Map<unknown, unknown[]>();
      for (const p of other.parts())
        for (const [k, v] of p as [unknown, unknown][]) {
          const a = right.get(k);
          if (a) a.push(v);
          else right.set(k, [v]);
        }
      return this.parts().map((p) => {
        const out: unknown[] = [];
        for (const [k, v] of p as [unknown, unknown][]) for (const w of right.get(k) ?? []) out.push([k, [v, w]]);
        return out;
      });
    });
  }
  sortByKey(asc = true, n = 2) {
    return this.make(() => {
      const all = this.parts().flat() as [string, unknown][];
      all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) * (asc ? 1 : -1));
      const per = Math.ceil(all.length / n);
      return Array.from({ length: n }, (_, i) => all.slice(i * per, (i + 1) * per));
    });
  }
  async collect() {
    return this.parts().flat();
  }
  async foreachPartition(f: (it: Iterable<unknown>) => void) {
    const g = ship(f);
    for (const p of this.parts()) g(p[Symbol.iterator]());
  }
}

class FakeRDDWithSave extends FakeRDD {
  async saveAsTextFile(outDir: string) {
    fs.mkdirSync(outDir, { recursive: true });
    this.parts().forEach((part, i) =>
      fs.writeFileSync(path.join(outDir, `part-${String(i).padStart(5, '0')}`), part.map((l) => l + '\n').join('')),
    );
    fs.writeFileSync(path.join(outDir, '_SUCCESS'), '');
  }
}

function fakeContext(withSave = false) {
  const R = withSave ? FakeRDDWithSave : FakeRDD;
  return {
    textFile: (file: string) =>
      new R(() => {
        const lines = readLines(file);
        const h = Math.ceil(lines.length / 2);
        return [lines.slice(0, h), lines.slice(h)];
      }),
    parallelize: (xs: unknown[], n: number) => new R(() => Array.from({ length: n }, (_, i) => xs.filter((_, j) => j % n === i))),
    stop: async () => {},
  };
}

describe('kuberdd jobs (fake SparkContext) give the same checks as the baselines', () => {
  it('wordcount, reduceByKey, join', async () => {
    const sc = fakeContext();
    const wc = await jobs.timed(jobs.wordcount, sc, p('words.txt'));
    expect(sameCheck(wc.check, refWordcount(p('words.txt')))).toBe(true);
    const rbk = await jobs.timed(jobs.reduceByKey, sc, p('kv.csv'));
    expect(sameCheck(rbk.check, refReduceByKey(p('kv.csv')))).toBe(true);
    const j = await jobs.timed(jobs.join, sc, p('kv.csv'), p('small.csv'));
    expect(sameCheck(j.check, refJoin(p('kv.csv'), p('small.csv')))).toBe(true);
  });

  it('sort, with and without saveAsTextFile', async () => {
    const ref = refSort(p('sort.txt'));
    const a = await jobs.timed(jobs.sort, fakeContext(false), p('sort.txt'), { outDir: p('k-sort-a') });
    expect(a.mode).toBe('mapPartitions');
    expect(a.check).toEqual(ref);
    const b = await jobs.timed(jobs.sort, fakeContext(true), p('sort.txt'), { outDir: p('k-sort-b') });
    expect(b.mode).toBe('saveAsTextFile');
    expect(b.check).toEqual(ref);
  });

  it('emptytasks', async () => {
    const r = await jobs.timed(jobs.emptytasks, fakeContext(), 100);
    expect(r.check).toEqual({ tasks: 100 });
  });
});
