// A kubelet-and-scheduler stand-in for CI. Through the public Kubernetes API only (client-node,
// so it works against any conformant server) it watches pods, binds unscheduled ones to its
// node via pods/<name>/binding, runs each bound pod's containers as local child processes
// (command + args, env with secret/configMap/field references, configMap/secret volumes as
// temp dirs; the image is ignored), and reports phase, containerStatuses, conditions and
// podIP through pods/<name>/status. Pod deletion is honoured with SIGTERM, then SIGKILL after
// the grace period. restartPolicy is treated as Never: restarts are the operator's job.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type Informer,
  type ObjectCache,
  type V1Container,
  type V1EnvVar,
  type V1Pod,
} from '@kubernetes/client-node';
import { KubeletLogServer } from './KubeletLogServer.js';

export interface PodRunnerOptions {
  kubeconfigPath: string;
  /** The node this runner registers and binds pods to. */
  nodeName?: string;
  /** Working directory of every container process (the image's filesystem does not exist here). */
  workDir?: string;
  /** Where container logs go (`<namespace>_<pod>_<container>.log`); a temp dir by default. */
  logDir?: string;
  /** Images matching this never pull: the pod stays Pending with ErrImagePull / ImagePullBackOff. */
  pullFailurePattern?: RegExp;
  /** The command run for containers that give none (a real runtime would use the image's ENTRYPOINT). */
  entrypoints?: Array<{ image: RegExp; command: string[] }>;
  /** Runner environment variables passed on to containers (PATH and HOME always are). */
  inheritEnv?: string[];
  log?: (line: string) => void;
}

class PodRunnerError extends Error {
  override readonly name = 'PodRunnerError';
}

/** A missing secret/configMap the kubelet waits for (CreateContainerConfigError). */
class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

interface ContainerRun {
  name: string;
  image: string;
  process: ChildProcess | undefined;
  logFile: string;
  startedAt: string | undefined;
  state: Record<string, unknown>;
  exited: boolean;
}

interface PodRun {
  uid: string;
  namespace: string;
  name: string;
  containers: ContainerRun[];
  dir: string;
  startTime: string;
  terminating: boolean;
  killTimer: NodeJS.Timeout | undefined;
  deleteRequested: boolean;
  statusWrites: Promise<void>;
  finished: boolean;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Kubernetes' $(VAR) expansion in command, args and env values; `$$` escapes. */
function expand(text: string, vars: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '$';
    return vars.get(name) ?? whole;
  });
}

