import { randomBytes } from 'node:crypto';
import type { Logger } from '../common/logging/Logger.js';
import { sparkJobLabels } from '../api/sparkJobLabels.js';
import { isTerminalPhase } from '../api/SparkJobPhase.js';
import type { SparkJob } from '../api/SparkJob.js';
import type { SparkJobConditionType } from '../api/SparkJobConditionType.js';
import type { DriverFailure, SparkJobStatus } from '../api/SparkJobStatus.js';
import { builtinResources } from '../k8s/builtinResources.js';
import { createOrGet } from '../k8s/createOrGet.js';
import type { EventRecorder } from '../k8s/EventRecorder.js';
import type { KubeClient } from '../k8s/KubeClient.js';
import { buildDriverPod, MAIN_SOURCE_KEY, SIGNING_KEY, type DriverPodSettings } from './buildDriverPod.js';
import { driverPodName } from './driverPodName.js';
import { exponentialBackoffMs } from './exponentialBackoffMs.js';
import { failurePolicyAction } from './failurePolicyAction.js';
import { inspectDriverPod } from './inspectDriverPod.js';
import { jobSecretName } from './jobSecretName.js';
import type { ReconcileResult } from './ReconcileResult.js';
import { sparkJobs } from './sparkJobs.js';
import { withCondition } from './withCondition.js';

export interface SparkJobReconcilerOptions extends DriverPodSettings {
  readonly client: KubeClient;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly logger: Logger;
  /** Told when a driver pod of a later attempt is created. */
  readonly onDriverRestart?: () => void;
  readonly now?: () => number;
  /** How long the pods of a job that the driver finished may keep running before they are deleted; default 30 s. */
  readonly finishedPodGraceMs?: number;
}

type StatusPatch = { -readonly [K in keyof SparkJobStatus]?: SparkJobStatus[K] | null };

const DEFAULT_STARTUP_DEADLINE_S = 300;
const ACTIVE_POD_PHASES = new Set(['Pending', 'Running', 'Unknown', undefined]);

/**
 * Brings one SparkJob's world in line with its spec, from scratch each time (level-triggered):
 * it reads the job and its current driver pod and takes at most one step (create the Secret
 * and the next driver pod, record a transition, fail, clean up). Status is written only
 * through `/status`, by merge patches conditional on the resourceVersion it read, so a final
 * status that the driver wrote meanwhile is never overwritten (the patch gets 409 and the
 * next reconcile sees the final phase). A thrown error means: retry later.
 */
export class SparkJobReconciler {
  readonly #o: SparkJobReconcilerOptions;
  readonly #now: () => number;

