import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { Logger } from '../common/logging/Logger.js';
import type { HeldCachedBlock, HeldMapOutput } from '../executor/ExecutorProtocol.js';
import type { SchedulerBackend } from '../scheduler/SchedulerBackend.js';
import { parseNatsConnectOptions } from '../transport/NatsConnectOptions.js';
import { NatsServerProcess } from '../transport/NatsServerProcess.js';
import type { ExecutorLauncher } from './ExecutorLauncher.js';
import { KubernetesExecutorLauncher } from './KubernetesExecutorLauncher.js';
import type { KubernetesDriverSettings } from './KubernetesDriverSettings.js';
import { LocalClusterLauncher } from './LocalClusterLauncher.js';
import { LocalThreadsBackend } from './LocalThreadsBackend.js';
import { NatsSchedulerBackend, type NatsEndpoint } from './NatsSchedulerBackend.js';
import { parseDurationMs } from './parseDuration.js';
import type { Master } from './parseMaster.js';
import type { RecoveredHoldings } from './RecoveredHoldings.js';

export interface BackendSettings {
  readonly master: Master;
  readonly appId: string;
  /** The application's temporary directory (removed when it stops). */
  readonly localDir: string;
  readonly logger: Logger;
  readonly getConf: (key: string) => string | undefined;
  readonly slotsPerThread: number;
  readonly storageBytes: number;
  readonly shuffleSpillBytes: number;
  readonly cacheLocations: {
    executorsFor(rddId: number, partition: number): readonly string[];
    recordBlockUpdates(executorId: string, updates: readonly { rddId: number; partition: number; bytes: number; level: string }[]): void;
  };
  /** Fails the running jobs: executors are gone for good. */
  readonly failAllJobs: (reason: string) => void;
  /** Master `k8s`: the driver pod's job, client and executor pod template (`kuberdd driver` sets it). */
  readonly kubernetes?: KubernetesDriverSettings | undefined;
  /** Where map outputs offered by executors of an earlier driver attempt go. */
  readonly recovered?: {
    readonly mapOutputs: RecoveredHoldings<HeldMapOutput>;
    readonly cachedBlocks: RecoveredHoldings<HeldCachedBlock>;
  } | undefined;
}

/**
 * The SchedulerBackend a master asks for: worker threads for `local[N]`; executor processes
 * over NATS for `local-cluster[N]`, with a nats-server of its own unless `kuberdd.nats.url`
 * names one (credentials then come from KUBERDD_NATS_USER / _PASSWORD / _TOKEN / _TLS_*);
 * executor pods for `k8s`, over the NATS server in KUBERDD_NATS_URL (set in the driver pod).
 * Settings are checked here, before anything starts.
 */
export function createSchedulerBackend(s: BackendSettings): SchedulerBackend {
  if (s.master.kind === 'local') {
    return new LocalThreadsBackend(s.master.threads, s.localDir, s.logger, s.slotsPerThread, s.storageBytes, s.shuffleSpillBytes);
  }
  const k8s = s.master.kind === 'k8s' ? s.kubernetes : undefined;
  if (s.master.kind === 'k8s' && k8s === undefined) {
    throw new UserInputError('master "k8s" runs only in a driver pod started by the operator (kuberdd driver); use local[N] or local-cluster[N] elsewhere', { code: 'BAD_MASTER' });
  }
  const { executors, cores, memoryMiB } = s.master.kind === 'local-cluster' ? s.master : { executors: k8s!.executor.instances, cores: k8s!.executor.cores, memoryMiB: undefined };
  const duration = (key: string, fallback: string): number => {
    const ms = parseDurationMs(s.getConf(key) ?? fallback, key);
    return Math.max(1, Math.round(ms));
  };
  const heartbeatIntervalMs = duration('kuberdd.executor.heartbeatInterval', '1s');
  const heartbeatTimeoutMs = duration('kuberdd.executor.heartbeatTimeout', '10s');
  const driverTimeoutMs = duration('kuberdd.executor.driverTimeout', '60s');
  const registrationTimeoutMs = duration('kuberdd.executor.registrationTimeout', '60s');
  const fetchTimeoutMs = duration('kuberdd.shuffle.fetchTimeout', '15s');
  const replacements = s.getConf('kuberdd.executor.maxReplacements');
  const maxReplacements = replacements === undefined ? undefined : Number(replacements);
  if (maxReplacements !== undefined && !(Number.isInteger(maxReplacements) && maxReplacements >= 0)) {
    throw new UserInputError(`--conf kuberdd.executor.maxReplacements=${replacements}: expected a whole number >= 0`);
  }
  const durable = s.getConf('kuberdd.shuffle.durable');
  if (durable !== undefined && durable !== 'true' && durable !== 'false') {
    throw new UserInputError(`--conf kuberdd.shuffle.durable=${durable}: expected true or false`);
  }
  const durableShuffle = durable === 'true';
  const url = s.getConf('kuberdd.nats.url') ?? (k8s === undefined ? undefined : process.env['KUBERDD_NATS_URL']);
  if (k8s !== undefined && url === undefined) {
    throw new UserInputError('master "k8s" needs a NATS server: set spec.nats.url in the SparkJob (or the operator\'s default NATS URL)', { code: 'BAD_MASTER' });
  }
  // Checked now, so a bad URL fails the constructor rather than the first job.
  const configured = url === undefined ? undefined : parseNatsConnectOptions({ '--nats': url }, process.env);
  const nats = async (): Promise<NatsEndpoint> => {
    if (configured !== undefined) return { options: configured, release: async () => {} };
    // Durable shuffle outputs go to JetStream, here in the server's temporary directory: they die with the app anyway.
    const server = await NatsServerProcess.start({ logger: s.logger, jetstream: durableShuffle });
    s.logger.debug('started nats-server for local-cluster', { url: server.url, pid: server.pid });
    return { options: { servers: server.url }, release: () => server.stop() };
  };
  let launcher: ExecutorLauncher;
  if (k8s !== undefined) {
    const batch = s.getConf('kuberdd.kubernetes.allocation.batchSize') ?? '5';
    launcher = new KubernetesExecutorLauncher({ settings: k8s, batchSize: Number(batch), logger: s.logger });
  } else {
    launcher = new LocalClusterLauncher({ cores, memoryMiB, localDir: path.join(s.localDir, 'executors'), logger: s.logger });
  }
  return new NatsSchedulerBackend({
    appId: s.appId,
    // On Kubernetes the job's Secret holds it, the same for every driver attempt.
    secret: k8s?.secret ?? new Uint8Array(randomBytes(32)),
    executors,
    coresPerExecutor: cores,
    launcher,
    nats,
    cacheLocations: s.cacheLocations,
    logger: s.logger,
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
    driverTimeoutMs,
    registrationTimeoutMs,
    fetchTimeoutMs,
    storageBytes: s.storageBytes,
    shuffleSpillBytes: s.shuffleSpillBytes,
    onAllExecutorsLost: s.failAllJobs,
    durableShuffle,
    ...(s.recovered === undefined
      ? {}
      : {
          onMapOutputsOffered: (executorId: string, outputs: readonly HeldMapOutput[]) => s.recovered!.mapOutputs.offer(executorId, outputs),
          onCachedBlocksOffered: (executorId: string, blocks: readonly HeldCachedBlock[]) => s.recovered!.cachedBlocks.offer(executorId, blocks),
        }),
    ...(maxReplacements === undefined ? {} : { maxReplacements }),
  });
}
