import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkContext, type SparkListenerEvent } from '../../../src/index.js';
import { capturingLogger, isAlive, waitFor } from './clusterHelpers.js';

/*
 * A job on local-cluster[2] (executor processes over NATS) gives exactly what it gives on
 * local[2] (worker threads): a shuffle, a cached RDD used twice, broadcasts, accumulators,
 * file output, and payloads too large for one NATS message (a stage binary, a broadcast and
 * task results over 1 MiB).
 */

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-cluster-eq-'));
  const words = ['alpha', 'beta', 'gamma', 'delta', 'the', 'epsilon', 'zeta', 'the', 'eta'];
  const lines: string[] = [];
  for (let i = 0; i < 2_000; i++) lines.push(Array.from({ length: 1 + (i % 7) }, (_, j) => words[(i * 3 + j * 5) % words.length]).join(' '));
  writeFileSync(path.join(dir, 'input.txt'), `${lines.join('\n')}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function job(sc: SparkContext, out: string): Promise<Record<string, unknown>> {
  const stopWords = sc.broadcast(['the']);
  // Over 1 MiB encoded: travels as a staged block, not inside a message.
  const bigBroadcast = sc.broadcast(Array.from({ length: 60_000 }, (_, i) => `value-${i}`));
  const seen = sc.longAccumulator('seen');
  const words = sc
    .textFile(path.join(dir, 'input.txt'), 4)
    .flatMap((line) => line.split(' '))
    .map(
      (w) => {
        seen.add(1);
        return w.toUpperCase();
      },
      { seen },
    )
    .cache();
  const numWords = await words.count();
  const counts = words
    .filter((w) => !stopWords.value.includes(w.toLowerCase()), { stopWords })
    .map((w) => [w, 1] as [string, number])
    .reduceByKey((a, b) => a + b, 3);
  const sorted = (await counts.collect()).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  // A sort of text pairs: map outputs in the string-pair block layout, fetched from the other executor.
  const sortedPairs = await words
    .map((w) => [w, `${w.toLowerCase()}é`] as [string, string])
    .sortByKey(true, 3)
    .collect();
  await counts.map(([w, n]) => `${w}=${n}`).saveAsTextFile(path.join(out, 'counts'));
  const saved = readdirSync(path.join(out, 'counts'))
    .filter((f) => f.startsWith('part-'))
    .sort()
    .map((f) => readFileSync(path.join(out, 'counts', f), 'utf8'));
  // A stage binary over 1 MiB (the data is in the lineage), and results over 1 MiB.
  const data = Array.from({ length: 40_000 }, (_, i) => `record-${i}-${'x'.repeat(20)}`);
  const echoed = await sc.parallelize(data, 1).collect();
  const lookedUp = await sc
    .parallelize([0, 59_999, 12_345], 3)
    .map((i) => bigBroadcast.value[i], { bigBroadcast })
    .collect();
  return { numWords, seen: seen.value, sorted, sortedPairs, saved, echoedLength: echoed.length, echoedSame: echoed.every((v, i) => v === data[i]), lookedUp };
}

describe('local-cluster[2] against local[2]', () => {
  it('gives the same results: shuffle, cache, broadcasts, accumulator, saveAsTextFile, large payloads', async () => {
    const local = new SparkContext({ master: 'local[2]' });
    let expected: Record<string, unknown>;
    try {
      expected = await job(local, path.join(dir, 'local'));
    } finally {
      await local.stop();
    }
    const logger = capturingLogger();
    const cluster = new SparkContext({ master: 'local-cluster[2]', logger });
    let actual: Record<string, unknown>;
    try {
      actual = await job(cluster, path.join(dir, 'cluster'));
    } finally {
      await cluster.stop();
    }
    expect(actual).toEqual(expected);
    // The cached words were computed once: the accumulator counted each word once.
    expect(actual['seen']).toBe(actual['numWords']);
    expect(actual['echoedSame']).toBe(true);
    const keys = (actual['sortedPairs'] as [string, string][]).map((p) => p[0]);
    expect(keys.length).toBe(actual['numWords']);
    expect(keys).toEqual([...keys].sort());
    expect(actual['lookedUp']).toEqual(['value-0', 'value-59999', 'value-12345']);
    // The large payloads went the block way.
    const said = (message: string): number => logger.entries.filter((e) => e.message === message).length;
    expect(said('launching without the stage binary, too large for a message')).toBeGreaterThan(0);
    expect(said('serving a payload too large for a message as a block')).toBeGreaterThan(0);
    expect(said('fetched a task status too large for a message')).toBeGreaterThan(0);
    // Two executors ran, and are gone with the nats-server the driver started.
    const pids = [...logger.executorPids().values(), logger.natsServerPid()!];
    expect(pids).toHaveLength(3);
    await waitFor(() => pids.every((p) => !isAlive(p)), 'the executors and nats-server to exit');
  });

  it('a task reads a cached partition held by another executor instead of recomputing it', async () => {
    const sc = new SparkContext({ master: 'local-cluster[2]', conf: { 'spark.locality.wait': '0' } });
    try {
      const computed = sc.longAccumulator('computed');
      const cached = sc
        .parallelize([1, 2, 3, 4, 5, 6, 7, 8], 2)
        .map(
          (x) => {
            computed.add(1);
            return x * 10;
          },
          { computed },
        )
        .cache();
      const events: SparkListenerEvent[] = [];
      sc.addListener((e) => void events.push(e));
      expect(await cached.count()).toBe(8);
      const holders = new Set(events.flatMap((e) => (e.type === 'taskEnd' && e.successful ? [e.executorId] : [])));
      // Precondition: the two partitions are cached on different executors.
      expect(holders.size).toBe(2);
      expect(computed.value).toBe(8);
      // One task reads both partitions: one of them lives on the other executor.
      expect((await cached.coalesce(1).collect()).sort((a, b) => a - b)).toEqual([10, 20, 30, 40, 50, 60, 70, 80]);
      expect(computed.value).toBe(8);
    } finally {
      await sc.stop();
    }
  });
});

describe('local-cluster[2] cancellation', () => {
  it('cancelling a job stops its tasks on the executor processes, which then run the next job', async () => {
    const sc = new SparkContext({ master: 'local-cluster[2]' });
    try {
      await sc.range(0, 2, 1, 2).count(); // executors up
      const events: SparkListenerEvent[] = [];
      sc.addListener((e) => void events.push(e));
      // Each task would run for a minute: 600 batches of 100 ms.
      const slow = sc.range(0, 600 * 4096, 1, 2).map((x) => {
        if (x % 4096 === 0) {
          const until = Date.now() + 100;
          while (Date.now() < until);
        }
        return x;
      });
      const running = sc.withJobGroup('slow', () => slow.count());
      await waitFor(() => events.filter((e) => e.type === 'taskStart').length >= 2, 'both tasks to start');
      const cancelledAt = Date.now();
      sc.cancelJobGroup('slow');
      await expect(running).rejects.toThrow(/cancelled/);
      // The killed tasks report back (killed between batches), well before they would have finished.
      await waitFor(() => events.filter((e) => e.type === 'taskEnd' && !e.successful).length >= 2, 'the killed tasks to end', 10_000);
      expect(Date.now() - cancelledAt).toBeLessThan(10_000);
      expect(await sc.range(0, 10, 1, 2).sum()).toBe(45);
    } finally {
      await sc.stop();
    }
  });
});
