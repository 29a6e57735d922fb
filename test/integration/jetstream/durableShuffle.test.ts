// Durable shuffle (`kuberdd.shuffle.durable=true`) in local-cluster[2]: an executor killed with
// kill -9 during the reduce stage costs no map task rerun (its outputs are read from JetStream),
// and the app's bucket is deleted when the context stops. Without the flag the victim's map
// tasks rerun: test/integration/cluster/executorLoss.test.ts covers that case.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkContext, type SparkListenerEvent } from '../../../src/index.js';
import { JetStreamBlobStore } from '../../../src/transport/JetStreamBlobStore.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';
import { capturingLogger } from '../cluster/clusterHelpers.js';

const VICTIM = 'exec-1';
const N = 4_000;

let server: NatsServerProcess;
let storeDir: string;

beforeAll(async () => {
  storeDir = mkdtempSync(path.join(tmpdir(), 'kuberdd-js-durable-'));
  server = await NatsServerProcess.start({ jetstream: true, storeDir });
});

afterAll(async () => {
  await server?.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

function expectedSums(): Map<number, number> {
  const sums = new Map<number, number>();
  for (let x = 0; x < N; x++) sums.set(x % 10, (sums.get(x % 10) ?? 0) + x);
  return sums;
}

describe('durable shuffle', () => {
  it('an executor killed with kill -9 after the map stage costs no map task rerun; the bucket goes with the app', async () => {
    const logger = capturingLogger();
    // Speculation off: a backup copy finishing alongside the original would count twice.
    const conf = { 'spark.speculation': 'false', 'kuberdd.shuffle.durable': 'true', 'kuberdd.nats.url': server.url };
    const sc = new SparkContext({ master: 'local-cluster[2]', conf, logger });
    const events: SparkListenerEvent[] = [];
    sc.addListener((e) => void events.push(e));
    let blobsWhileRunning: string[] = [];
    try {
      let killed = false;
      const stages: number[] = [];
      sc.addListener((e) => {
        if (e.type === 'stageSubmitted' && !stages.includes(e.stageId)) stages.push(e.stageId);
        const reduceStage = stages[1];
        // The victim's second reduce task: the whole map stage is done and some outputs are its.
        if (!killed && e.type === 'taskStart' && e.stageId === reduceStage && e.executorId === VICTIM) {
          const done = events.filter((x) => x.type === 'taskEnd' && x.stageId === reduceStage && x.executorId === VICTIM && x.successful).length;
          if (done >= 1) {
            const pid = logger.executorPids().get(VICTIM);
            if (pid === undefined) throw new Error(`no pid known for ${VICTIM}`);
            process.kill(pid, 'SIGKILL');
            killed = true;
          }
        }
      });
      const sums = await sc
        .range(0, N, 1, 8)
        .map((x) => [x % 10, x] as [number, number])
        .reduceByKey((a, b) => a + b, 6)
        .mapPartitions((it) => {
          const until = Date.now() + 300;
          while (Date.now() < until);
          return it;
        })
        .collectAsMap();
      expect(killed).toBe(true);
      expect(new Map(sums)).toEqual(expectedSums());
      expect(events.some((e) => e.type === 'executorRemoved' && e.executorId === VICTIM)).toBe(true);

      const mapStage = stages[0]!;
      const mapEnds = events.filter((e): e is Extract<SparkListenerEvent, { type: 'taskEnd' }> => e.type === 'taskEnd' && e.stageId === mapStage);
      // Every map partition ran once, successfully, and the victim wrote some of them.
      expect(mapEnds.map((e) => e.partition).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(mapEnds.every((e) => e.successful)).toBe(true);
      expect(mapEnds.some((e) => e.executorId === VICTIM)).toBe(true);
      // (The scheduler may resubmit the map stage after the fetch failure; it finds nothing missing.)
      expect(events.filter((e) => e.type === 'taskStart' && e.stageId === mapStage)).toHaveLength(8);

      await using store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: `shuffle-${sc.appId}` });
      blobsWhileRunning = await store.list();
    } finally {
      await sc.stop();
    }
    expect(blobsWhileRunning).toHaveLength(8);
    for (const name of blobsWhileRunning) expect(name).toMatch(/^shuffle_\d+_\d+_\d+\.data$/);
    const streams = await (async () => {
      const { connect } = await import('nats');
      const nc = await connect({ servers: server.url });
      try {
        const jsm = await nc.jetstreamManager();
        return (await jsm.streams.names().next()).filter((n) => n.startsWith('KUBERDD_BLOB_shuffle-'));
      } finally {
        await nc.close();
      }
    })();
    expect(streams).toEqual([]);
  });
});