  constructor(options: SparkJobReconcilerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const job = (await this.#o.client.get(sparkJobs, namespace, name)) as SparkJob | undefined;
    if (job === undefined || job.metadata.deletionTimestamp !== undefined) return {};
    const status = job.status ?? {};
    const phase = status.phase ?? 'New';

    if (isTerminalPhase(phase)) return this.#finished(job);
    if (job.spec.suspend === true) return this.#suspend(job);
    if (phase === 'Suspended') return this.#startAttempt(job, (status.attempts ?? 0) + 1, 'Resumed');

    const now = this.#now();
    const deadlineS = job.spec.activeDeadlineSeconds;
    const started = Date.parse(status.startTime ?? '');
    if (deadlineS !== undefined && !Number.isNaN(started) && now >= started + deadlineS * 1000) {
      return this.#fail(job, 'DeadlineExceeded', `The job was active longer than activeDeadlineSeconds (${deadlineS} s).`);
    }
    const untilDeadline = deadlineS === undefined || Number.isNaN(started) ? undefined : started + deadlineS * 1000 - now;

    if (phase === 'New') return this.#startAttempt(job, 1, 'Submitted');
    if (phase === 'Restarting') {
      const at = Date.parse(status.nextAttemptTime ?? '');
      if (!Number.isNaN(at) && now < at) return requeueAfter(minDefined(at - now, untilDeadline));
      return this.#startAttempt(job, (status.attempts ?? 0) + 1, 'Restarted');
    }

    // Submitted or Running: look at the current attempt's driver pod.
    const attempt = status.attempts ?? 1;
    const podName = driverPodName(name, attempt);
    const pod = await this.#o.client.get(builtinResources.pods, namespace, podName);
    const state = inspectDriverPod(pod, now, job.spec.startupDeadlineSeconds ?? DEFAULT_STARTUP_DEADLINE_S);
    switch (state.kind) {
      case 'missing':
        return this.#driverFailed(job, { attempt, reason: 'DriverPodLost', message: `The driver pod ${podName} was deleted before it finished.` }, 'Count');
      case 'pending': {
        if (state.startupLeftMs <= 0) {
          const why = state.reason === undefined ? 'it was not started' : `${state.reason}${state.message === undefined ? '' : `: ${state.message}`}`;
          return this.#fail(job, state.reason ?? 'StartupDeadlineExceeded', `The driver pod ${podName} did not start within startupDeadlineSeconds (${job.spec.startupDeadlineSeconds ?? DEFAULT_STARTUP_DEADLINE_S} s): ${why}.`);
        }
        return requeueAfter(minDefined(state.startupLeftMs + 100, untilDeadline));
      }
      case 'running':
        if (phase !== 'Running') {
          await this.#writeStatus(job, { phase: 'Running', driverPod: podName }, 'Running', 'DriverRunning', `The driver pod ${podName} is running (attempt ${attempt}).`);
        }
        return requeueAfter(untilDeadline);
      case 'succeeded':
        if (job.spec.restartPolicy?.type === 'Always') {
          return this.#restart(job, { attempt, exitCode: 0, reason: 'DriverSucceeded', message: 'The driver exited 0; restartPolicy Always runs it again.', counted: false }, 0);
        }
        return this.#finish(job, 'Succeeded', 'DriverSucceeded', `The driver pod ${podName} exited 0.`);
      case 'failed': {
        const action = failurePolicyAction(job.spec.failurePolicy?.rules ?? [], state);
        const failure = {
          attempt,
          ...(state.exitCode === undefined ? {} : { exitCode: state.exitCode }),
          reason: state.reason,
          message: `The driver pod ${podName} failed${state.exitCode === undefined ? '' : ` with exit code ${state.exitCode}`} (${state.reason})${state.message === undefined ? '' : `: ${state.message}`}.`,
        };
        return this.#driverFailed(job, failure, action);
      }
    }
  }

  async #driverFailed(job: SparkJob, failure: Omit<DriverFailure, 'counted'>, action: 'FailJob' | 'Ignore' | 'Count'): Promise<ReconcileResult> {
    const status = job.status ?? {};
    if (action === 'FailJob') return this.#fail(job, failure.reason, `${failure.message ?? ''} A failurePolicy rule fails the job.`.trim(), { ...failure, counted: true });
    if (action === 'Ignore') return this.#restart(job, { ...failure, counted: false }, 0);
    const counted = (status.countedFailures ?? 0) + 1;
    const policy = job.spec.restartPolicy ?? {};
    const type = policy.type ?? 'Never';
    const maxAttempts = policy.maxAttempts ?? 3;
    if (type === 'Never') return this.#fail(job, failure.reason, failure.message ?? failure.reason, { ...failure, counted: true }, counted);
    if (counted >= maxAttempts) {
      return this.#fail(job, 'MaxAttemptsReached', `The driver failed ${counted} times (restartPolicy.maxAttempts ${maxAttempts}); the last time: ${failure.message ?? failure.reason}`, { ...failure, counted: true }, counted);
    }
    return this.#restart(job, { ...failure, counted: true }, exponentialBackoffMs(counted, policy.backoff ?? {}), counted);
  }

