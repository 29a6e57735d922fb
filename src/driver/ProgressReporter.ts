import type { SparkJob } from '../api/SparkJob.js';
import type { Logger } from '../common/logging/Logger.js';
import type { KubeClient } from '../k8s/KubeClient.js';
import type { SparkListener } from '../scheduler/SparkListenerEvent.js';
import { sparkJobs } from './sparkJobs.js';

/**
 * Keeps `status.progress` of the driver's SparkJob current (`37/120 tasks`: tasks succeeded of
 * those submitted), at most once per interval, so `kubectl get sparkjobs` shows it while the
 * job runs. Best effort: a failed write is logged and the next one tries again.
 */
export class ProgressReporter {
  readonly listener: SparkListener = (event) => {
    if (event.type === 'stageSubmitted') this.#submitted += event.numTasks;
    else if (event.type === 'taskEnd' && event.successful) this.#succeeded++;
    else return;
    this.#schedule();
  };
  readonly #client: KubeClient;
  readonly #job: { readonly namespace: string; readonly name: string };
  readonly #intervalMs: number;
  readonly #log: Logger;
  #submitted = 0;
  #succeeded = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastWritten = '';
  #stopped = false;

  constructor(client: KubeClient, job: { readonly namespace: string; readonly name: string }, logger: Logger, intervalMs = 1_000) {
    this.#client = client;
    this.#job = job;
    this.#log = logger;
    this.#intervalMs = intervalMs;
  }

  get progress(): string {
    return `${this.#succeeded}/${this.#submitted} tasks`;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = setTimeout(() => void this.#write(), this.#intervalMs);
    this.#timer.unref();
  }

  async #write(): Promise<void> {
    this.#timer = undefined;
    const progress = this.progress;
    if (progress === this.#lastWritten || this.#stopped) return;
    try {
      await this.#client.mergePatch(sparkJobs, this.#job.namespace, this.#job.name, { status: { progress } }, 'status');
      this.#lastWritten = progress;
    } catch (error) {
      this.#log.debug('could not write the job\'s progress', { error: String((error as Error).message ?? error) });
    }
  }
}
