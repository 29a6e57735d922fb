import { describe, expect, it } from 'vitest';
import { nullLogger } from '../common/logging/nullLogger.js';
import { builtinResources } from '../k8s/builtinResources.js';
import { InMemoryKubeClient } from '../k8s/InMemoryKubeClient.testing.js';
import type { Pod } from '../k8s/Pod.js';
import type { KubernetesDriverSettings } from './KubernetesDriverSettings.js';
import { KubernetesExecutorLauncher } from './KubernetesExecutorLauncher.js';

const env = { KUBERDD_APP_ID: 'uid-1', KUBERDD_SECRET: 'ab'.repeat(32), KUBERDD_NATS_URL: 'nats://nats:4222' };

function settings(client: InMemoryKubeClient, attempt = 1): KubernetesDriverSettings {
  return {
    client,
    namespace: 'default',
    jobName: 'wc',
    jobUid: 'uid-1',
    attempt,
    appId: 'uid-1',
    secret: new Uint8Array(32),
    secretEnv: { KUBERDD_SECRET: { secretKeyRef: { name: 'wc-kuberdd', key: 'signing-key' } } },
    executor: { image: 'kuberdd:1', command: ['kuberdd', 'executor'], instances: 3, cores: 2, memory: '1Gi', env: [{ name: 'USER_VAR', value: 'x' }], labels: { team: 'a' } },
  };
}

const pods = (client: InMemoryKubeClient): Pod[] => client.all(builtinResources.pods, 'default');
const setPhase = (client: InMemoryKubeClient, name: string, phase: string) =>
  client.mergePatch(builtinResources.pods, 'default', name, { status: { phase, containerStatuses: [{ name: 'executor', state: { terminated: { exitCode: 137, reason: 'Error' } } }] } }, 'status');

describe('KubernetesExecutorLauncher', () => {
  it('creates executor pods in batches, named, labelled, owned by the SparkJob, with resources, command and the secret by reference', async () => {
    const client = new InMemoryKubeClient();
    const launcher = new KubernetesExecutorLauncher({ settings: settings(client), batchSize: 2, logger: nullLogger });
    await launcher.launch(3, env);
    const created = pods(client);
    expect(created.map((p) => p.metadata.name)).toEqual(['wc-exec-0', 'wc-exec-1', 'wc-exec-2']);
    // Two batches: the third create came after the first two.
    expect(client.requests.filter((r) => r.verb === 'create').length).toBe(3);
    const pod = created[0]!;
    expect(pod.metadata.labels).toMatchObject({ 'kuberdd.io/job': 'wc', 'kuberdd.io/role': 'executor', 'kuberdd.io/attempt': '1', team: 'a' });
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'kuberdd.io/v1alpha1', kind: 'SparkJob', name: 'wc', uid: 'uid-1', controller: true, blockOwnerDeletion: true }]);
    const container = (pod.spec?.['containers'] as Record<string, unknown>[])[0]!;
    expect(container['command']).toEqual(['kuberdd', 'executor']);
    expect(container['args']).toEqual(['--nats', 'nats://nats:4222', '--app', 'uid-1', '--executor-id', 'wc-exec-0', '--cores', '2', '--log-format', 'json', '--memory', '768']);
    expect(container['resources']).toEqual({ requests: { cpu: '2', memory: '1Gi' }, limits: { memory: '1Gi' } });
    expect(container['env']).toEqual(
      expect.arrayContaining([
        { name: 'USER_VAR', value: 'x' },
        { name: 'KUBERDD_SECRET', valueFrom: { secretKeyRef: { name: 'wc-kuberdd', key: 'signing-key' } } },
        { name: 'KUBERDD_APP_ID', value: 'uid-1' },
      ]),
    );
    expect(JSON.stringify(container['env'])).not.toContain('abab');
    await launcher.stop();
    expect(pods(client)).toEqual([]);
  });

  it('reports a pod that failed or was deleted without being asked, but not one it killed itself', async () => {
    const client = new InMemoryKubeClient();
    const launcher = new KubernetesExecutorLauncher({ settings: settings(client), batchSize: 5, logger: nullLogger });
    const exits: [string, string][] = [];
    launcher.onExecutorExit((id, reason) => exits.push([id, reason]));
    await launcher.launch(3, env);
    await new Promise((r) => setTimeout(r, 20)); // the watch is open
    await setPhase(client, 'wc-exec-0', 'Failed');
    await client.delete(builtinResources.pods, 'default', 'wc-exec-1');
    launcher.killExecutor('wc-exec-2');
    await new Promise((r) => setTimeout(r, 50));
    expect(exits).toEqual([
      ['wc-exec-0', expect.stringMatching(/wc-exec-0 exited with code 137 \(Error\)/)],
      ['wc-exec-1', expect.stringMatching(/wc-exec-1 was deleted/)],
    ]);
    await launcher.launch(1, env);
    expect(pods(client).map((p) => p.metadata.name)).toEqual(['wc-exec-0', 'wc-exec-3']);
    await launcher.stop();
  });

  it('on a later driver attempt, adopts the running executor pods of the last one and numbers new pods after them', async () => {
    const client = new InMemoryKubeClient();
    const first = new KubernetesExecutorLauncher({ settings: settings(client), batchSize: 5, logger: nullLogger });
    await first.launch(3, env);
    await setPhase(client, 'wc-exec-0', 'Running');
    await setPhase(client, 'wc-exec-1', 'Running');
    await setPhase(client, 'wc-exec-2', 'Failed');
    // The first driver dies without stop(): its pods stay.
    const second = new KubernetesExecutorLauncher({ settings: settings(client, 2), batchSize: 5, logger: nullLogger });
    await second.launch(3, env);
    expect(second.adopted).toEqual(['wc-exec-0', 'wc-exec-1']);
    expect(pods(client).map((p) => [p.metadata.name, p.metadata.labels?.['kuberdd.io/attempt']])).toEqual([
      ['wc-exec-0', '1'],
      ['wc-exec-1', '1'],
      ['wc-exec-2', '1'],
      ['wc-exec-3', '2'],
    ]);
    await second.stop();
    expect(pods(client)).toEqual([]);
  });

  it('refuses a batch size that is not a whole number >= 1', () => {
    const client = new InMemoryKubeClient();
    expect(() => new KubernetesExecutorLauncher({ settings: settings(client), batchSize: 0, logger: nullLogger })).toThrow(/allocation.batchSize=0/);
  });
});
