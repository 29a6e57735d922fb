import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashKey } from '../common/keys/hashKey.js';
import type { Aggregator } from '../engine/Aggregator.js';
import type { Partitioner } from '../engine/Partitioner.js';

/** Shared fixtures of the shuffle tests (not part of the build: `*.testing.ts`). */

/** Temporary directories that one test file creates and removes in its afterAll. */
export function tempDirs(prefix: string): { make(): string; removeAll(): void } {
  const roots: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      roots.push(dir);
      return dir;
    },
    removeAll() {
      for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A hash partitioner without the engine's class, so the shuffle layer is tested on its own. */
export function hashPartitioner(n: number): Partitioner {
  return {
    numPartitions: n,
    getPartition: (k) => hashKey(k) % n,
    equals: (o) => o?.numPartitions === n,
    toWire: () => ({ kind: 'hash', numPartitions: n }),
  };
}

/** reduceByKey((a, b) => a + b). */
export const sum: Aggregator<unknown, unknown> = {
  createCombiner: (v) => v,
  mergeValue: (c, v) => (c as number) + (v as number),
  mergeCombiners: (a, b) => (a as number) + (b as number),
};
