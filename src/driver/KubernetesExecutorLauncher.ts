import { sparkJobLabels } from '../api/sparkJobLabels.js';
import { sparkJobResource } from '../api/sparkJobResource.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { Logger } from '../common/logging/Logger.js';
import { builtinResources } from '../k8s/builtinResources.js';
import { KubeApiError } from '../k8s/KubeApiError.js';
import type { Pod } from '../k8s/Pod.js';
import { sleepUnlessAborted } from '../k8s/sleepUnlessAborted.js';
import type { ExecutorLauncher } from './ExecutorLauncher.js';
import type { KubernetesDriverSettings } from './KubernetesDriverSettings.js';

export interface KubernetesExecutorLauncherOptions {
  readonly settings: KubernetesDriverSettings;
  /** Pods created at once (`kuberdd.kubernetes.allocation.batchSize`); the next batch waits for the API to accept this one. */
  readonly batchSize: number;
  readonly logger: Logger;
  /** How long stop() waits for deleted pods to be gone; default 15 s. */
  readonly stopTimeoutMs?: number;
}

interface ManagedPod {
  /** Asked to go (stop, killExecutor): its end is not news. */
  expected: boolean;
}

const ACTIVE_PHASES = new Set<string | undefined>(['Pending', 'Running', undefined]);
const RELIST_DELAY_MS = 1_000;

/**
 * Executors as pods (master `k8s`): `<job>-exec-<n>`, labelled with the job and role, owned by
 * the **SparkJob** (not the driver pod), so they outlive a driver that dies and are removed by
 * Kubernetes' garbage collector when the SparkJob goes. Pods are created in batches. A driver
 * attempt after the first adopts the executor pods still running from the last attempt (their
 * executors register with it again) and numbers new pods after the highest existing one.
 *
 * Pods are watched: one that fails, succeeds or is deleted without being asked to is reported
 * through onExecutorExit, so the backend replaces it (up to its bound). stop() deletes every
 * executor pod of the job; a driver killed abnormally never calls it, and the pods stay for the
 * next attempt.
 */
export class KubernetesExecutorLauncher implements ExecutorLauncher {
  readonly #o: KubernetesExecutorLauncherOptions;
  readonly #s: KubernetesDriverSettings;
  readonly #log: Logger;
  readonly #pods = new Map<string, ManagedPod>();
  readonly #exitListeners: ((executorId: string, reason: string) => void)[] = [];
  readonly #watching = new AbortController();
  readonly #adoptedNames = new Set<string>();
  /** Running pods of an earlier attempt, not yet adopted. */
  #adoptable: string[] | undefined;
  #next = 0;
  #watchLoop: Promise<void> | undefined;
  #stopped = false;

  constructor(options: KubernetesExecutorLauncherOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new UserInputError(`--conf kuberdd.kubernetes.allocation.batchSize=${options.batchSize}: expected a whole number >= 1`);
    }
    this.#o = options;
    this.#s = options.settings;
    this.#log = options.logger;
  }

  /** Pods adopted from an earlier driver attempt, by name. */
  get adopted(): readonly string[] {
    return [...this.#adoptedNames];
  }

  async launch(count: number, env: Readonly<Record<string, string>>): Promise<void> {
    if (this.#stopped || count <= 0) return;
    if (this.#adoptable === undefined) await this.#findEarlierPods();
    this.#watchLoop ??= this.#watch();
    let wanted = count;
    while (wanted > 0 && this.#adoptable!.length > 0) {
      const name = this.#adoptable!.shift()!;
      this.#pods.set(name, { expected: false });
      this.#adoptedNames.add(name);
      this.#log.info('adopted an executor pod of an earlier driver attempt', { pod: name });
      wanted--;
    }
    const names: string[] = [];
    for (let i = 0; i < wanted; i++) names.push(this.#podName(this.#next++));
    for (let i = 0; i < names.length && !this.#stopped; i += this.#o.batchSize) {
      const batch = names.slice(i, i + this.#o.batchSize);
      await Promise.all(batch.map((name) => this.#create(name, env)));
    }
  }

  onExecutorExit(listener: (executorId: string, reason: string) => void): void {
    this.#exitListeners.push(listener);
  }

  killExecutor(executorId: string): void {
    const pod = this.#pods.get(executorId);
    if (pod === undefined) return;
    pod.expected = true;
    void this.#delete(executorId);
  }

  /** Deletes every executor pod of the job (this attempt's and any left from earlier ones) and waits, for a while, until they are gone. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const pod of this.#pods.values()) pod.expected = true;
    this.#watching.abort();
    await this.#watchLoop;
    const { client, namespace } = this.#s;
    const deadline = Date.now() + (this.#o.stopTimeoutMs ?? 15_000);
    let deleted = false;
    for (;;) {
      let pods: Pod[];
      try {
        pods = (await client.list(builtinResources.pods, namespace, { labelSelector: this.#selector() })).items;
      } catch (error) {
        this.#log.warn('could not list executor pods to delete them', { error: String((error as Error).message ?? error) });
        return;
      }
      const left = pods.filter((p) => this.#ownedByJob(p));
      if (left.length === 0 || Date.now() > deadline) {
        if (left.length > 0) this.#log.warn('executor pods still terminating', { pods: left.map((p) => p.metadata.name) });
        return;
      }
      if (!deleted) {
        await Promise.all(left.filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => this.#delete(p.metadata.name ?? '')));
        deleted = true;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  // ---- Pods ---------------------------------------------------------------------------------------

  #podName(n: number): string {
    return `${this.#s.jobName}-exec-${n}`;
  }

  #selector(): string {
    return `${sparkJobLabels.job}=${this.#s.jobName},${sparkJobLabels.role}=executor`;
  }

  #ownedByJob(pod: Pod): boolean {
    return pod.metadata.ownerReferences?.some((o) => o.uid === this.#s.jobUid) === true;
  }

  /** Executor pods the job has already: new ones are numbered after them; running ones can be adopted. */
  async #findEarlierPods(): Promise<void> {
    const existing = await this.#s.client.list(builtinResources.pods, this.#s.namespace, { labelSelector: this.#selector() });
    const adoptable: string[] = [];
    const prefix = `${this.#s.jobName}-exec-`;
    for (const pod of existing.items) {
      const name = pod.metadata.name ?? '';
      const n = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : NaN;
      if (Number.isInteger(n) && n >= this.#next) this.#next = n + 1;
      if (!this.#ownedByJob(pod) || pod.metadata.deletionTimestamp !== undefined) continue;
      if (pod.status?.phase === 'Running' || pod.status?.phase === 'Pending') adoptable.push(name);
    }
    this.#adoptable = adoptable.sort();
  }

  async #create(name: string, env: Readonly<Record<string, string>>): Promise<void> {
    for (;;) {
      try {
        await this.#s.client.create(builtinResources.pods, this.#s.namespace, this.#podSpec(name, env));
        this.#pods.set(name, { expected: false });
        this.#log.debug('created an executor pod', { pod: name });
        return;
      } catch (error) {
        // A pod of that name exists (an earlier attempt's, finished): take the next number.
        if (!(error instanceof KubeApiError && error.status === 409) || this.#stopped) throw error;
        name = this.#podName(this.#next++);
      }
    }
  }

  async #delete(name: string): Promise<void> {
    try {
      await this.#s.client.delete(builtinResources.pods, this.#s.namespace, name);
    } catch (error) {
      this.#log.warn('could not delete an executor pod', { pod: name, error: String((error as Error).message ?? error) });
    }
  }

  #podSpec(name: string, env: Readonly<Record<string, string>>): Pod {
    const s = this.#s;
    const x = s.executor;
    const template = (x.podTemplate ?? {}) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
    const templateSpec = template.spec ?? {};
    const args = ['--nats', env['KUBERDD_NATS_URL'] ?? '', '--app', s.appId, '--executor-id', name, '--cores', String(x.cores), '--log-format', 'json'];
    const heapMiB = x.memory === undefined ? undefined : heapForContainerMiB(x.memory);
    if (heapMiB !== undefined) args.push('--memory', String(heapMiB));
    const podEnv: Record<string, unknown>[] = [
      ...(x.env ?? []).map((v) => ({ ...v })),
      ...Object.entries(env).map(([key, value]) => (s.secretEnv[key] !== undefined ? { name: key, valueFrom: s.secretEnv[key] } : { name: key, value })),
      { name: 'KUBERDD_EXECUTOR_ID', value: name },
    ];
    const resources =
      x.memory === undefined
        ? { requests: { cpu: String(x.cores) } }
        : { requests: { cpu: String(x.cores), memory: x.memory }, limits: { memory: x.memory } };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: s.namespace,
        labels: {
          ...template.metadata?.labels,
          ...x.labels,
          'app.kubernetes.io/managed-by': 'kuberdd',
          [sparkJobLabels.job]: s.jobName,
          [sparkJobLabels.role]: 'executor',
          [sparkJobLabels.attempt]: String(s.attempt),
        },
        annotations: { ...template.metadata?.annotations, ...x.annotations },
        // The SparkJob, not the driver pod: executors outlive a driver attempt.
        ownerReferences: [{ apiVersion: sparkJobResource.apiVersion, kind: sparkJobResource.kind, name: s.jobName, uid: s.jobUid, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        ...templateSpec,
        restartPolicy: 'Never',
        ...(x.serviceAccountName === undefined ? {} : { serviceAccountName: x.serviceAccountName }),
        ...(x.nodeSelector === undefined ? {} : { nodeSelector: { ...(templateSpec['nodeSelector'] as object | undefined), ...x.nodeSelector } }),
        ...(x.tolerations === undefined ? {} : { tolerations: [...((templateSpec['tolerations'] as unknown[] | undefined) ?? []), ...x.tolerations] }),
        containers: [
          {
            name: 'executor',
            image: x.image,
            ...(x.imagePullPolicy === undefined ? {} : { imagePullPolicy: x.imagePullPolicy }),
            command: [...x.command],
            args,
            env: podEnv,
            resources,
          },
        ],
      },
    };
  }

  // ---- Watching ---------------------------------------------------------------------------------

  /** Lists, then watches from the list's version; a 410 or a failure lists again. Ends when stop() aborts it. */
  async #watch(): Promise<void> {
    const signal = this.#watching.signal;
    const { client, namespace } = this.#s;
    let resourceVersion: string | undefined;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          const list = await client.list(builtinResources.pods, namespace, { labelSelector: this.#selector() });
          const present = new Set<string>();
          for (const pod of list.items) {
            present.add(pod.metadata.name ?? '');
            this.#observe('MODIFIED', pod);
          }
          for (const name of [...this.#pods.keys()]) if (!present.has(name)) this.#ended(name, 'its pod was deleted');
          resourceVersion = list.resourceVersion;
        }
        await client.watch(
          builtinResources.pods,
          namespace,
          { resourceVersion, labelSelector: this.#selector(), allowWatchBookmarks: true, timeoutSeconds: 300 },
          (type, pod) => {
            if (pod.metadata.resourceVersion !== undefined) resourceVersion = pod.metadata.resourceVersion;
            if (type !== 'BOOKMARK') this.#observe(type, pod);
          },
          signal,
        );
      } catch (error) {
        if (signal.aborted) return;
        if (!KubeApiError.isGone(error)) this.#log.warn('watching executor pods failed; listing again', { error: String((error as Error).message ?? error) });
        resourceVersion = undefined;
        await sleepUnlessAborted(KubeApiError.isGone(error) ? 0 : RELIST_DELAY_MS, signal);
      }
    }
  }

  #observe(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod): void {
    const name = pod.metadata.name ?? '';
    if (!this.#pods.has(name)) return;
    if (type === 'DELETED') return this.#ended(name, `its pod ${name} was deleted`);
    if (ACTIVE_PHASES.has(pod.status?.phase)) return;
    const terminated = pod.status?.containerStatuses?.find((c) => c.name === 'executor')?.state?.terminated;
    const how = terminated === undefined ? `is ${pod.status?.phase}` : `exited with code ${terminated.exitCode}${terminated.reason === undefined ? '' : ` (${terminated.reason})`}`;
    this.#ended(name, `executor pod ${name} ${how}${pod.status?.message === undefined ? '' : `: ${pod.status.message}`}`);
  }

  #ended(name: string, reason: string): void {
    const pod = this.#pods.get(name);
    if (pod === undefined) return;
    this.#pods.delete(name);
    if (pod.expected || this.#stopped) return;
    this.#log.warn('executor pod ended', { pod: name, reason });
    for (const listener of this.#exitListeners) listener(name, reason);
  }
}

const UNITS: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/**
 * The task thread's heap for a container memory limit such as `2Gi`: three quarters of it
 * (the rest is the main thread, NATS buffers and off-heap shuffle buffers); undefined when the
 * quantity cannot be read (Node's default then applies, and the pod's limit still holds).
 */
function heapForContainerMiB(quantity: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(quantity.trim());
  if (m === null) return undefined;
  const bytes = Number(m[1]) * (UNITS[m[2] ?? ''] ?? 1);
  return Math.max(64, Math.floor((bytes * 0.75) / 1024 ** 2));
}
