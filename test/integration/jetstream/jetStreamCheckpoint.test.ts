// Checkpoints in NATS JetStream (`setCheckpointDir('nats-js://<bucket>')`): written by the
// executors of local-cluster[2], lineage truncated, read back by a fresh SparkContext, and
// clear CheckpointErrors for damaged and missing files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../src/common/errors/CheckpointError.js';
import { SparkContext, UserInputError } from '../../../src/index.js';
import { JetStreamBlobStore } from '../../../src/transport/JetStreamBlobStore.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';

let server: NatsServerProcess;
let storeDir: string;

beforeAll(async () => {
  storeDir = mkdtempSync(path.join(tmpdir(), 'kuberdd-js-checkpoint-'));
  server = await NatsServerProcess.start({ jetstream: true, storeDir });
});

afterAll(async () => {
  await server?.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

const N = 3_000;
function expectedSums(): Map<number, number> {
  const sums = new Map<number, number>();
  for (let x = 0; x < N; x++) sums.set(x % 7, (sums.get(x % 7) ?? 0) + x);
  return sums;
}

/** The blob name of a checkpoint file: `nats-js://<bucket>/<path>/<file>` → `<path>/<file>`. */
function blobName(checkpointFile: string, file: string): string {
  return `${checkpointFile.replace(/^nats-js:\/\/[^/]+\//, '')}/${file}`;
}

describe('checkpoints in NATS JetStream', () => {
  it('local-cluster[2] writes the checkpoint, truncates the lineage, and a fresh context reads it back', async () => {
    const conf = { 'kuberdd.nats.url': server.url, 'spark.speculation': 'false' };
    const sc = new SparkContext({ master: 'local-cluster[2]', appName: 'js-checkpoint', conf });
    let file: string;
    try {
      sc.setCheckpointDir('nats-js://ckpt');
      expect(sc.getCheckpointDir()).toMatch(/^nats-js:\/\/ckpt\/[0-9a-f-]{36}$/);
      const sums = sc
        .parallelize(Array.from({ length: N }, (_, i) => i), 4)
        .map((x) => [x % 7, x] as [number, number])
        .reduceByKey((a, b) => a + b, 3);
      sums.checkpoint();
      expect(new Map(await sums.collect())).toEqual(expectedSums());
      expect(sums.isCheckpointed()).toBe(true);
      expect(sums.dependencies).toEqual([]);
      expect(sums.toDebugString()).not.toMatch(/ShuffledRDD|ParallelCollectionRDD/);
      file = sums.getCheckpointFile()!;
      expect(file).toMatch(/^nats-js:\/\/ckpt\/[0-9a-f-]{36}\/rdd-\d+$/);
      // Later jobs read the blobs (on the executors).
      expect(new Map(await sums.mapValues((v) => v + 1).collect())).toEqual(new Map([...expectedSums()].map(([k, v]) => [k, v + 1])));
    } finally {
      await sc.stop();
    }

    await using store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'ckpt' });
    expect(await store.list(blobName(file, ''))).toEqual(['_metadata', 'part-00000', 'part-00001', 'part-00002'].map((f) => blobName(file, f)));

    // A fresh context, in local mode this time: only the NATS server is shared.
    const fresh = new SparkContext({ master: 'local[2]', appName: 'js-checkpoint-restart', conf: { 'kuberdd.nats.url': server.url } });
    try {
      const back = fresh.checkpointFile<[number, number]>(file);
      expect(back.getNumPartitions()).toBe(3);
      expect(new Map(await back.collect())).toEqual(expectedSums());
    } finally {
      await fresh.stop();
    }
  });

  it('a damaged or missing checkpoint file is a CheckpointError naming the file', async () => {
    const conf = { 'kuberdd.nats.url': server.url };
    const sc = new SparkContext({ master: 'local[2]', appName: 'js-checkpoint-damage', conf });
    try {
      sc.setCheckpointDir('nats-js://damage/jobs');
      const rdd = sc.parallelize(['a', 'b', 'c', 'd'], 2).map((s) => s.toUpperCase());
      rdd.checkpoint();
      await rdd.collect();
      const file = rdd.getCheckpointFile()!;
      expect(file).toMatch(/^nats-js:\/\/damage\/jobs\/[0-9a-f-]{36}\/rdd-\d+$/);
      await using store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'damage' });

      // Valid blob, damaged content: the checkpoint format's own checksums catch it.
      const part = (await store.get(blobName(file, 'part-00001')))!;
      const damaged = Uint8Array.from(part);
      damaged[damaged.length - 3]! ^= 0xff;
      await store.put(blobName(file, 'part-00001'), damaged);
      const corrupt = await sc.checkpointFile<string>(file).collect().catch((e: unknown) => e);
      expect(corrupt).toBeInstanceOf(CheckpointError);
      expect(corrupt).toMatchObject({ code: 'CHECKPOINT_CORRUPT', message: expect.stringContaining(`checkpoint file ${file}/part-00001 is corrupt`) });

      await store.delete(blobName(file, 'part-00001'));
      let missing: unknown;
      try {
        sc.checkpointFile<string>(file);
      } catch (e) {
        missing = e;
      }
      expect(missing).toBeInstanceOf(CheckpointError);
      expect(missing).toMatchObject({ code: 'CHECKPOINT_MISSING', message: expect.stringContaining(`checkpoint file ${file}/part-00001 is missing`) });

      await store.delete(blobName(file, '_metadata'));
      expect(() => sc.checkpointFile<string>(file)).toThrow(new RegExp(`checkpoint file ${file}/_metadata is missing`));
    } finally {
      await sc.stop();
    }
  });

  it('a nats-js:// location without kuberdd.nats.url, or with a bad bucket, is a clear UserInputError', async () => {
    const sc = new SparkContext({ master: 'local[1]', appName: 'js-checkpoint-conf' });
    try {
      expect(() => sc.setCheckpointDir('nats-js://ckpt')).toThrow(UserInputError);
      expect(() => sc.setCheckpointDir('nats-js://ckpt')).toThrow(/set --conf kuberdd\.nats\.url=nats:\/\/host:4222/);
    } finally {
      await sc.stop();
    }
    const withNats = new SparkContext({ master: 'local[1]', appName: 'js-checkpoint-conf', conf: { 'kuberdd.nats.url': server.url } });
    try {
      expect(() => withNats.setCheckpointDir('nats-js://bad.bucket')).toThrow(/the bucket \(after nats-js:\/\/\) must be letters, digits/);
    } finally {
      await withNats.stop();
    }
  });
});
