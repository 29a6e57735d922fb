import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SparkContext } from '../../../src/index.js';
import { childrenOf, isAlive, waitFor } from './clusterHelpers.js';

/*
 * Executors that do not come up in time make the job fail with a message saying so (not
 * hang), and stopping the context still ends every process it started.
 */

describe('local-cluster start-up', () => {
  it('fails the job clearly when no executor registers in time, and leaves no process behind', async () => {
    const sc = new SparkContext({ master: 'local-cluster[2]', conf: { 'kuberdd.executor.registrationTimeout': '1ms' } });
    let spawned: number[] = [];
    try {
      await expect(sc.range(0, 4).count()).rejects.toThrow(/executors could not start: none of the 2 executors registered with the driver within 0 s/);
      spawned = childrenOf(process.pid);
      // The nats-server and the two executors, still starting.
      expect(spawned.length).toBeGreaterThanOrEqual(3);
    } finally {
      await sc.stop();
    }
    await waitFor(() => spawned.every((pid) => !isAlive(pid)), 'every child process to be gone', 5_000);
  });
});

describe('local-cluster without executors', () => {
  it('fails the running job, saying why, once every executor is lost and none may replace it', async () => {
    const sc = new SparkContext({ master: 'local-cluster[1]', conf: { 'kuberdd.executor.maxReplacements': '0' } });
    try {
      await sc.range(0, 2, 1, 1).count();
      const [executor] = childrenOf(process.pid).filter((pid) => readCmdline(pid).includes('--executor-id'));
      expect(executor).toBeDefined();
      const slow = sc.range(0, 4, 1, 2).map((x) => {
        const until = Date.now() + 60_000;
        while (Date.now() < until);
        return x;
      });
      const running = slow.count();
      await new Promise((r) => setTimeout(r, 300));
      process.kill(executor!, 'SIGKILL');
      await expect(running).rejects.toThrow(/every executor was lost and 0 replacements were used up/);
    } finally {
      await sc.stop();
    }
  });
});

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
