import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logging/createLogger.js';
import { builtinResources } from './builtinResources.js';
import { InMemoryKubeClient } from './InMemoryKubeClient.testing.js';
import { KubeApiError } from './KubeApiError.js';
import type { KubeClient } from './KubeClient.js';
import { LeaderElector } from './LeaderElector.js';

const logger = createLogger({ format: 'json', level: 'error' });
const timing = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 50 };

/** A view of `client` that can be cut off, as a partitioned replica would be. */
function partitionable(client: InMemoryKubeClient): { client: KubeClient; cut: () => void } {
  let cut = false;
  const view = new Proxy(client, {
    get: (target, property) => {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (cut) return Promise.reject(new KubeApiError(0, undefined, 'partitioned'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { client: view, cut: () => (cut = true) };
}

describe('LeaderElector', () => {
  it('never lets two candidates lead: a cut-off leader steps down before the other takes over', async () => {
    const store = new InMemoryKubeClient();
    const aView = partitionable(store);
    const a = new LeaderElector({ client: aView.client, namespace: 'ns', leaseName: 'l', identity: 'a', logger, ...timing });
    const b = new LeaderElector({ client: store, namespace: 'ns', leaseName: 'l', identity: 'b', logger, ...timing });
    expect(await a.acquire(AbortSignal.timeout(1000))).toBe(true);
    let bothLed = false;
    const sampler = setInterval(() => (bothLed ||= a.isLeader && b.isLeader), 5);
    const bLeads = b.acquire(AbortSignal.timeout(5000));
    await new Promise((r) => setTimeout(r, 800));
    expect(b.isLeader).toBe(false); // a keeps renewing

    const cutAt = Date.now();
    aView.cut();
    expect(await bLeads).toBe(true);
    const takeoverMs = Date.now() - cutAt;
    clearInterval(sampler);
    expect(a.lost.aborted).toBe(true);
    expect(bothLed).toBe(false);
    expect(takeoverMs).toBeGreaterThanOrEqual(timing.leaseDurationMs - timing.retryPeriodMs);
    expect((await store.get(builtinResources.leases, 'ns', 'l'))?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.release();
  });

  it('hands over at once when the leader releases the lease', async () => {
    const client = new InMemoryKubeClient();
    const a = new LeaderElector({ client, namespace: 'ns', leaseName: 'l', identity: 'a', logger, ...timing });
    const b = new LeaderElector({ client, namespace: 'ns', leaseName: 'l', identity: 'b', logger, ...timing });
    await a.acquire(AbortSignal.timeout(1000));
    const bLeads = b.acquire(AbortSignal.timeout(5000));
    await new Promise((r) => setTimeout(r, 100));
    const releasedAt = Date.now();
    await a.release();
    expect(await bLeads).toBe(true);
    expect(Date.now() - releasedAt).toBeLessThan(timing.leaseDurationMs);
    expect(a.isLeader).toBe(false);
    await b.release();
    expect((await client.get(builtinResources.leases, 'ns', 'l'))?.spec?.holderIdentity).toBeNull();
  });
});