export class PodRunner {
  readonly nodeName: string;
  private readonly core: CoreV1Api;
  private readonly runs = new Map<string, PodRun>();
  private readonly bindingsInFlight = new Set<string>();
  private readonly startsInFlight = new Set<string>();
  private readonly logDir: string;
  private readonly ownsLogDir: boolean;
  private readonly podsDir: string;
  private informer: (Informer<V1Pod> & ObjectCache<V1Pod>) | undefined;
  private logServer: KubeletLogServer | undefined;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly kc: KubeConfig,
    private readonly options: PodRunnerOptions,
  ) {
    this.nodeName = options.nodeName ?? 'standin-node';
    this.core = kc.makeApiClient(CoreV1Api);
    this.ownsLogDir = options.logDir === undefined;
    this.logDir = options.logDir ?? mkdtempSync(path.join(os.tmpdir(), 'kuberdd-podlogs-'));
    mkdirSync(this.logDir, { recursive: true });
    this.podsDir = mkdtempSync(path.join(os.tmpdir(), 'kuberdd-pods-'));
  }

  static async start(options: PodRunnerOptions): Promise<PodRunner> {
    const kc = new KubeConfig();
    kc.loadFromFile(options.kubeconfigPath);
    const runner = new PodRunner(kc, options);
    runner.logServer = await KubeletLogServer.start({
      logFile: (ns, pod, container) => runner.logFile(ns, pod, container),
      isRunning: (ns, pod, container) => runner.isRunning(ns, pod, container),
    });
    await runner.registerNode();
    await runner.watchPods();
    return runner;
  }

  private log(line: string): void {
    this.options.log?.(`[pod-runner] ${line}`);
  }

  private async registerNode(): Promise<void> {
    const name = this.nodeName;
    try {
      await this.core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } } } });
    } catch (error: unknown) {
      if (statusCode(error) !== 409) throw new PodRunnerError(`registering node ${name} failed: ${String(error)}`, { cause: error });
    }
    const status = {
      status: {
        addresses: [
          { type: 'InternalIP', address: '127.0.0.1' },
          { type: 'Hostname', address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: this.logServer?.port ?? 0 } },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kuberdd PodRunner is ready', lastHeartbeatTime: now(), lastTransitionTime: now() }],
        nodeInfo: { kubeletVersion: 'v1.30.0-kuberdd-podrunner', operatingSystem: 'linux', architecture: process.arch },
      },
    };
    await this.core.patchNodeStatus({ name, body: status }, mergePatch);
  }

  private async watchPods(): Promise<void> {
    const informer = makeInformer(this.kc, '/api/v1/pods', () => this.core.listPodForAllNamespaces());
    informer.on('add', (pod) => this.reconcile(pod));
    informer.on('update', (pod) => this.reconcile(pod));
    informer.on('delete', (pod) => this.onPodGone(pod));
    informer.on('error', (error: unknown) => {
      if (this.stopped) return;
      this.log(`pod watch failed (${String(error)}); restarting it`);
      this.restartTimer = setTimeout(() => void informer.start().catch(() => undefined), 500);
    });
    this.informer = informer;
    await informer.start();
  }

  private reconcile(pod: V1Pod): void {
    if (this.stopped) return;
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const run = this.runs.get(uid);
    if (pod.metadata?.deletionTimestamp) {
      this.terminate(pod, run);
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) {
      if ((pod.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler') void this.bind(pod);
      return;
    }
    if (nodeName !== this.nodeName || run || this.startsInFlight.has(uid)) return;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    this.startsInFlight.add(uid);
    void this.startPod(pod).finally(() => this.startsInFlight.delete(uid));
  }

  private async bind(pod: V1Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    if (this.bindingsInFlight.has(uid)) return;
    this.bindingsInFlight.add(uid);
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? 'default';
    try {
      await this.core.createNamespacedPodBinding({
        name,
        namespace,
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName } },
      });
      this.log(`bound ${namespace}/${name} to ${this.nodeName}`);
    } catch (error: unknown) {
      // 409: already bound (another scheduler won); 404: deleted meanwhile.
      if (statusCode(error) !== 409 && statusCode(error) !== 404) this.log(`binding ${namespace}/${name} failed: ${String(error)}`);
    } finally {
      this.bindingsInFlight.delete(uid);
    }
  }

  private async startPod(pod: V1Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const containers = pod.spec?.containers ?? [];
    const pullFailure = this.options.pullFailurePattern ?? /never-pulls/;
    const run: PodRun = {
      uid,
      namespace,
      name,
      containers: containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        process: undefined,
        logFile: path.join(this.logDir, `${namespace}_${name}_${c.name}.log`),
        startedAt: undefined,
        state: { waiting: { reason: 'ContainerCreating' } },
        exited: false,
      })),
      dir: path.join(this.podsDir, uid),
      startTime: now(),
      terminating: false,
      killTimer: undefined,
      deleteRequested: false,
      statusWrites: Promise.resolve(),
      finished: false,
    };
    this.runs.set(uid, run);
    mkdirSync(run.dir, { recursive: true });
    const failing = run.containers.filter((c) => pullFailure.test(c.image));
    if (failing.length > 0) {
      for (const c of failing) c.state = { waiting: { reason: 'ErrImagePull', message: `failed to pull image "${c.image}": the stand-in simulates a failing pull for images matching ${String(pullFailure)}` } };
      this.writeStatus(run, 'Pending');
      setTimeout(() => {
        if (run.terminating || this.stopped) return;
        for (const c of failing) c.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } };
        this.writeStatus(run, 'Pending');
      }, 1000).unref();
      return;
    }
    let prepared: Array<{ container: V1Container; command: string[]; env: Record<string, string> }>;
    try {
      const mounts = await this.prepareVolumes(pod, run.dir);
      prepared = [];
      for (const container of containers) prepared.push(await this.prepareContainer(pod, container, mounts));
    } catch (error: unknown) {
      const reason = error instanceof ContainerConfigError ? 'CreateContainerConfigError' : 'StartError';
      for (const c of run.containers) c.state = { waiting: { reason, message: error instanceof Error ? error.message : String(error) } };
      this.writeStatus(run, 'Pending');
      if (error instanceof ContainerConfigError) {
        // The kubelet keeps retrying until the referenced object exists.
        this.runs.delete(uid);
        setTimeout(() => {
          const current = this.informer?.get(name, namespace);
          if (current?.metadata?.uid === uid) this.reconcile(current);
        }, 1000).unref();
      }
      return;
    }
    if (run.terminating) return;
    for (const [i, { command, env }] of prepared.entries()) this.spawnContainer(run, run.containers[i] as ContainerRun, command, env);
    this.writeStatus(run, 'Running');
  }

  /** Materializes configMap, secret and emptyDir volumes; returns mountPath → local directory. */
  private async prepareVolumes(pod: V1Pod, dir: string): Promise<Map<string, string>> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const volumeDirs = new Map<string, string>();
    for (const volume of pod.spec?.volumes ?? []) {
      const target = path.join(dir, 'volumes', volume.name);
      mkdirSync(target, { recursive: true });
      volumeDirs.set(volume.name, target);
      let files: Record<string, Buffer> = {};
      let items: Array<{ key: string; path: string }> | undefined;
      if (volume.configMap) {
        const cm = await this.readConfigMap(namespace, volume.configMap.name ?? '', volume.configMap.optional === true);
        for (const [k, v] of Object.entries(cm?.data ?? {})) files[k] = Buffer.from(v);
        for (const [k, v] of Object.entries(cm?.binaryData ?? {})) files[k] = Buffer.from(v, 'base64');
        items = volume.configMap.items;
      } else if (volume.secret) {
        const secret = await this.readSecret(namespace, volume.secret.secretName ?? '', volume.secret.optional === true);
        for (const [k, v] of Object.entries(secret?.data ?? {})) files[k] = Buffer.from(v, 'base64');
        items = volume.secret.items;
      } else if (!volume.emptyDir) {
        throw new PodRunnerError(`volume ${volume.name}: only configMap, secret and emptyDir volumes are supported by the stand-in`);
      }
      if (items) files = Object.fromEntries(items.filter((i) => files[i.key] !== undefined).map((i) => [i.path, files[i.key] as Buffer]));
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
        writeFileSync(path.join(target, file), content);
      }
    }
    const mounts = new Map<string, string>();
    for (const container of pod.spec?.containers ?? []) {
      for (const mount of container.volumeMounts ?? []) {
        const local = volumeDirs.get(mount.name);
        if (!local) throw new PodRunnerError(`container ${container.name}: volumeMount ${mount.name} names no volume of the pod`);
        mounts.set(mount.mountPath, mount.subPath ? path.join(local, mount.subPath) : local);
      }
    }
    return mounts;
  }

  private async readConfigMap(namespace: string, name: string, optional: boolean): Promise<{ data?: Record<string, string>; binaryData?: Record<string, string> } | undefined> {
    try {
      return await this.core.readNamespacedConfigMap({ name, namespace });
    } catch (error: unknown) {
      if (statusCode(error) === 404) {
        if (optional) return undefined;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      throw error;
    }
  }

  private async readSecret(namespace: string, name: string, optional: boolean): Promise<{ data?: Record<string, string> } | undefined> {
    try {
      return await this.core.readNamespacedSecret({ name, namespace });
    } catch (error: unknown) {
      if (statusCode(error) === 404) {
        if (optional) return undefined;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      throw error;
    }
  }

  private fieldValue(pod: V1Pod, fieldPath: string): string {
    const meta = pod.metadata ?? {};
    const label = fieldPath.match(/^metadata\.(labels|annotations)\['(.+)'\]$/);
    if (label) return (label[1] === 'labels' ? meta.labels : meta.annotations)?.[label[2] as string] ?? '';
    switch (fieldPath) {
      case 'metadata.name':
        return meta.name ?? '';
      case 'metadata.namespace':
        return meta.namespace ?? '';
      case 'metadata.uid':
        return meta.uid ?? '';
      case 'spec.nodeName':
        return this.nodeName;
      case 'spec.serviceAccountName':
        return pod.spec?.serviceAccountName ?? 'default';
      case 'status.podIP':
      case 'status.hostIP':
      case 'status.podIPs':
      case 'status.hostIPs':
        return '127.0.0.1';
      default:
        throw new PodRunnerError(`env fieldRef ${fieldPath} is not supported by the stand-in`);
    }
  }

  private async prepareContainer(pod: V1Pod, container: V1Container, mounts: Map<string, string>): Promise<{ container: V1Container; command: string[]; env: Record<string, string> }> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const vars = new Map<string, string>();
    for (const source of container.envFrom ?? []) {
      const prefix = source.prefix ?? '';
      if (source.configMapRef) {
        const cm = await this.readConfigMap(namespace, source.configMapRef.name ?? '', source.configMapRef.optional === true);
        for (const [k, v] of Object.entries(cm?.data ?? {})) vars.set(prefix + k, v);
      }
      if (source.secretRef) {
        const secret = await this.readSecret(namespace, source.secretRef.name ?? '', source.secretRef.optional === true);
        for (const [k, v] of Object.entries(secret?.data ?? {})) vars.set(prefix + k, Buffer.from(v, 'base64').toString('utf8'));
      }
    }
    for (const env of container.env ?? []) {
      const value = await this.envValue(pod, env, namespace, vars);
      if (value !== undefined) vars.set(env.name, value);
    }
    // Mount paths do not exist on this machine: paths under them in command, args and env
    // values are rewritten to the directories the volumes were materialized in.
    const byLength = [...mounts.entries()].sort((a, b) => b[0].length - a[0].length);
    const rewrite = (text: string): string => {
      for (const [mountPath, local] of byLength) {
        if (text === mountPath) return local;
        if (text.startsWith(`${mountPath}/`)) return local + text.slice(mountPath.length);
        const inline = text.indexOf(`=${mountPath}`);
        if (inline >= 0 && (text.length === inline + 1 + mountPath.length || text[inline + 1 + mountPath.length] === '/')) {
          return text.slice(0, inline + 1) + local + text.slice(inline + 1 + mountPath.length);
        }
      }
      return text;
    };
    const entrypoint = container.command ?? this.options.entrypoints?.find((e) => e.image.test(container.image ?? ''))?.command;
    if (!entrypoint || entrypoint.length === 0) {
      throw new PodRunnerError(`container ${container.name} has no command and no entrypoint is configured for image ${container.image ?? ''} (PodRunnerOptions.entrypoints)`);
    }
    const command = [...entrypoint, ...(container.args ?? [])].map((part) => rewrite(expand(part, vars)));
    const env: Record<string, string> = {};
    for (const name of ['PATH', 'HOME', ...(this.options.inheritEnv ?? [])]) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    const server = new URL(this.kc.getCurrentCluster()?.server ?? 'http://127.0.0.1');
    env.KUBECONFIG = this.options.kubeconfigPath;
    env.KUBERNETES_SERVICE_HOST = server.hostname;
    env.KUBERNETES_SERVICE_PORT = server.port;
    env.HOSTNAME = pod.metadata?.name ?? '';
    for (const [k, v] of vars) env[k] = rewrite(v);
    return { container, command, env };
  }

  private async envValue(pod: V1Pod, env: V1EnvVar, namespace: string, vars: Map<string, string>): Promise<string | undefined> {
    if (env.value !== undefined) return expand(env.value, vars);
    const from = env.valueFrom;
    if (!from) return '';
    if (from.fieldRef) return this.fieldValue(pod, from.fieldRef.fieldPath);
    if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const secret = await this.readSecret(namespace, ref.name ?? '', ref.optional === true);
      const raw = secret?.data?.[ref.key];
      if (raw === undefined) {
        if (ref.optional === true) return undefined;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${namespace}/${ref.name ?? ''}`);
      }
      return Buffer.from(raw, 'base64').toString('utf8');
    }
    if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const cm = await this.readConfigMap(namespace, ref.name ?? '', ref.optional === true);
      const value = cm?.data?.[ref.key];
      if (value === undefined) {
        if (ref.optional === true) return undefined;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${namespace}/${ref.name ?? ''}`);
      }
      return value;
    }
    if (from.resourceFieldRef) return '';
    return undefined;
  }

  private spawnContainer(run: PodRun, container: ContainerRun, command: string[], env: Record<string, string>): void {
    const fd = openSync(container.logFile, 'a');
    const [file, ...args] = command as [string, ...string[]];
    const child = spawn(file, args, { cwd: this.options.workDir ?? process.cwd(), env, stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    container.process = child;
    container.startedAt = now();
    container.state = { running: { startedAt: container.startedAt } };
    this.log(`started ${run.namespace}/${run.name}/${container.name}: ${command.join(' ')} (pid ${child.pid ?? '?'})`);
    child.on('error', (error) => {
      // spawn failed (e.g. command not found): the runtime's StartError, exit code 128.
      container.exited = true;
      container.state = { terminated: { exitCode: 128, reason: 'StartError', message: error.message, startedAt: container.startedAt, finishedAt: now() } };
      this.onContainerExit(run);
    });
    child.on('exit', (code, signal) => {
      if (container.exited) return;
      container.exited = true;
      const signalNumber = signal ? (osConstants.signals as Record<string, number>)[signal] : undefined;
      const exitCode = code ?? 128 + (signalNumber ?? 0);
      const terminated: Record<string, unknown> = {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt: container.startedAt,
        finishedAt: now(),
        containerID: `standin://${child.pid ?? 0}`,
      };
      if (signalNumber !== undefined) terminated.signal = signalNumber;
      container.state = { terminated };
      this.log(`${run.namespace}/${run.name}/${container.name} exited with ${exitCode}${signal ? ` (${signal})` : ''}`);
      this.onContainerExit(run);
    });
  }

  private onContainerExit(run: PodRun): void {
    if (!run.containers.every((c) => c.exited)) {
      this.writeStatus(run, 'Running');
      return;
    }
    clearTimeout(run.killTimer);
    run.finished = true;
    const failed = run.containers.some((c) => (c.state.terminated as { exitCode?: number } | undefined)?.exitCode !== 0);
    this.writeStatus(run, failed ? 'Failed' : 'Succeeded');
    if (run.terminating) void run.statusWrites.then(() => this.deleteNow(run));
  }

  private containerStatuses(run: PodRun): Array<Record<string, unknown>> {
    return run.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ...(c.process?.pid === undefined ? {} : { containerID: `standin://${c.process.pid}` }),
      ready: c.state.running !== undefined,
      started: c.state.running !== undefined,
      restartCount: 0,
      state: c.state,
    }));
  }

  /** Writes the pod's status (serialized per pod, so the API sees the transitions in order). */
  private writeStatus(run: PodRun, phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed'): void {
    const at = now();
    const ready = phase === 'Running' && run.containers.every((c) => c.state.running !== undefined);
    const notReadyReason = phase === 'Succeeded' ? 'PodCompleted' : phase === 'Failed' ? 'PodFailed' : 'ContainersNotReady';
    const readiness = ready ? { status: 'True' } : { status: 'False', reason: notReadyReason };
    const status = {
      phase,
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP: '127.0.0.1',
      podIPs: [{ ip: '127.0.0.1' }],
      startTime: run.startTime,
      qosClass: 'BestEffort',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: run.startTime },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: run.startTime },
        { type: 'ContainersReady', ...readiness, lastProbeTime: null, lastTransitionTime: at },
        { type: 'Ready', ...readiness, lastProbeTime: null, lastTransitionTime: at },
      ],
      containerStatuses: this.containerStatuses(run),
    };
    run.statusWrites = run.statusWrites.then(async () => {
      try {
        // Conditions written by others (DisruptionTarget) are kept.
        const current = await this.core.readNamespacedPodStatus({ name: run.name, namespace: run.namespace });
        if (current.metadata?.uid !== run.uid) return;
        const foreign = (current.status?.conditions ?? []).filter((c) => !['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].includes(c.type));
        await this.core.patchNamespacedPodStatus({ name: run.name, namespace: run.namespace, body: { status: { ...status, conditions: [...status.conditions, ...foreign] } } }, mergePatch);
      } catch (error: unknown) {
        if (statusCode(error) !== 404) this.log(`status update of ${run.namespace}/${run.name} failed: ${String(error)}`);
      }
    });
  }

  private terminate(pod: V1Pod, run: PodRun | undefined): void {
    if (!run) {
      // Never started here (unbound, another node's, or already finished): nothing to stop.
      if (pod.spec?.nodeName === this.nodeName && !this.startsInFlight.has(pod.metadata?.uid ?? '')) void this.deletePod(pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', pod.metadata?.uid ?? '');
      return;
    }
    if (run.terminating) return;
    run.terminating = true;
    const live = run.containers.filter((c) => c.process && !c.exited);
    if (live.length === 0) {
      void run.statusWrites.then(() => this.deleteNow(run));
      return;
    }
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    this.log(`stopping ${run.namespace}/${run.name}: SIGTERM, SIGKILL in ${grace}s`);
    for (const c of live) this.signal(c, 'SIGTERM');
    run.killTimer = setTimeout(() => {
      for (const c of run.containers) if (!c.exited) this.signal(c, 'SIGKILL');
    }, grace * 1000);
  }

  private signal(container: ContainerRun, signal: NodeJS.Signals): boolean {
    const pid = container.process?.pid;
    if (pid === undefined || container.exited) return false;
    try {
      process.kill(-pid, signal); // the container's whole process group
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        return false;
      }
    }
    return true;
  }

  private async deleteNow(run: PodRun): Promise<void> {
    if (run.deleteRequested) return;
    run.deleteRequested = true;
    await this.deletePod(run.namespace, run.name, run.uid);
  }

  private async deletePod(namespace: string, name: string, uid: string): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0, body: { preconditions: { uid } } });
    } catch (error: unknown) {
      if (statusCode(error) !== 404 && statusCode(error) !== 409) this.log(`deleting ${namespace}/${name} failed: ${String(error)}`);
    }
  }

  private onPodGone(pod: V1Pod): void {
    const run = this.runs.get(pod.metadata?.uid ?? '');
    if (!run) return;
    this.runs.delete(run.uid);
    // Force-deleted (or finished terminating): nothing may keep running.
    for (const c of run.containers) this.signal(c, 'SIGKILL');
    clearTimeout(run.killTimer);
  }

  private findRun(namespace: string, name: string): PodRun | undefined {
    let found: PodRun | undefined;
    for (const run of this.runs.values()) if (run.namespace === namespace && run.name === name) found = run;
    return found;
  }

  /** Sends a signal to a pod's container processes (fault tests: a crashing driver or executor). */
  kill(namespace: string, name: string, signal: NodeJS.Signals = 'SIGKILL'): boolean {
    const run = this.findRun(namespace, name);
    if (!run) return false;
    let any = false;
    for (const c of run.containers) any = this.signal(c, signal) || any;
    return any;
  }

  /** Evicts a pod through the Eviction API (DisruptionTarget condition, then graceful deletion). */
  async evict(namespace: string, name: string): Promise<void> {
    await this.core.createNamespacedPodEviction({ name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } });
  }

  /**
   * Marks a pod with a DisruptionTarget condition as the kubelet or control plane would before
   * stopping it (reason e.g. TerminationByKubelet, PreemptionByScheduler, DeletionByTaintManager).
   */
  async setDisruptionTarget(namespace: string, name: string, reason: string, message = `${reason} (kuberdd PodRunner)`): Promise<void> {
    const pod = await this.core.readNamespacedPodStatus({ name, namespace });
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason, message, lastTransitionTime: new Date() });
    await this.core.patchNamespacedPodStatus({ name, namespace, body: { status: { conditions } } }, mergePatch);
  }

  /** The file a container's stdout and stderr go to. */
  logFile(namespace: string, name: string, container?: string): string | undefined {
    const run = this.findRun(namespace, name);
    const c = container === undefined ? run?.containers[0] : run?.containers.find((x) => x.name === container);
    if (c) return c.logFile;
    if (container === undefined) return undefined;
    return path.join(this.logDir, `${namespace}_${name}_${container}.log`);
  }

  isRunning(namespace: string, name: string, container: string): boolean {
    const c = this.findRun(namespace, name)?.containers.find((x) => x.name === container);
    return c !== undefined && c.process !== undefined && !c.exited;
  }

  /** Pods (namespace/name) whose processes are still running. */
  get runningPods(): string[] {
    return [...this.runs.values()].filter((r) => r.containers.some((c) => c.process && !c.exited)).map((r) => `${r.namespace}/${r.name}`);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer?.stop();
    const exits: Array<Promise<void>> = [];
    for (const run of this.runs.values()) {
      clearTimeout(run.killTimer);
      for (const c of run.containers) {
        if (c.process && !c.exited) {
          const child = c.process;
          exits.push(new Promise((resolve) => child.once('exit', () => resolve())));
          this.signal(c, 'SIGKILL');
        }
      }
    }
    await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 5000))]);
    await Promise.allSettled([...this.runs.values()].map((r) => r.statusWrites));
    await this.logServer?.close();
    rmSync(this.podsDir, { recursive: true, force: true });
    if (this.ownsLogDir && process.env.KUBERDD_KEEP_POD_LOGS !== '1') rmSync(this.logDir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
