import { describe, expect, it } from 'vitest';
import { SparkContext, type SparkListenerEvent } from '../../../src/index.js';
import { capturingLogger, isAlive, waitFor } from './clusterHelpers.js';

/*
 * An executor that stops answering without exiting (SIGSTOP: hung, or cut off from NATS) is
 * noticed by its missing heartbeats, not by its process ending: the driver gives up on it
 * after kuberdd.executor.heartbeatTimeout, the job completes without it, and the launcher
 * ends the process.
 */

describe('heartbeat timeout', () => {
  it('a silent executor is lost after the timeout, its work is redone elsewhere, and its process is ended', async () => {
    const logger = capturingLogger();
    const sc = new SparkContext({
      master: 'local-cluster[2]',
      conf: { 'kuberdd.executor.heartbeatInterval': '200ms', 'kuberdd.executor.heartbeatTimeout': '3s', 'spark.speculation': 'false' },
      logger,
    });
    let frozen: number | undefined;
    try {
      const events: SparkListenerEvent[] = [];
      sc.addListener((e) => {
        events.push(e);
        if (frozen === undefined && e.type === 'taskEnd' && e.successful && e.executorId === 'exec-1') {
          frozen = logger.executorPids().get('exec-1')!;
          process.kill(frozen, 'SIGSTOP');
        }
      });
      const started = Date.now();
      const sums = await sc
        .range(0, 1_000, 1, 6)
        .mapPartitions((it) => {
          const until = Date.now() + 150;
          while (Date.now() < until);
          return it;
        })
        .map((x) => [x % 3, x] as [number, number])
        .reduceByKey((a, b) => a + b, 2)
        .collectAsMap();
      expect(frozen).toBeDefined();
      const expected = new Map<number, number>();
      for (let x = 0; x < 1_000; x++) expected.set(x % 3, (expected.get(x % 3) ?? 0) + x);
      expect(new Map(sums)).toEqual(expected);
      const removed = events.find((e): e is Extract<SparkListenerEvent, { type: 'executorRemoved' }> => e.type === 'executorRemoved');
      expect(removed).toMatchObject({ executorId: 'exec-1', reason: expect.stringMatching(/^no heartbeat for \d+\.\d s$/) });
      expect(Date.now() - started).toBeGreaterThan(3_000);
      // The hung process does not linger: the launcher killed it.
      await waitFor(() => !isAlive(frozen!), 'the frozen executor to be killed', 5_000);
    } finally {
      await sc.stop();
      if (frozen !== undefined && isAlive(frozen)) process.kill(frozen, 'SIGKILL');
    }
  });
});
