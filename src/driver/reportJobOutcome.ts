import { isTerminalPhase } from '../api/SparkJobPhase.js';
import type { SparkJob } from '../api/SparkJob.js';
import type { KubeClient } from '../k8s/KubeClient.js';
import { retryOnConflict } from '../k8s/retryOnConflict.js';
import { sparkJobs } from './sparkJobs.js';

/** How a driver ended its job, as it writes it into the SparkJob's status. */
export interface JobOutcome {
  readonly phase: 'Succeeded' | 'Failed';
  /** CamelCase, as Kubernetes reasons are: `JobSucceeded`, `JobFailed`. */
  readonly reason: string;
  readonly message: string;
  /** Stages, tasks, counters, duration and the error, if any. */
  readonly summary: Readonly<Record<string, unknown>>;
  /** `37/120 tasks`. */
  readonly progress?: string;
}

/** Messages longer than this are cut: a status is no place for a whole log. */
const MAX_MESSAGE = 4_000;

/**
 * Writes the job's final phase, reason, message and summary into the SparkJob's status, by a
 * merge patch on `/status` conditional on the version just read (a 409 reads again and
 * retries), so that the outcome is known even if the driver pod vanishes before the operator
 * sees it exit. Returns false, writing nothing, when the SparkJob is gone, is another
 * incarnation (`uid`), or already has a final phase (the operator's — a deadline — wins).
 */
export async function reportJobOutcome(client: KubeClient, job: { readonly namespace: string; readonly name: string; readonly uid: string }, outcome: JobOutcome): Promise<boolean> {
  return retryOnConflict(async () => {
    const current = await client.get(sparkJobs, job.namespace, job.name);
    if (current === undefined || current.metadata.uid !== job.uid || isTerminalPhase(current.status?.phase)) return false;
    const message = outcome.message.length > MAX_MESSAGE ? `${outcome.message.slice(0, MAX_MESSAGE)}…` : outcome.message;
    await client.mergePatch(
      sparkJobs,
      job.namespace,
      job.name,
      {
        metadata: { resourceVersion: current.metadata.resourceVersion },
        status: {
          phase: outcome.phase,
          reason: outcome.reason,
          message,
          finishedBy: 'driver',
          summary: outcome.summary,
          ...(outcome.progress === undefined ? {} : { progress: outcome.progress }),
        },
      },
      'status',
    );
    return true;
  }, 8);
}
