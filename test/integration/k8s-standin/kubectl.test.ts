// kubectl (the installed /usr/bin/kubectl) against the stand-in through its kubeconfig:
// apply, get with short names and printer columns, describe, validation errors, delete.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandInApiServer } from '../../k8s/StandInApiServer.js';
import { testCrd } from './standinHarness.js';

const run = promisify(execFile);
const kubectlPath = '/usr/bin/kubectl';

let server: StandInApiServer;
let dir: string;
beforeAll(async () => {
  server = await StandInApiServer.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kubectl-standin-'));
});
afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(kubectlPath, ['--kubeconfig', server.kubeconfigPath, ...args], { env: { ...process.env, HOME: dir } });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

// Skipped only where kubectl is not installed (it is on the CI image, at /usr/bin/kubectl).
describe.skipIf(!existsSync(kubectlPath))('kubectl against the stand-in', () => {
  it('applies a CRD and custom resources, gets them by short name with printer columns, describes and deletes', async () => {
    expect((await kubectl('apply', '-f', testCrd)).stdout).toContain('customresourcedefinition.apiextensions.k8s.io/testjobs.test.kuberdd.io created');
    const job = write('job.yaml', 'apiVersion: test.kuberdd.io/v1alpha1\nkind: TestJob\nmetadata:\n  name: wc\nspec:\n  image: kuberdd:dev\n  mainFile: wordcount.ts\n');
    expect((await kubectl('apply', '-f', job)).stdout).toContain('testjob.test.kuberdd.io/wc created');
    expect((await kubectl('apply', '-f', job)).stdout).toContain('testjob.test.kuberdd.io/wc unchanged');

    const table = await kubectl('get', 'tj');
    expect(table.stdout).toMatch(/^NAME\s+PHASE\s+EXECUTORS\s+AGE\n/);
    expect(table.stdout).toMatch(/\nwc\s+2\s+\d+s\n/);

    const yaml = await kubectl('get', 'testjobs', 'wc', '-o', 'jsonpath={.spec.executor.instances}/{.spec.mode}');
    expect(yaml.stdout).toBe('2/cluster');
    expect((await kubectl('describe', 'tj', 'wc')).stdout).toContain('Main File:    wordcount.ts');

    const bad = write('bad.yaml', 'apiVersion: test.kuberdd.io/v1alpha1\nkind: TestJob\nmetadata:\n  name: bad\nspec:\n  image: kuberdd:dev\n  mainFile: x.ts\n  executor: {instances: 0}\n');
    const rejected = await kubectl('apply', '-f', bad);
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toContain('spec.executor.instances: Invalid value: 0: spec.executor.instances in body should be greater than or equal to 1');

    expect((await kubectl('delete', 'tj', 'wc')).stdout).toContain('testjob.test.kuberdd.io "wc" deleted');
    expect((await kubectl('get', 'tj')).stderr).toContain('No resources found');
  });

  it('creates, lists and deletes pods', async () => {
    const pod = write('pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: demo}\nspec:\n  restartPolicy: Never\n  containers:\n  - name: main\n    image: busybox\n    command: ["true"]\n');
    expect((await kubectl('apply', '-f', pod)).stdout).toContain('pod/p created');
    const listed = await kubectl('get', 'pods', '-l', 'app=demo');
    expect(listed.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\np\s+0\/1\s+Pending\s+0\s+\d+s\n/);
    expect((await kubectl('delete', 'pod', 'p')).stdout).toContain('pod "p" deleted');
  });
});
