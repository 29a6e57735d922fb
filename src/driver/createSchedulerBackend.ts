import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { Logger } from '../common/logging/Logger.js';
import type { SchedulerBackend } from '../scheduler/SchedulerBackend.js';
import { parseNatsConnectOptions } from '../transport/NatsConnectOptions.js';
import { NatsServerProcess } from '../transport/NatsServerProcess.js';
import { LocalClusterLauncher } from './LocalClusterLauncher.js';
import { LocalThreadsBackend } from './LocalThreadsBackend.js';
import { NatsSchedulerBackend, type NatsEndpoint } from './NatsSchedulerBackend.js';
import { parseDurationMs } from './parseDuration.js';
import type { Master } from './parseMaster.js';

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
  readonly cacheLocations: { executorsFor(rddId: number, partition: number): readonly string[] };
  /** Fails the running jobs: executors are gone for good. */
  readonly failAllJobs: (reason: string) => void;
}

/**
 * The SchedulerBackend a master asks for: worker threads for `local[N]`; executor processes
 * over NATS for `local-cluster[N]`, with a nats-server of its own unless `kuberdd.nats.url`
 * names one (credentials then come from KUBERDD_NATS_USER / _PASSWORD / _TOKEN / _TLS_*).
 * Settings are checked here, before anything starts.
 */
export function createSchedulerBackend(s: BackendSettings): SchedulerBackend {
  if (s.master.kind === 'local') {
    return new LocalThreadsBackend(s.master.threads, s.localDir, s.logger, s.slotsPerThread, s.storageBytes, s.shuffleSpillBytes);
  }
  const { executors, cores, memoryMiB } = s.master;
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
  const url = s.getConf('kuberdd.nats.url');
  // Checked now, so a bad URL fails the constructor rather than the first job.
  const configured = url === undefined ? undefined : parseNatsConnectOptions({ '--nats': url }, process.env);
  const nats = async (): Promise<NatsEndpoint> => {
    if (configured !== undefined) return { options: configured, release: async () => {} };
    const server = await NatsServerProcess.start({ logger: s.logger });
    s.logger.debug('started nats-server for local-cluster', { url: server.url, pid: server.pid });
    return { options: { servers: server.url }, release: () => server.stop() };
  };
  return new NatsSchedulerBackend({
    appId: s.appId,
    secret: new Uint8Array(randomBytes(32)),
    executors,
    coresPerExecutor: cores,
    launcher: new LocalClusterLauncher({ cores, memoryMiB, localDir: path.join(s.localDir, 'executors'), logger: s.logger }),
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
    ...(maxReplacements === undefined ? {} : { maxReplacements }),
  });
}
