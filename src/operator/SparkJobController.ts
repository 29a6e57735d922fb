import type { Logger } from '../common/logging/Logger.js';
import { sparkJobLabels } from '../api/sparkJobLabels.js';
import type { SparkJob } from '../api/SparkJob.js';
import type { SparkJobPhase } from '../api/SparkJobPhase.js';
import { builtinResources } from '../k8s/builtinResources.js';
import { Informer } from '../k8s/Informer.js';
import type { KubeClient } from '../k8s/KubeClient.js';
import type { KubeObject } from '../k8s/KubeObject.js';
import type { Pod } from '../k8s/Pod.js';
import type { OperatorMetrics } from './OperatorMetrics.js';
import type { ReconcileResult } from './ReconcileResult.js';
import { sparkJobs } from './sparkJobs.js';
import { WorkQueue } from './WorkQueue.js';

export interface SparkJobControllerOptions {
  readonly client: KubeClient;
  /** Namespaces to watch; undefined watches all. */
  readonly namespaces: readonly string[] | undefined;
  readonly reconcile: (key: string) => Promise<ReconcileResult>;
  readonly logger: Logger;
  readonly metrics?: OperatorMetrics;
  /** Reconciles running at once (different keys); default 4. */
  readonly concurrency?: number;
  readonly resyncMs?: number;
}

/**
 * Watches SparkJobs and the pods labelled with a job, and feeds `namespace/name` keys to
 * `reconcile` through a WorkQueue: one worker per key at a time, retries with per-key
 * backoff on errors, requeues when a reconcile asks for it.
 */
export class SparkJobController {
  readonly #o: SparkJobControllerOptions;
  readonly queue = new WorkQueue();
  readonly #jobInformers: Informer<SparkJob>[] = [];
  readonly #podInformers: Informer<Pod>[] = [];
  #inFlight = 0;

  constructor(options: SparkJobControllerOptions) {
    this.#o = options;
    const scopes = options.namespaces ?? [undefined];
    const informerOptions = { logger: options.logger, ...(options.resyncMs === undefined ? {} : { resyncMs: options.resyncMs }) };
    for (const namespace of scopes) {
      const enqueue = (job: KubeObject): void => this.queue.add(`${job.metadata.namespace}/${job.metadata.name}`);
      this.#jobInformers.push(
        new Informer(options.client, sparkJobs, namespace, informerOptions, { onAdd: enqueue, onUpdate: (_, job) => enqueue(job), onDelete: enqueue, onResync: enqueue }) as Informer<SparkJob>,
      );
      const enqueueOwner = (pod: Pod): void => {
        const job = pod.metadata.labels?.[sparkJobLabels.job];
        if (job !== undefined) this.queue.add(`${pod.metadata.namespace}/${job}`);
      };
      this.#podInformers.push(
        new Informer(options.client, builtinResources.pods, namespace, { ...informerOptions, labelSelector: sparkJobLabels.job }, {
          onAdd: enqueueOwner,
          onUpdate: (previous, pod) => {
            if (pod.metadata.labels?.[sparkJobLabels.role] === 'executor' && pod.status?.phase === 'Failed' && previous.status?.phase !== 'Failed' && options.metrics !== undefined) {
              options.metrics.executorFailures++;
            }
            enqueueOwner(pod);
          },
          onDelete: enqueueOwner,
        }),
      );
    }
  }

  /** Whether every informer has listed once. */
  get synced(): boolean {
    return [...this.#jobInformers, ...this.#podInformers].every((i) => i.hasSynced);
  }

  /** SparkJobs by phase, from the informers' caches. */
  jobsByPhase(): Map<SparkJobPhase, number> {
    const counts = new Map<SparkJobPhase, number>();
    for (const informer of this.#jobInformers) {
      for (const job of informer.list()) {
        const phase = job.status?.phase ?? 'New';
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
    }
    return counts;
  }

  /**
   * Runs until `signal` aborts, then stops taking work, lets the reconciles in flight finish
   * and stops watching.
   */
  async run(signal: AbortSignal): Promise<void> {
    const watching = new AbortController();
    for (const informer of [...this.#jobInformers, ...this.#podInformers]) informer.start(watching.signal);
    for (const informer of [...this.#jobInformers, ...this.#podInformers]) await informer.waitForSync(signal);
    const workers = Array.from({ length: this.#o.concurrency ?? 4 }, () => this.#work());
    this.#o.logger.info('controller started', { namespaces: this.#o.namespaces ?? 'all', concurrency: this.#o.concurrency ?? 4 });
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.#o.logger.info('controller stopping: finishing reconciles in flight', { inFlight: this.#inFlight });
    await this.queue.shutDown();
    await Promise.all(workers);
    watching.abort();
    for (const informer of [...this.#jobInformers, ...this.#podInformers]) await informer[Symbol.asyncDispose]();
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.#inFlight++;
      const started = performance.now();
      try {
        const result = await this.#o.reconcile(key);
        this.queue.forget(key);
        this.#o.metrics?.observeReconcile((performance.now() - started) / 1000, 'success');
        if (result.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        this.#o.metrics?.observeReconcile((performance.now() - started) / 1000, 'error');
        const retryInMs = this.queue.addRateLimited(key);
        this.#o.logger.warn('reconcile failed; will retry', { key, error: (error as Error).message, retryInMs });
      } finally {
        this.#inFlight--;
        this.queue.done(key);
      }
    }
  }
}
