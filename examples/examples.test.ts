import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkContext } from '../src/index.js';
import joinJob from './join.js';
import kmeansJob, { closest, generatedPoints } from './kmeans.js';
import logisticJob, { generatedPoint } from './logistic-regression.js';
import pagerankJob, { generatedEdges } from './pagerank.js';
import topkJob from './topk.js';
import wordcountJob from './wordcount.js';

/*
 * Each example against an independent plain-JavaScript computation of the same answer.
 * console.log output of the jobs is silenced.
 */
const data = (name: string): string => new URL(`./data/${name}`, import.meta.url).pathname;

describe('examples', () => {
  let sc: SparkContext;
  const log = console.log;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'examples' });
    console.log = () => {};
  });
  afterAll(async () => {
    console.log = log;
    await sc.stop();
  });

  function wordCounts(text: string, split: (line: string) => string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const line of text.split('\n')) for (const w of split(line)) counts.set(w, (counts.get(w) ?? 0) + 1);
    return counts;
  }

  it('wordcount: the 20 most frequent words, ties alphabetical', async () => {
    const counts = wordCounts(readFileSync(data('mapreduce.txt'), 'utf8'), (l) =>
      l.toLowerCase().split(/[^a-z0-9']+/).filter((w) => w.length > 0),
    );
    const expected = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
    expect(await wordcountJob(sc, [])).toEqual(expected);
  });

  it('topk: the 10 most frequent words', async () => {
    const counts = wordCounts(readFileSync(data('mapreduce.txt'), 'utf8'), (l) => l.toLowerCase().match(/[a-z]+/g) ?? []);
    const expected = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
    expect(await topkJob(sc, [])).toEqual(expected);
  });

  it('join: order totals per country', async () => {
    const rows = (name: string): string[][] =>
      readFileSync(data(name), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const country = new Map(rows('customers.csv').map(([id, , c]) => [id!, c!]));
    const totals = new Map<string, number>();
    for (const [, customer, amount] of rows('orders.csv')) {
      const c = country.get(customer!);
      if (c !== undefined) totals.set(c, (totals.get(c) ?? 0) + Number(amount));
    }
    const result = await joinJob(sc, []);
    expect(result.map(([c]) => c)).toEqual([...totals.keys()].sort());
    for (const [c, total] of result) expect(total).toBeCloseTo(totals.get(c)!, 6);
  });

  it('pagerank: the same ranks as a plain iteration', async () => {
    const edges = [...new Set(generatedEdges(200, 7))].map((e) => e.split(' ') as [string, string]);
    const out = new Map<string, string[]>();
    for (const [s, t] of edges) out.set(s, [...(out.get(s) ?? []), t]);
    let ranks = new Map([...out.keys()].map((p) => [p, 1.0]));
    for (let i = 0; i < 10; i++) {
      const sums = new Map<string, number>();
      for (const [p, targets] of out) {
        const r = ranks.get(p);
        if (r === undefined) continue;
        for (const t of targets) sums.set(t, (sums.get(t) ?? 0) + r / targets.length);
      }
      ranks = new Map([...sums].map(([p, s]) => [p, 0.15 + 0.85 * s]));
    }
    const result = new Map(await pagerankJob(sc, []));
    expect([...result.keys()].sort()).toEqual([...ranks.keys()].sort());
    for (const [p, r] of ranks) expect(result.get(p)).toBeCloseTo(r, 9);
  });

  it('kmeans: the same centres as a plain Lloyd iteration', async () => {
    const points = generatedPoints(2000, 4, 3);
    const key = (p: number[]): string => JSON.stringify(p);
    const distinct = [...new Map(points.map((p) => [key(p), p])).values()];
    // compareKeys orders arrays lexicographically by number: the same as this sort.
    let centres = distinct.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!).slice(0, 4);
    for (let i = 0; i < 10; i++) {
      const sums = centres.map(() => ({ s: [0, 0, 0], n: 0 }));
      for (const p of points) {
        const j = closest(p, centres);
        sums[j]!.s = sums[j]!.s.map((x, d) => x + p[d]!);
        sums[j]!.n++;
      }
      centres = centres.map((c, j) => (sums[j]!.n === 0 ? c : sums[j]!.s.map((x) => x / sums[j]!.n)));
    }
    const result = await kmeansJob(sc, []);
    result.forEach((c, j) => c.forEach((x, d) => expect(x).toBeCloseTo(centres[j]![d]!, 6)));
  });

  it('logistic regression: the same weights as plain gradient descent', async () => {
    const points = Array.from({ length: 20_000 }, (_, i) => generatedPoint(i, 10));
    let w = Array.from({ length: 10 }, (_, d) => (d % 2 === 0 ? 0.5 : -0.5));
    for (let it = 0; it < 10; it++) {
      const g = new Array<number>(10).fill(0);
      for (const p of points) {
        const dot = p.x.reduce((s, v, d) => s + v * w[d]!, 0);
        const scale = (1 / (1 + Math.exp(-p.y * dot)) - 1) * p.y;
        p.x.forEach((v, d) => (g[d]! += v * scale));
      }
      w = w.map((v, d) => v - g[d]!);
    }
    const result = await logisticJob(sc, []);
    result.forEach((v, d) => expect(v).toBeCloseTo(w[d]!, 4));
    // And the model separates the two classes.
    const correct = points.filter((p) => Math.sign(p.x.reduce((s, v, d) => s + v * result[d]!, 0)) === p.y).length;
    expect(correct / points.length).toBeGreaterThan(0.9);
  });
});
