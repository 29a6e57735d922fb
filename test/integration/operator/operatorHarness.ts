import path from 'node:path';
import { createLogger } from '../../../src/common/logging/createLogger.js';
import type { Logger } from '../../../src/common/logging/Logger.js';
import type { SparkJob } from '../../../src/api/SparkJob.js';
import type { SparkJobSpec } from '../../../src/api/SparkJobSpec.js';
import type { ApiRequest } from '../../../src/k8s/ApiRequest.js';
import { builtinResources } from '../../../src/k8s/builtinResources.js';
import { HttpKubeClient } from '../../../src/k8s/HttpKubeClient.js';
import { Operator, type OperatorOptions } from '../../../src/operator/Operator.js';
import { sparkJobs } from '../../../src/operator/sparkJobs.js';
import { PodRunner } from '../../k8s/PodRunner.js';
import { StandInApiServer } from '../../k8s/StandInApiServer.js';
import { waitFor } from '../../k8s/waitFor.js';

const root = path.resolve(import.meta.dirname, '../../..');
export const fakeDriver = path.join(import.meta.dirname, 'fixtures', 'fakeDriver.mjs');

/** The stand-in API server, its pod runner, and operators talking to it through a kubeconfig. */
export class OperatorHarness {
  readonly requests: ApiRequest[] = [];
  readonly operators: Operator[] = [];
  readonly client: HttpKubeClient;
  readonly logger: Logger;

  private constructor(
    readonly server: StandInApiServer,
    readonly runner: PodRunner | undefined,
  ) {
    this.client = HttpKubeClient.load(server.kubeconfigPath);
    this.logger = createLogger({ format: 'text', level: process.env['KUBERDD_TEST_LOG'] ?? 'error' });
  }

  static async start(options: { runner?: boolean } = {}): Promise<OperatorHarness> {
    const server = await StandInApiServer.start({ crdFiles: [path.join(root, 'crds/sparkjob.yaml')] });
    const runner = options.runner === false ? undefined : await PodRunner.start({ kubeconfigPath: server.kubeconfigPath });
    return new OperatorHarness(server, runner);
  }

  /** An operator with its own client; the calls it makes are recorded in `requests`. */
  async startOperator(options: Partial<OperatorOptions> = {}, requests: ApiRequest[] = this.requests): Promise<Operator> {
    const client = HttpKubeClient.load(this.server.kubeconfigPath, { onRequest: (r) => requests.push(r) });
    const operator = await Operator.start({
      client,
      namespaces: ['default'],
      logger: this.logger,
      driverCommand: [process.execPath, fakeDriver],
      defaultNatsUrl: 'nats://127.0.0.1:4222',
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      resyncMs: 5_000,
      ...options,
    });
    this.operators.push(operator);
    return operator;
  }

  async createJob(name: string, spec: Partial<SparkJobSpec> & { args?: string[] }): Promise<SparkJob> {
    return this.client.create(sparkJobs, 'default', {
      apiVersion: 'kuberdd.io/v1alpha1',
      kind: 'SparkJob',
      metadata: { name, namespace: 'default' } as SparkJob['metadata'],
      spec: { image: 'kuberdd:test', main: { path: '/app/job.js' }, ...spec },
    });
  }

  async job(name: string): Promise<SparkJob | undefined> {
    return this.client.get(sparkJobs, 'default', name);
  }

  async driverPods(job: string): Promise<string[]> {
    const pods = await this.client.list(builtinResources.pods, 'default', { labelSelector: `kuberdd.io/job=${job},kuberdd.io/role=driver` });
    return pods.items.map((p) => p.metadata.name ?? '').sort();
  }

  /** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
  waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
    return waitFor(what, check, timeoutMs, 50);
  }

  async waitForPhase(name: string, phase: string, timeoutMs?: number): Promise<SparkJob> {
    return this.waitFor(`SparkJob ${name} to be ${phase}`, async () => {
      const job = await this.job(name);
      return job?.status?.phase === phase ? job : undefined;
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    for (const operator of this.operators) await operator.stop();
    await this.runner?.stop();
    await this.server.stop();
  }
}
