import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../common/logging/Logger.js';
import { EventRecorder } from '../k8s/EventRecorder.js';
import type { KubeClient } from '../k8s/KubeClient.js';
import { LeaderElector } from '../k8s/LeaderElector.js';
import { OperatorHttpServer } from './OperatorHttpServer.js';
import { OperatorMetrics } from './OperatorMetrics.js';
import { SparkJobController } from './SparkJobController.js';
import { SparkJobReconciler } from './SparkJobReconciler.js';

export interface OperatorOptions {
  readonly client: KubeClient;
  /** Namespaces to watch; undefined for all. */
  readonly namespaces: readonly string[] | undefined;
  readonly logger: Logger;
  /** Where /metrics, /healthz and /readyz are served; undefined serves nothing, 0 picks a free port. */
  readonly metricsPort?: number;
  readonly metricsHost?: string;
  /** Leader election through a Lease in this namespace; undefined runs without. */
  readonly leaderElection?: { readonly namespace: string; readonly leaseName?: string; readonly identity?: string; readonly leaseDurationMs?: number; readonly renewDeadlineMs?: number; readonly retryPeriodMs?: number };
  readonly driverCommand?: readonly string[];
  readonly defaultNatsUrl?: string;
  readonly concurrency?: number;
  readonly resyncMs?: number;
}

/**
 * `kuberdd operator`: serves metrics and probes, waits to lead (when leader election is on),
 * then runs the SparkJob controller until stopped or until it loses the lease. `stop()` is the
 * graceful shutdown: no new work, in-flight reconciles finish, the lease is released.
 */
export class Operator {
  readonly #o: OperatorOptions;
  readonly #stop = new AbortController();
  readonly metrics: OperatorMetrics;
  readonly controller: SparkJobController;
  #http: OperatorHttpServer | undefined;
  #elector: LeaderElector | undefined;
  #stopping = false;
  /** Resolves when the operator stopped: 'stopped' (asked to) or 'lost-leadership'. */
  readonly done: Promise<'stopped' | 'lost-leadership'>;

  private constructor(options: OperatorOptions) {
    this.#o = options;
    const identity = options.leaderElection?.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
    const events = new EventRecorder(options.client, 'kuberdd-operator', identity, options.logger);
    let controller: SparkJobController | undefined;
    this.metrics = new OperatorMetrics(() => controller?.jobsByPhase() ?? new Map());
    const reconciler = new SparkJobReconciler({
      client: options.client,
      events,
      logger: options.logger,
      driverCommand: options.driverCommand ?? ['kuberdd', 'driver'],
      defaultNatsUrl: options.defaultNatsUrl,
      onDriverRestart: () => this.metrics.driverRestarts++,
    });
    controller = new SparkJobController({
      client: options.client,
      namespaces: options.namespaces,
      reconcile: (key) => reconciler.reconcile(key),
      logger: options.logger,
      metrics: this.metrics,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.resyncMs === undefined ? {} : { resyncMs: options.resyncMs }),
    });
    this.controller = controller;
    if (options.leaderElection !== undefined) {
      const le = options.leaderElection;
      this.#elector = new LeaderElector({
        client: options.client,
        namespace: le.namespace,
        leaseName: le.leaseName ?? 'kuberdd-operator',
        identity,
        logger: options.logger,
        ...(le.leaseDurationMs === undefined ? {} : { leaseDurationMs: le.leaseDurationMs }),
        ...(le.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: le.renewDeadlineMs }),
        ...(le.retryPeriodMs === undefined ? {} : { retryPeriodMs: le.retryPeriodMs }),
      });
    }
    this.done = this.#run();
  }

  static async start(options: OperatorOptions): Promise<Operator> {
    const operator = new Operator(options);
    if (options.metricsPort !== undefined) {
      operator.#http = await OperatorHttpServer.start(options.metricsPort, options.metricsHost ?? '0.0.0.0', () => operator.metrics.render(), () => operator.ready);
    }
    return operator;
  }

  get metricsPort(): number | undefined {
    return this.#http?.port;
  }

  get isLeader(): boolean {
    return this.#elector === undefined ? !this.#stopping : this.#elector.isLeader;
  }

  /** Ready when standing by for the lease, or leading with every informer listed. */
  get ready(): boolean {
    if (this.#stopping) return false;
    if (this.#elector !== undefined && !this.#elector.isLeader) return true;
    return this.controller.synced;
  }

  async #run(): Promise<'stopped' | 'lost-leadership'> {
    await Promise.resolve(); // let start() finish wiring first
    const stop = this.#stop.signal;
    let work = stop;
    if (this.#elector !== undefined) {
      if (!(await this.#elector.acquire(stop))) return 'stopped';
      work = AbortSignal.any([stop, this.#elector.lost]);
    }
    await this.controller.run(work);
    return stop.aborted ? 'stopped' : 'lost-leadership';
  }

  /** Graceful shutdown; resolves when done. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stop.abort();
    await this.done;
    await this.#elector?.release();
    await this.#http?.[Symbol.asyncDispose]();
    this.#o.logger.info('operator stopped');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
