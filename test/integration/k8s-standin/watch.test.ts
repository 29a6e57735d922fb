// Watches through client-node: event types, bookmarks, resuming from a resourceVersion, 410
// Expired for versions outside the history window and the informer's relist, plus the fault
// injection tests rely on (dropped and expired watches, conflicts, 500s, latency).
import { makeInformer, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, failure, GROUP, PLURAL, startStandIn, testJob, VERSION, type StandIn } from './standinHarness.js';

let k: StandIn;
beforeAll(async () => {
  k = await startStandIn({ watchHistorySize: 20, bookmarkIntervalMs: 200 });
});
afterAll(async () => {
  await k.server.stop();
});

interface Seen {
  type: string;
  name: string | undefined;
  rv: string | undefined;
  object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string };
}

/** Opens a watch and records its events until aborted. */
async function record(path: string, query: Record<string, string | number | boolean>): Promise<{ events: Seen[]; done: Promise<unknown>; abort: () => void }> {
  const events: Seen[] = [];
  let finish: (err: unknown) => void = () => undefined;
  const done = new Promise((resolve) => (finish = resolve));
  const controller = await new Watch(k.kc).watch(
    path,
    query,
    (type, object: Seen['object']) => events.push({ type, name: object.metadata?.name, rv: object.metadata?.resourceVersion, object }),
    (err) => finish(err ?? null),
  );
  return { events, done, abort: () => controller.abort() };
}

const cmPath = '/api/v1/namespaces/default/configmaps';

describe('StandInApiServer watch', () => {
  it('streams ADDED, MODIFIED and DELETED, filtered by label selector, and resumes from a resourceVersion', async () => {
    const start = await k.core.listNamespacedConfigMap({ namespace: 'default' });
    const w = await record(cmPath, { resourceVersion: start.metadata?.resourceVersion ?? '', labelSelector: 'app=w' });
    await k.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w1', labels: { app: 'w' } } } });
    await k.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'other', labels: { app: 'x' } } } });
    await k.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'w1', body: { metadata: { name: 'w1', labels: { app: 'w' } }, data: { a: 'b' } } });
    // leaving the selector looks like a deletion to this watch
    await k.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'other', body: { metadata: { name: 'other', labels: { app: 'w' } } } });
    await k.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'w1' });
    await eventually(() => w.events.length >= 4, 'four events');
    expect(w.events.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED w1', 'MODIFIED w1', 'ADDED other', 'DELETED w1']);
    const rvs = w.events.map((e) => Number(e.rv));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    w.abort();

    // a new watch from the first event's version replays what came after it
    const resumed = await record(cmPath, { resourceVersion: w.events[0]?.rv ?? '', labelSelector: 'app=w' });
    await eventually(() => resumed.events.length >= 3, 'replayed events');
    expect(resumed.events.map((e) => `${e.type} ${e.name}`)).toEqual(['MODIFIED w1', 'ADDED other', 'DELETED w1']);
    resumed.abort();

    // without a resourceVersion the watch starts with the current state as ADDED events
    const fresh = await record(cmPath, { labelSelector: 'app=w' });
    await eventually(() => fresh.events.length >= 1, 'initial state');
    expect(fresh.events.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED other']);
    fresh.abort();
  });

  it('sends BOOKMARKs when asked, and ends the watch after timeoutSeconds', async () => {
    const list = await k.core.listNamespacedConfigMap({ namespace: 'default' });
    const w = await record(cmPath, { resourceVersion: list.metadata?.resourceVersion ?? '', allowWatchBookmarks: true, timeoutSeconds: 1 });
    await eventually(() => w.events.some((e) => e.type === 'BOOKMARK'), 'a bookmark');
    const bookmark = w.events.find((e) => e.type === 'BOOKMARK');
    expect(Number(bookmark?.rv)).toBeGreaterThanOrEqual(Number(list.metadata?.resourceVersion));
    expect(await w.done).toBeNull();
  });

  it('answers a watch from a version older than the history window with ERROR 410 Expired', async () => {
    const list = await k.core.listNamespacedConfigMap({ namespace: 'default' });
    const old = list.metadata?.resourceVersion ?? '';
    for (let i = 0; i < 25; i++) await k.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `churn-${i}` } } });
    const w = await record(cmPath, { resourceVersion: old });
    await w.done;
    expect(w.events).toHaveLength(1);
    expect(w.events[0]?.type).toBe('ERROR');
    expect(w.events[0]?.object).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it("makes client-node's informer relist after a 410, and survives dropped watches", async () => {
    const informer = makeInformer<V1ConfigMap>(k.kc, '/api/v1/namespaces/kube-system/configmaps', () => k.core.listNamespacedConfigMap({ namespace: 'kube-system' }));
    const connects: number[] = [];
    informer.on('connect', () => connects.push(Date.now()));
    await informer.start();
    try {
      await k.core.createNamespacedConfigMap({ namespace: 'kube-system', body: { metadata: { name: 'before' } } });
      await eventually(() => informer.get('before', 'kube-system'), 'informer sees "before"');

      k.server.faults.apply({ expireNextWatches: 1 });
      k.server.dropWatches(); // the informer re-watches from its version and gets 410, then relists
      await k.core.createNamespacedConfigMap({ namespace: 'kube-system', body: { metadata: { name: 'after-410' } } });
      await eventually(() => informer.get('after-410', 'kube-system'), 'informer sees an object created around the relist');
      expect(k.server.faults.expireNextWatches).toBe(0);
      expect(connects.length).toBeGreaterThanOrEqual(3);

      k.server.faults.apply({ dropWatchesEveryMs: 100 });
      for (let i = 0; i < 5; i++) {
        await k.core.createNamespacedConfigMap({ namespace: 'kube-system', body: { metadata: { name: `dropped-${i}` } } });
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      await eventually(() => informer.list('kube-system').filter((c) => c.metadata?.name?.startsWith('dropped-')).length === 5, 'all objects despite dropped watches');
    } finally {
      k.server.faults.reset();
      await informer.stop();
    }
  });

  it('injects conflicts, 500s and latency, from code and through POST /_standin/faults', async () => {
    await k.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'default', plural: PLURAL, body: testJob('faulty') });
    const response = await fetch(`${k.server.url}/_standin/faults`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${k.server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ conflictNextUpdates: { resource: PLURAL, count: 2 } }),
    });
    expect(response.status).toBe(200);
    const patch = (): Promise<unknown> =>
      k.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'default', plural: PLURAL, name: 'faulty', body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }] });
    expect((await failure(patch())).code).toBe(409);
    expect((await failure(patch())).code).toBe(409);
    await patch();

    k.server.faults.apply({ failNextRequests: { count: 1, resource: 'pods' } });
    await k.core.listNamespacedConfigMap({ namespace: 'default' }); // other resources are unaffected
    const failed = await failure(k.core.listNamespacedPod({ namespace: 'default' }));
    expect(failed.code).toBe(500);
    expect(failed.status.reason).toBe('InternalError');
    await k.core.listNamespacedPod({ namespace: 'default' });

    k.server.faults.apply({ latencyMs: 150 });
    const started = Date.now();
    await k.core.listNamespacedPod({ namespace: 'default' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    await fetch(`${k.server.url}/_standin/faults`, { method: 'DELETE', headers: { Authorization: `Bearer ${k.server.token}` } });
    expect(k.server.faults.latencyMs).toBe(0);

    const unauthorized = await fetch(`${k.server.url}/api/v1/pods`, { headers: { Authorization: 'Bearer wrong' } });
    expect(unauthorized.status).toBe(401);
  });
});
