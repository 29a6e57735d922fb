import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logging/createLogger.js';
import { builtinResources } from './builtinResources.js';
import { Informer } from './Informer.js';
import { InMemoryKubeClient } from './InMemoryKubeClient.testing.js';

const logger = createLogger({ format: 'json', level: 'error' });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('Informer', () => {
  it('lists, then reports watched changes, and relists after 410 Gone reporting what was deleted meanwhile', async () => {
    const client = new InMemoryKubeClient();
    await client.create(builtinResources.secrets, 'ns', { metadata: { name: 'a', namespace: 'ns' } });
    const seen: string[] = [];
    const informer = new Informer(client, builtinResources.secrets, 'ns', { logger, resyncMs: 0 }, {
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (_, o) => seen.push(`update ${o.metadata.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    informer.start();
    await informer.waitForSync(AbortSignal.timeout(1000));
    expect(informer.hasSynced).toBe(true);
    await until(() => client.requests.some((r) => r.verb === 'watch'));
    await client.create(builtinResources.secrets, 'ns', { metadata: { name: 'b', namespace: 'ns' } });
    await client.mergePatch(builtinResources.secrets, 'ns', 'b', { data: { k: 'dg==' } });
    await until(() => seen.length === 3);
    expect(seen).toEqual(['add a', 'add b', 'update b']);

    // The next watch is refused with 410; meanwhile `a` goes away without a watch to see it.
    client.failNext('watch', 'secrets', 410, 'Expired');
    client.objects.delete('/secrets/ns/a');
    client.closeWatches();
    await until(() => informer.lists === 2);
    await until(() => seen.includes('delete a'));
    expect(informer.list().map((s) => s.metadata.name)).toEqual(['b']);
    await informer[Symbol.asyncDispose]();
  });

  it('retries a failing list with backoff and calls onResync for cached objects', async () => {
    const client = new InMemoryKubeClient();
    await client.create(builtinResources.secrets, 'ns', { metadata: { name: 'a', namespace: 'ns' } });
    client.failNext('list', 'secrets', 500, 'InternalError');
    const resynced: string[] = [];
    const informer = new Informer(client, builtinResources.secrets, 'ns', { logger, resyncMs: 50 }, { onResync: (o) => resynced.push(o.metadata.name ?? '') });
    informer.start();
    await informer.waitForSync(AbortSignal.timeout(2000));
    expect(client.requests.filter((r) => r.verb === 'list')).toHaveLength(2);
    await until(() => resynced.length >= 2);
    await informer[Symbol.asyncDispose]();
  });
});