  async #restart(job: SparkJob, failure: DriverFailure, delayMs: number, countedFailures?: number): Promise<ReconcileResult> {
    const next = new Date(this.#now() + delayMs).toISOString();
    const message = `${failure.message ?? failure.reason} ${failure.counted ? 'Counted' : 'Not counted'}; the next driver starts at ${next}.`;
    await this.#writeStatus(
      job,
      { phase: 'Restarting', nextAttemptTime: next, lastFailure: failure, ...(countedFailures === undefined ? {} : { countedFailures }) },
      'Restarting',
      failure.counted ? 'DriverFailed' : failure.reason === 'DriverSucceeded' ? 'DriverSucceeded' : 'DriverDisrupted',
      message,
      failure.counted ? 'Warning' : 'Normal',
    );
    return { requeueAfterMs: delayMs };
  }

  async #startAttempt(job: SparkJob, attempt: number, reason: 'Submitted' | 'Restarted' | 'Resumed'): Promise<ReconcileResult> {
    const { namespace, name, uid } = job.metadata;
    await this.#ensureSecret(job);
    const podName = driverPodName(name, attempt);
    const { object: pod, created } = await createOrGet(this.#o.client, builtinResources.pods, namespace, buildDriverPod(job, attempt, this.#o));
    const owner = pod.metadata.ownerReferences?.find((o) => o.controller === true);
    if (owner !== undefined && owner.uid !== uid) {
      // A pod of an earlier SparkJob with the same name, not yet garbage-collected.
      throw new Error(`The pod ${namespace}/${podName} belongs to an earlier SparkJob ${name} (uid ${owner.uid}); waiting for it to be deleted.`);
    }
    if (created && attempt > 1) this.#o.onDriverRestart?.();
    const now = new Date(this.#now()).toISOString();
    const status = job.status ?? {};
    const patch: StatusPatch = {
      phase: 'Submitted',
      attempts: attempt,
      driverPod: podName,
      appId: uid,
      nextAttemptTime: null,
      // The active deadline counts from the first submission, and again from a resume.
      startTime: reason === 'Resumed' || status.startTime === undefined ? now : status.startTime,
    };
    const what = reason === 'Submitted' ? 'Created' : reason === 'Restarted' ? 'Recreated' : 'Resumed: created';
    await this.#writeStatus(job, patch, 'Submitted', reason, `${what} the driver pod ${podName} (attempt ${attempt}).`);
    return { requeueAfterMs: (job.spec.startupDeadlineSeconds ?? DEFAULT_STARTUP_DEADLINE_S) * 1000 + 100 };
  }

  async #ensureSecret(job: SparkJob): Promise<void> {
    const { namespace, name, uid } = job.metadata;
    const secretName = jobSecretName(name);
    const existing = await this.#o.client.get(builtinResources.secrets, namespace, secretName);
    if (existing !== undefined) return;
    const data: Record<string, string> = { [SIGNING_KEY]: Buffer.from(randomBytes(32).toString('hex')).toString('base64') };
    if (job.spec.main.inline !== undefined) data[MAIN_SOURCE_KEY] = Buffer.from(job.spec.main.inline.source).toString('base64');
    await createOrGet(this.#o.client, builtinResources.secrets, namespace, {
      metadata: {
        name: secretName,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'kuberdd', [sparkJobLabels.job]: name },
        ownerReferences: [{ apiVersion: job.apiVersion, kind: job.kind, name, uid, controller: true, blockOwnerDeletion: true }],
      },
      type: 'Opaque',
      data,
    });
  }

  async #suspend(job: SparkJob): Promise<ReconcileResult> {
    await this.#deleteActivePods(job);
    if (job.status?.phase !== 'Suspended') {
      await this.#writeStatus(job, { phase: 'Suspended', nextAttemptTime: null }, 'Suspended', 'Suspended', 'spec.suspend is true: the job\'s pods were deleted.');
    }
    return {};
  }

  async #fail(job: SparkJob, reason: string, message: string, lastFailure?: DriverFailure, countedFailures?: number): Promise<ReconcileResult> {
    return this.#finish(job, 'Failed', reason, message, {
      ...(lastFailure === undefined ? {} : { lastFailure }),
      ...(countedFailures === undefined ? {} : { countedFailures }),
    });
  }

  async #finish(job: SparkJob, phase: 'Succeeded' | 'Failed', reason: string, message: string, extra: StatusPatch = {}): Promise<ReconcileResult> {
    const completionTime = new Date(this.#now()).toISOString();
    await this.#writeStatus(
      job,
      { ...extra, phase, reason, message, finishedBy: 'operator', completionTime, nextAttemptTime: null },
      phase === 'Succeeded' ? 'Complete' : 'Failed',
      reason,
      message,
      phase === 'Succeeded' ? 'Normal' : 'Warning',
    );
    // Whatever still runs (executors of a crashed driver, a driver past its deadline) has no purpose now.
    await this.#deleteActivePods(job);
    return this.#ttlResult(job.spec.ttlSecondsAfterFinished, completionTime);
  }

  /** A final job: record it if the driver finished it, clean up its pods, and delete it after its TTL. */
  async #finished(job: SparkJob): Promise<ReconcileResult> {
    const status = job.status ?? {};
    const phase = status.phase === 'Succeeded' ? 'Succeeded' : 'Failed';
    const conditionType: SparkJobConditionType = phase === 'Succeeded' ? 'Complete' : 'Failed';
    const now = this.#now();
    const recorded = status.conditions?.some((c) => c.type === conditionType && c.status === 'True') === true && status.completionTime !== undefined;
    const completionTime = status.completionTime ?? new Date(now).toISOString();
    if (!recorded) {
      // The driver wrote the final phase itself: complete the bookkeeping, without touching its phase or reason.
      const reason = status.reason ?? (phase === 'Succeeded' ? 'DriverSucceeded' : 'DriverFailed');
      const message = status.message ?? `The driver reported the job ${phase.toLowerCase()}.`;
      await this.#writeStatus(job, { completionTime, finishedBy: status.finishedBy ?? 'driver' }, conditionType, reason, message, phase === 'Succeeded' ? 'Normal' : 'Warning');
    }
    // Executors of a driver that finished the job itself are the driver's to delete; give it time.
    const graceMs = this.#o.finishedPodGraceMs ?? 30_000;
    const finishedAt = Date.parse(completionTime);
    // (The first reconcile after the driver wrote its final phase too: its pod may still be exiting.)
    const cleanupInMs = status.finishedBy === 'operator' ? 0 : finishedAt + graceMs - now;
    let requeue: number | undefined;
    if (cleanupInMs <= 0) await this.#deleteActivePods(job);
    else requeue = cleanupInMs;
    const ttl = this.#ttlResult(job.spec.ttlSecondsAfterFinished, completionTime);
    if (ttl.requeueAfterMs === 0) {
      const deleted = await this.#o.client.delete(sparkJobs, job.metadata.namespace, job.metadata.name, { uid: job.metadata.uid });
      if (deleted) this.#o.logger.info('deleted a finished SparkJob after its TTL', { job: `${job.metadata.namespace}/${job.metadata.name}` });
      return {};
    }
    return requeueAfter(minDefined(requeue, ttl.requeueAfterMs));
  }

  #ttlResult(ttlSeconds: number | undefined, completionTime: string): ReconcileResult {
    if (ttlSeconds === undefined) return {};
    return { requeueAfterMs: Math.max(0, Date.parse(completionTime) + ttlSeconds * 1000 - this.#now()) };
  }

  async #deleteActivePods(job: SparkJob): Promise<void> {
    const { namespace, name } = job.metadata;
    const pods = await this.#o.client.list(builtinResources.pods, namespace, { labelSelector: `${sparkJobLabels.job}=${name}` });
    for (const pod of pods.items) {
      const owned = pod.metadata.ownerReferences?.some((o) => o.uid === job.metadata.uid) === true;
      if (!owned || pod.metadata.deletionTimestamp !== undefined || !ACTIVE_POD_PHASES.has(pod.status?.phase)) continue;
      await this.#o.client.delete(builtinResources.pods, namespace, pod.metadata.name ?? '', pod.metadata.uid === undefined ? {} : { uid: pod.metadata.uid });
    }
  }

  /** Writes status through `/status`, conditional on the version read; records the transition as an Event. */
  async #writeStatus(
    job: SparkJob,
    patch: StatusPatch,
    condition: SparkJobConditionType,
    reason: string,
    message: string,
    eventType: 'Normal' | 'Warning' = 'Normal',
  ): Promise<void> {
    const now = new Date(this.#now()).toISOString();
    const generation = job.metadata.generation;
    const status: StatusPatch = {
      ...patch,
      conditions: withCondition(job.status?.conditions, condition, reason, message, now, generation),
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    };
    const updated = await this.#o.client.mergePatch(sparkJobs, job.metadata.namespace, job.metadata.name, { metadata: { resourceVersion: job.metadata.resourceVersion }, status }, 'status');
    this.#o.logger.info('SparkJob status', { job: `${job.metadata.namespace}/${job.metadata.name}`, phase: patch.phase ?? job.status?.phase, reason });
    await this.#o.events.record(updated, eventType, reason, message);
  }
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function requeueAfter(ms: number | undefined): ReconcileResult {
  return ms === undefined ? {} : { requeueAfterMs: Math.max(0, ms) };
}
