// The PodRunner against the stand-in: binding, running `node -e` pods to Succeeded/Failed,
// env from secrets/configMaps/fieldRefs, configMap volumes, logs through pods/log, kill,
// graceful deletion, eviction and simulated image pull failures.
import { readFileSync } from 'node:fs';
import { type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PodRunner } from '../../k8s/PodRunner.js';
import { eventually, startStandIn, type StandIn } from './standinHarness.js';

let k: StandIn;
let runner: PodRunner;
beforeAll(async () => {
  k = await startStandIn();
  runner = await PodRunner.start({ kubeconfigPath: k.server.kubeconfigPath });
});
afterAll(async () => {
  await runner?.stop();
  await k?.server.stop();
});

const ns = 'default';

function nodePod(name: string, script: string, extra: Partial<NonNullable<V1Pod['spec']>['containers'][number]> = {}, grace?: number): V1Pod {
  return {
    metadata: { name },
    spec: {
      restartPolicy: 'Never',
      ...(grace === undefined ? {} : { terminationGracePeriodSeconds: grace }),
      containers: [{ name: 'main', image: 'kuberdd:dev', command: ['node', '-e', script], ...extra }],
    },
  };
}

async function phaseOf(name: string): Promise<string | undefined> {
  return (await k.core.readNamespacedPod({ namespace: ns, name })).status?.phase;
}

async function waitForPhase(name: string, phase: string): Promise<V1Pod> {
  await eventually(async () => (await phaseOf(name)) === phase, `pod ${name} ${phase}`, 15_000);
  return k.core.readNamespacedPod({ namespace: ns, name });
}

