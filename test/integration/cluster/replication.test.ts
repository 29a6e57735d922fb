import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SparkContext, StorageLevel, type SparkListenerEvent } from '../../../src/index.js';
import { capturingLogger, isAlive, waitFor } from './clusterHelpers.js';

/*
 * Replicated storage levels. In local-cluster[3] each partition stored at a `_2` level is also
 * kept by one other executor, so losing an executor loses no cached partition (nothing is
 * recomputed: an accumulator counts the records the cached RDD's map function sees), and
 * unpersist() removes both copies (block files, counted on disk for DISK_ONLY_2). In local[2]
 * the same levels keep one copy.
 */

/** Speculation off: a backup copy would compute (and cache) a partition a second time. */
const conf = { 'spark.speculation': 'false' };

type TaskEnd = Extract<SparkListenerEvent, { type: 'taskEnd' }>;

/** Block files (`rdd_<rdd>_<partition>.blk`) under a directory, with the executor directory holding each. */
function blockFiles(root: string): { executorDir: string; name: string }[] {
  const out: { executorDir: string; name: string }[] = [];
  const walk = (dir: string, executorDir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // removed while we looked
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(dir, e.name), e.name.startsWith('kuberdd-') && dir.endsWith('executors') ? e.name : executorDir);
      else if (/^rdd_\d+_\d+\.blk$/.test(e.name)) out.push({ executorDir, name: e.name });
    }
  };
  walk(root, '');
  return out;
}

describe('replicated storage levels', () => {
  it('MEMORY_ONLY_2: after kill -9 of an executor holding partitions, the replicas are read and nothing is recomputed', async () => {
    const logger = capturingLogger();
    const sc = new SparkContext({ master: 'local-cluster[3]', conf, logger });
    const events: SparkListenerEvent[] = [];
    sc.addListener((e) => void events.push(e));
    try {
      const computed = sc.longAccumulator('computed');
      const cached = sc
        .range(0, 600, 1, 6)
        .map(
          (x) => {
            computed.add(1);
            return x * 2;
          },
          { computed },
        )
        .persist(StorageLevel.MEMORY_ONLY_2);
      expect(await cached.count()).toBe(600);
      expect(computed.value).toBe(600);

      const holders = events.filter((e): e is TaskEnd => e.type === 'taskEnd' && e.successful).map((e) => e.executorId);
      const victim = holders[0]!;
      const onVictim = events.filter((e): e is TaskEnd => e.type === 'taskEnd' && e.successful && e.executorId === victim).length;
      expect(onVictim).toBeGreaterThan(0);
      const pid = logger.executorPids().get(victim);
      if (pid === undefined) throw new Error(`no pid known for ${victim}`);
      process.kill(pid, 'SIGKILL');
      await waitFor(() => events.some((e) => e.type === 'executorRemoved' && e.executorId === victim), 'the driver to notice the lost executor');
      expect(isAlive(pid)).toBe(false);

      const second = await cached.map((x) => x + 1).collect();
      expect(second).toEqual(Array.from({ length: 600 }, (_, x) => x * 2 + 1));
      // No partition was computed again: the victim's partitions were read from their replicas.
      expect(computed.value).toBe(600);
      // Later actions keep reading the cache.
      expect(await cached.count()).toBe(600);
      expect(computed.value).toBe(600);
    } finally {
      await sc.stop();
    }
  }, 120_000);

  it('DISK_ONLY_2: every partition is on two executors, and unpersist() removes both copies', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-replication-test-'));
    const logger = capturingLogger();
    const sc = new SparkContext({ master: 'local-cluster[3]', conf: { ...conf, 'kuberdd.local.dir': dir }, logger });
    try {
      const rdd = sc.range(0, 300, 1, 6).map((x) => x + 1).persist(StorageLevel.DISK_ONLY_2);
      expect(await rdd.sum()).toBe((300 * 301) / 2);
      const files = blockFiles(dir);
      const byBlock = new Map<string, Set<string>>();
      for (const f of files) byBlock.set(f.name, new Set([...(byBlock.get(f.name) ?? []), f.executorDir]));
      expect(byBlock.size).toBe(6);
      for (const [name, executors] of byBlock) expect({ name, copies: executors.size }).toEqual({ name, copies: 2 });
      expect(files).toHaveLength(12);
      // Read back from either copy: the same data.
      expect(await rdd.sum()).toBe((300 * 301) / 2);

      rdd.unpersist();
      await waitFor(() => blockFiles(dir).length === 0, 'both copies of every block file to be removed');
    } finally {
      await sc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('in local[2] (threads of one process) the _2 levels keep one copy and work as their plain forms', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-replication-local-'));
    const sc = new SparkContext({ master: 'local[2]', conf: { 'kuberdd.local.dir': dir } });
    try {
      const computed = sc.longAccumulator('computed');
      const rdd = sc
        .range(0, 300, 1, 6)
        .map(
          (x) => {
            computed.add(1);
            return x + 1;
          },
          { computed },
        )
        .persist(StorageLevel.DISK_ONLY_2);
      expect(await rdd.sum()).toBe((300 * 301) / 2);
      expect(await rdd.sum()).toBe((300 * 301) / 2);
      expect(computed.value).toBe(300);
      expect(blockFiles(dir).map((f) => f.name).sort()).toEqual(Array.from({ length: 6 }, (_, p) => `rdd_${rdd.id}_${p}.blk`).sort());
    } finally {
      await sc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
