import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nullLogger } from '../../../src/common/logging/nullLogger.js';
import { SparkContext, type SparkListenerEvent } from '../../../src/index.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';
import { capturingLogger } from './clusterHelpers.js';

/*
 * The NATS server goes away and comes back (NatsServerProcess.restart()) while a job runs:
 * connections reconnect, messages lost in flight are made up for (lost launches and statuses
 * are noticed through heartbeats, requests are retried), and the job completes correctly.
 */

let nats: NatsServerProcess;

beforeAll(async () => {
  nats = await NatsServerProcess.start({ logger: nullLogger });
});

afterAll(async () => {
  await nats?.stop();
});

describe('NATS restarted mid-job', () => {
  it('the job completes with the right answer', async () => {
    const logger = capturingLogger();
    const sc = new SparkContext({ master: 'local-cluster[2]', conf: { 'kuberdd.nats.url': nats.url }, logger });
    try {
      const events: SparkListenerEvent[] = [];
      let restart: Promise<void> | undefined;
      sc.addListener((e) => {
        events.push(e);
        // Once the job is under way: a few map tasks done, more running.
        if (restart === undefined && e.type === 'taskEnd' && e.successful && events.filter((x) => x.type === 'taskEnd').length === 3) {
          restart = nats.restart();
        }
      });
      const sums = await sc
        .range(0, 3_000, 1, 10)
        .mapPartitions((it) => {
          const until = Date.now() + 200;
          while (Date.now() < until);
          return it;
        })
        .map((x) => [x % 7, x] as [number, number])
        .reduceByKey((a, b) => a + b, 3)
        .collectAsMap();
      expect(restart).toBeDefined();
      await restart;
      const expected = new Map<number, number>();
      for (let x = 0; x < 3_000; x++) expected.set(x % 7, (expected.get(x % 7) ?? 0) + x);
      expect(new Map(sums)).toEqual(expected);
      // The connections noticed the restart (the driver's own log).
      expect(logger.entries.some((e) => e.message === 'reconnected to NATS')).toBe(true);
      // And the cluster still works afterwards.
      expect(await sc.range(0, 100, 1, 4).map((x) => x * 2).sum()).toBe(9_900);
    } finally {
      await sc.stop();
    }
  });
});
