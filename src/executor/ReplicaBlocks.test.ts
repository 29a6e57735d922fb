import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageLevel } from '../engine/StorageLevel.js';
import { emptyTaskMetrics } from '../engine/TaskMetrics.js';
import type { BlockUpdate, TaskStatusUpdate } from '../scheduler/TaskStatusUpdate.js';
import { BlockManager } from '../storage/BlockManager.js';
import { ReplicaBlocks } from './ReplicaBlocks.js';

const batches = [
  [1, 2, 3],
  [4, 5],
];

function finished(blockUpdates: BlockUpdate[]): TaskStatusUpdate {
  return { taskId: 1, executorId: 'exec-0', state: 'finished', accumUpdates: [], metrics: emptyTaskMetrics(), blockUpdates };
}

describe('ReplicaBlocks', () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-replicas-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('encodes the partitions a task stored at replicated levels only, once each', () => {
    const source = new BlockManager({ diskDir: path.join(dir, 'a') });
    const updates: BlockUpdate[] = [];
    const tracking = new BlockManager({ diskDir: path.join(dir, 'b'), onBlockUpdate: (u) => void updates.push(u) });
    [...tracking.putIterator(1, 0, StorageLevel.MEMORY_ONLY_2, batches)];
    [...tracking.putIterator(2, 0, StorageLevel.MEMORY_ONLY, batches)];
    [...tracking.putIterator(3, 4, StorageLevel.DISK_ONLY_2, batches)];
    const pushes = new ReplicaBlocks(tracking).toPush(finished([...updates, updates[0]!, { rddId: 9, partition: 0, bytes: 0, level: 'NONE' }]));
    expect(pushes.map((p) => [p.rddId, p.partition, p.level])).toEqual([
      [1, 0, 'MEMORY_ONLY_2'],
      [3, 4, 'DISK_ONLY_2'],
    ]);
    // What is pushed is what another executor stores: the same records, at the same level.
    const replicas = new ReplicaBlocks(source);
    for (const p of pushes) expect(replicas.store(p.rddId, p.partition, p.level, p.frames)).toBeGreaterThan(0);
    expect([...source.get(1, 0)!]).toEqual(batches);
    expect([...source.get(3, 4)!]).toEqual(batches);
    expect(source.status(3, 4)).toMatchObject({ memoryBytes: 0 });
    expect(source.status(3, 4)!.diskBytes).toBeGreaterThan(0);
  });

  it('refuses unknown levels, damaged bytes and copies memory cannot take, saying why', () => {
    expect(new ReplicaBlocks(new BlockManager({ diskDir: path.join(dir, 'd') })).toPush(finished([]))).toEqual([]);
    const updates: BlockUpdate[] = [];
    const tracked = new BlockManager({ diskDir: path.join(dir, 'f'), onBlockUpdate: (u) => void updates.push(u) });
    [...tracked.putIterator(1, 0, StorageLevel.MEMORY_ONLY_2, batches)];
    const frames = new ReplicaBlocks(tracked).toPush(finished(updates))[0]!.frames;
    const manager = new BlockManager({ maxMemoryBytes: 16, diskDir: path.join(dir, 'c') });
    const replicas = new ReplicaBlocks(manager);
    expect(() => replicas.store(1, 0, 'MEMORY_ONLY_3', frames)).toThrow(/storage level "MEMORY_ONLY_3"/);
    expect(() => replicas.store(1, 0, 'MEMORY_ONLY_2', [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])])).toThrow();
    expect(() => replicas.store(1, 0, 'MEMORY_ONLY_2', frames)).toThrow(/did not fit in this executor's storage memory/);
    expect(manager.size).toBe(0);
  });
});