describe('PodRunner', () => {
  it('binds pods to its node and runs them to Succeeded or Failed with their exit codes', async () => {
    await k.core.createNamespacedPod({ namespace: ns, body: nodePod('ok', 'console.log("done")') });
    await k.core.createNamespacedPod({ namespace: ns, body: nodePod('fails', 'console.error("bad"); process.exit(7)') });
    const ok = await waitForPhase('ok', 'Succeeded');
    expect(ok.spec?.nodeName).toBe(runner.nodeName);
    expect(ok.status?.podIP).toBe('127.0.0.1');
    expect(ok.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    expect(ok.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const fails = await waitForPhase('fails', 'Failed');
    expect(fails.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 7, reason: 'Error' });
    expect(await k.core.readNamespacedPodLog({ namespace: ns, name: 'ok' })).toBe('done\n');
    expect(await k.core.readNamespacedPodLog({ namespace: ns, name: 'fails' })).toBe('bad\n');
  });

  it('passes env from values, secrets, configMaps and fieldRefs, and mounts configMap volumes', async () => {
    await k.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'creds' }, stringData: { token: 's3cret' } } });
    await k.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'job' }, data: { 'job.js': 'module.exports = 42;', mode: 'fast' } } });
    const script = `const fs = require('fs'); console.log(JSON.stringify({ plain: process.env.PLAIN, token: process.env.TOKEN, mode: process.env.MODE, pod: process.env.POD, ns: process.env.NS, ip: process.env.IP, file: fs.readFileSync(process.argv[1], 'utf8') }))`;
    await k.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'env' },
        spec: {
          restartPolicy: 'Never',
          volumes: [{ name: 'jobfile', configMap: { name: 'job' } }],
          containers: [
            {
              name: 'main',
              image: 'kuberdd:dev',
              command: ['node', '-e', script],
              args: ['/etc/kuberdd/job/job.js'],
              volumeMounts: [{ name: 'jobfile', mountPath: '/etc/kuberdd/job' }],
              env: [
                { name: 'PLAIN', value: 'p-$(MODE)' },
                { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
                { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'job', key: 'mode' } } },
                { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              ],
            },
          ],
        },
      },
    });
    await waitForPhase('env', 'Succeeded');
    const seen = JSON.parse(await k.core.readNamespacedPodLog({ namespace: ns, name: 'env' })) as Record<string, string>;
    // PLAIN is defined before MODE, so $(MODE) stays as written (Kubernetes expands only earlier variables)
    expect(seen).toEqual({ plain: 'p-$(MODE)', token: 's3cret', mode: 'fast', pod: 'env', ns: 'default', ip: '127.0.0.1', file: 'module.exports = 42;' });
  });

  it('kills a pod process on request and reports the signal exit', async () => {
    await k.core.createNamespacedPod({ namespace: ns, body: nodePod('victim', 'setInterval(() => {}, 1000)') });
    await waitForPhase('victim', 'Running');
    expect(runner.kill(ns, 'victim', 'SIGKILL')).toBe(true);
    const killed = await waitForPhase('victim', 'Failed');
    expect(killed.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 137, signal: 9, reason: 'Error' });
  });

  it('stops a deleted pod with SIGTERM, then SIGKILL after the grace period, and removes it', async () => {
    const trapsTerm = 'process.on("SIGTERM", () => { console.log("term"); setTimeout(() => process.exit(0), 100); }); console.log("ready"); setInterval(() => {}, 1000)';
    await k.core.createNamespacedPod({ namespace: ns, body: nodePod('graceful', trapsTerm, {}, 30) });
    const ignoresTerm = 'process.on("SIGTERM", () => console.log("ignored")); console.log("ready"); setInterval(() => {}, 1000)';
    await k.core.createNamespacedPod({ namespace: ns, body: nodePod('stubborn', ignoresTerm, {}, 1) });
    await waitForPhase('graceful', 'Running');
    await waitForPhase('stubborn', 'Running');
    // Running means started; the handlers are installed once the process says so.
    for (const name of ['graceful', 'stubborn']) await eventually(async () => (await k.core.readNamespacedPodLog({ namespace: ns, name })).includes('ready'), `${name} ready`);
    const log = runner.logFile(ns, 'graceful');
    const started = Date.now();
    await k.core.deleteNamespacedPod({ namespace: ns, name: 'graceful' });
    await k.core.deleteNamespacedPod({ namespace: ns, name: 'stubborn' });
    const gone = async (name: string): Promise<boolean> => (await k.core.listNamespacedPod({ namespace: ns, fieldSelector: `metadata.name=${name}` })).items.length === 0;
    await eventually(() => gone('graceful'), 'graceful pod removed', 10_000);
    expect(Date.now() - started).toBeLessThan(5000);
    await eventually(() => gone('stubborn'), 'stubborn pod removed after SIGKILL', 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(readFileSync(log ?? '', 'utf8')).toBe('ready\nterm\n'); // it got SIGTERM and exited by itself
    expect(runner.runningPods).not.toContain('default/graceful');
  });

  it('evicts through the Eviction API with a DisruptionTarget condition', async () => {
    await k.core.createNamespacedPod({ namespace: ns, body: nodePod('evicted', 'setInterval(() => {}, 1000)', {}, 1) });
    await waitForPhase('evicted', 'Running');
    await runner.setDisruptionTarget(ns, 'evicted', 'TerminationByKubelet');
    const marked = await k.core.readNamespacedPod({ namespace: ns, name: 'evicted' });
    expect(marked.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'TerminationByKubelet' });
    await runner.evict(ns, 'evicted');
    const terminating = await k.core.readNamespacedPod({ namespace: ns, name: 'evicted' });
    expect(terminating.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(terminating.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason).toBe('EvictionByEvictionAPI');
    await eventually(async () => (await k.core.listNamespacedPod({ namespace: ns, fieldSelector: 'metadata.name=evicted' })).items.length === 0, 'evicted pod removed');
  });

  it('simulates ErrImagePull, then ImagePullBackOff, for images matching the pattern', async () => {
    await k.core.createNamespacedPod({ namespace: ns, body: { ...nodePod('nopull', 'process.exit(0)'), spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example/never-pulls:1', command: ['true'] }] } } });
    await eventually(async () => (await k.core.readNamespacedPod({ namespace: ns, name: 'nopull' })).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull', 'ErrImagePull');
    await eventually(async () => (await k.core.readNamespacedPod({ namespace: ns, name: 'nopull' })).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff', 'ImagePullBackOff');
    expect(await phaseOf('nopull')).toBe('Pending');
  });
});
