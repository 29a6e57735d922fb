import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SparkJob } from '../../src/api/SparkJob.js';
import type { SparkJobSpec } from '../../src/api/SparkJobSpec.js';
import { createLogger } from '../../src/common/logging/createLogger.js';
import { builtinResources } from '../../src/k8s/builtinResources.js';
import { HttpKubeClient } from '../../src/k8s/HttpKubeClient.js';
import type { Pod } from '../../src/k8s/Pod.js';
import { Operator } from '../../src/operator/Operator.js';
import { sparkJobs } from '../../src/operator/sparkJobs.js';
import { NatsServerProcess } from '../../src/transport/NatsServerProcess.js';
import { PodRunner } from '../k8s/PodRunner.js';
import { StandInApiServer } from '../k8s/StandInApiServer.js';
import { waitFor } from '../k8s/waitFor.js';

export const root = path.resolve(import.meta.dirname, '../..');
export const fixture = (name: string): string => path.join(import.meta.dirname, 'fixtures', name);

/**
 * Everything a SparkJob needs, on this machine: the Kubernetes stand-in (API server and pod
 * runner, pods running `node bin/kuberdd.js …` from the built dist/), a nats-server, and the
 * operator in-process, talking to the API server through a kubeconfig like any client.
 */
export class E2eHarness {
  readonly client: HttpKubeClient;
  readonly dir: string;

  private constructor(
    readonly server: StandInApiServer,
    readonly runner: PodRunner,
    readonly nats: NatsServerProcess,
    readonly operator: Operator,
    dir: string,
  ) {
    this.client = HttpKubeClient.load(server.kubeconfigPath);
    this.dir = dir;
  }

  static async start(): Promise<E2eHarness> {
    const logger = createLogger({ format: 'text', level: process.env['KUBERDD_TEST_LOG'] ?? 'error' });
    const dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-e2e-'));
    const server = await StandInApiServer.start({ crdFiles: [path.join(root, 'crds/sparkjob.yaml')] });
    const runner = await PodRunner.start({ kubeconfigPath: server.kubeconfigPath, workDir: root, inheritEnv: ['KUBERDD_LOG_LEVEL'] });
    const nats = await NatsServerProcess.start({ logger });
    const operator = await Operator.start({
      client: HttpKubeClient.load(server.kubeconfigPath),
      namespaces: ['default'],
      logger,
      driverCommand: [process.execPath, path.join(root, 'bin/kuberdd.js'), 'driver'],
      defaultNatsUrl: nats.url,
      resyncMs: 5_000,
    });
    return new E2eHarness(server, runner, nats, operator, dir);
  }

  /** A text file of `lines` lines of words, with known counts: word `w<k>` appears `k` times per block of 10 lines. */
  writeInput(name: string, blocks: number): { path: string; expected: Map<string, number> } {
    const expected = new Map<string, number>();
    const lines: string[] = [];
    for (let b = 0; b < blocks; b++) {
      for (let k = 1; k <= 10; k++) {
        lines.push(Array.from({ length: k }, () => `w${k}`).join(' ') + ' common');
        expected.set(`w${k}`, (expected.get(`w${k}`) ?? 0) + k);
        expected.set('common', (expected.get('common') ?? 0) + 1);
      }
    }
    const file = path.join(this.dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return { path: file, expected };
  }

  /** The word counts in a saveAsTextFile output, and its part files; fails on a word counted twice. */
  readOutput(dir: string): { counts: Map<string, number>; parts: string[]; files: string[] } {
    const files = readdirSync(dir).sort();
    const parts = files.filter((f) => f.startsWith('part-'));
    const counts = new Map<string, number>();
    for (const part of parts) {
      for (const line of readFileSync(path.join(dir, part), 'utf8').split('\n')) {
        if (line === '') continue;
        const [word, n] = line.split('\t');
        if (counts.has(word!)) throw new Error(`${word} appears twice in ${dir}`);
        counts.set(word!, Number(n));
      }
    }
    return { counts, parts, files };
  }

  async createJob(name: string, spec: Partial<SparkJobSpec>): Promise<SparkJob> {
    return this.client.create(sparkJobs, 'default', {
      apiVersion: 'kuberdd.io/v1alpha1',
      kind: 'SparkJob',
      metadata: { name, namespace: 'default' } as SparkJob['metadata'],
      spec: { image: 'kuberdd:e2e', main: { path: fixture('wordcount.ts') }, executor: { instances: 2, cores: 1 }, ...spec },
    });
  }

  async job(name: string): Promise<SparkJob | undefined> {
    return this.client.get(sparkJobs, 'default', name);
  }

  async pods(job: string, role: 'driver' | 'executor'): Promise<Pod[]> {
    return (await this.client.list(builtinResources.pods, 'default', { labelSelector: `kuberdd.io/job=${job},kuberdd.io/role=${role}` })).items;
  }

  /** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
  waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> {
    return waitFor(what, check, timeoutMs, 100);
  }

  /** Waits for a final phase; fails with the driver pods' logs when it is not the one expected. */
  async waitForFinal(name: string, timeoutMs = 60_000): Promise<SparkJob> {
    return this.waitFor(`SparkJob ${name} to finish`, async () => {
      const job = await this.job(name);
      const phase = job?.status?.phase;
      return phase === 'Succeeded' || phase === 'Failed' ? job : undefined;
    }, timeoutMs);
  }

  /** The log of every driver pod of a job, for failure messages. */
  async driverLogs(job: string): Promise<string> {
    const out: string[] = [];
    for (const pod of await this.pods(job, 'driver')) {
      const name = pod.metadata.name ?? '';
      const file = this.runner.logFile('default', name);
      try {
        out.push(`--- ${name}\n${file === undefined ? '' : readFileSync(file, 'utf8').slice(-4000)}`);
      } catch {
        out.push(`--- ${name}: no log`);
      }
    }
    return out.join('\n');
  }

  async stop(): Promise<void> {
    await this.operator.stop();
    await this.runner.stop();
    await this.nats.stop();
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
