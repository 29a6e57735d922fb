import { decode } from '../common/codec/codec.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import type { Logger } from '../common/logging/Logger.js';
import {
  decodeControlMessage,
  encodeControlMessage,
  EXECUTOR_PROTOCOL_VERSION,
  parseTaskStatusUpdate,
  type ControlMessage,
  type ControlMessages,
  type ControlType,
  type AdoptedBlock,
  type ExecutorSettings,
  type HeldCachedBlock,
  type HeldMapOutput,
} from '../executor/ExecutorProtocol.js';
import { RefusalLog } from '../executor/RefusalLog.js';
import { StagedPayloads } from '../executor/StagedPayloads.js';
import { emptyTaskMetrics } from '../engine/TaskMetrics.js';
import type { SchedulerBackend, TaskSchedulerCallbacks, WorkerOffer } from '../scheduler/SchedulerBackend.js';
import type { TaskDescription } from '../scheduler/TaskDescription.js';
import type { BlockUpdate, TaskStatusUpdate } from '../scheduler/TaskStatusUpdate.js';
import { durableShuffleBucket } from '../shuffle/durableShuffleBucket.js';
import { BlockFetcher } from '../transport/BlockFetcher.js';
import { serveBlocks } from '../transport/BlockServer.js';
import { DEFAULT_CONTROL_MAX_AGE_MS } from '../transport/ControlCodec.js';
import { JetStreamBlobStore } from '../transport/JetStreamBlobStore.js';
import { MessageBus, type IncomingMessage, type Subscription } from '../transport/MessageBus.js';
import type { NatsConnectOptions } from '../transport/NatsConnectOptions.js';
import { ReplayGuard } from '../transport/ReplayGuard.js';
import { driverBlocksSubject, driverSubject, executorBlocksSubject, executorSubject } from '../transport/subjects.js';
import type { ExecutorLauncher } from './ExecutorLauncher.js';

/** Where the NATS server is, and how to let go of it (stopping it, if the driver started it). */
export interface NatsEndpoint {
  readonly options: NatsConnectOptions;
  release(): Promise<void>;
}

export interface NatsSchedulerBackendOptions {
  readonly appId: string;
  /** 32 random bytes per application: signs every control message both ways. */
  readonly secret: Uint8Array;
  /** Executors to keep running. */
  readonly executors: number;
  /** Task slots each executor is expected to offer (for defaultParallelism before they register). */
  readonly coresPerExecutor: number;
  readonly launcher: ExecutorLauncher;
  /** Called once, by start(): connects to (or starts) NATS. */
  readonly nats: () => Promise<NatsEndpoint>;
  /** Which executors cache a partition (the driver's CacheTracker), for executors' lookups. */
  readonly cacheLocations: {
    executorsFor(rddId: number, partition: number): readonly string[];
    recordBlockUpdates(executorId: string, updates: readonly { rddId: number; partition: number; bytes: number; level: string }[]): void;
  };
  readonly logger: Logger;
  /** `kuberdd.executor.heartbeatInterval`; default 1 s. */
  readonly heartbeatIntervalMs?: number;
  /** `kuberdd.executor.heartbeatTimeout`: an executor silent this long is lost; default 10 s. */
  readonly heartbeatTimeoutMs?: number;
  /** `kuberdd.executor.driverTimeout`: an executor that hears nothing from the driver this long exits; default 60 s. */
  readonly driverTimeoutMs?: number;
  /** How long start() waits for the executors to register; default 60 s. */
  readonly registrationTimeoutMs?: number;
  /** How long a block fetch waits for one chunk; default 15 s. */
  readonly fetchTimeoutMs?: number;
  readonly storageBytes?: number | undefined;
  readonly shuffleSpillBytes?: number | undefined;
  /** `kuberdd.shuffle.durable`: executors also store map outputs in JetStream; the driver removes them. */
  readonly durableShuffle?: boolean;
  /** Executors started to replace lost ones, at most (`kuberdd.executor.maxReplacements`); default 2 × executors + 2. */
  readonly maxReplacements?: number;
  /** Called when every executor is gone and no more will be started: running jobs cannot finish. */
  readonly onAllExecutorsLost?: (reason: string) => void;
  /** An executor of an earlier driver attempt registered, offering the map outputs it still holds. */
  readonly onMapOutputsOffered?: (executorId: string, outputs: readonly HeldMapOutput[]) => void;
  /** Likewise, the cached partitions it kept. */
  readonly onCachedBlocksOffered?: (executorId: string, blocks: readonly HeldCachedBlock[]) => void;
}

interface RemoteExecutor {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly cores: number;
  /** Tasks launched on it and not yet reported finished: when each was launched, and whether its (staged) status arrived. */
  readonly running: Map<number, { readonly launched: number; reported: boolean }>;
  lastHeard: number;
  /** Its task thread is up (its first heartbeat arrived): it gets offers and counts as added. */
  active: boolean;
}

const DRIVER_TYPES = ['register', 'heartbeat', 'started', 'status', 'fetch', 'canCommit', 'locateBlock', 'replicaTarget', 'replicaStored'] as const;
/** How long a restarted driver waits for an executor to store the cached partitions it kept (it writes them to memory or disk). */
const ADOPT_TIMEOUT_MS = 90_000;
/** Room for the envelope when deciding whether a payload fits in one message. */
const ENVELOPE_ROOM = 4096;

/**
 * The driver's side of executors that are processes (local-cluster) or pods (Kubernetes),
 * reached over NATS. Executors register themselves (`register`, answered with their settings)
 * and then count as added; each offers `cores + 1` slots (one task queued ahead, so its task
 * thread never waits for the driver between tasks). Launches, kills and removals are signed
 * messages on the executor's subject; statuses, heartbeats and requests arrive on the driver's
 * subject, signed too. Anything unsigned, badly signed or malformed is logged and dropped.
 *
 * An executor is lost when its heartbeats stop for `heartbeatTimeoutMs` or its launcher
 * reports it gone; its tasks are rescheduled and its outputs forgotten (the DAG scheduler
 * recomputes what is needed), anything it says afterwards is ignored, and a replacement is
 * launched.
 */
export class NatsSchedulerBackend implements SchedulerBackend {
  readonly #o: NatsSchedulerBackendOptions;
  readonly #log: Logger;
  readonly #executors = new Map<string, RemoteExecutor>();
  /** Executors given up on: their late messages are ignored. */
  readonly #lost = new Set<string>();
  readonly #staged = new StagedPayloads();
  readonly #replays = new ReplayGuard(DEFAULT_CONTROL_MAX_AGE_MS);
  readonly #subscriptions: Subscription[] = [];
  readonly #refusals: RefusalLog;
  #callbacks: TaskSchedulerCallbacks | undefined;
  #bus: MessageBus | undefined;
  #fetcher: BlockFetcher | undefined;
  #nats: NatsEndpoint | undefined;
  #durableStore: Promise<JetStreamBlobStore> | undefined;
  #monitor: NodeJS.Timeout | undefined;
  #reviveScheduled = false;
  /** The driver itself is cut off from NATS: executors' silence means nothing meanwhile. */
  #disconnected = false;
  #stopped = false;
  #replacements = 0;
  /** Wakes start() as executors register or the launcher reports them gone. */
  #registrationChanged: (() => void) | undefined;
  readonly #launchFailures: string[] = [];

  constructor(options: NatsSchedulerBackendOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.#refusals = new RefusalLog(options.logger);
  }

  /** The NATS server's URL, once start() connected (or started) it. */
  get natsUrl(): string | undefined {
    return this.#nats?.options.servers;
  }

  get heartbeatTimeoutMs(): number {
    return this.#o.heartbeatTimeoutMs ?? 10_000;
  }

  async start(callbacks: TaskSchedulerCallbacks): Promise<void> {
    this.#callbacks = callbacks;
    const { appId } = this.#o;
    this.#nats = await this.#o.nats();
    // The connection's own news (connected, reconnected) is detail on a driver's console.
    const bus = await MessageBus.connect({ ...this.#nats.options, name: `kuberdd-driver-${appId}` }, infoAsDebug(this.#log));
    this.#bus = bus;
    this.#fetcher = new BlockFetcher(bus, { chunkTimeoutMs: this.#o.fetchTimeoutMs ?? 15_000 });
    this.#subscriptions.push(bus.subscribe(driverSubject(appId), (msg) => this.#onMessage(msg)));
    bus.onStatus((status) => {
      if (status === 'disconnected') this.#disconnected = true;
      if (status !== 'reconnected') return;
      // Executors were silent because the driver was cut off, not because they died: start their clocks again.
      this.#disconnected = false;
      const now = Date.now();
      for (const ex of this.#executors.values()) ex.lastHeard = now;
    });
    this.#subscriptions.push(serveBlocks(bus, driverBlocksSubject(appId), this.#staged, this.#log));
    await bus.flush();
    this.#o.launcher.onExecutorExit?.((id, reason) => this.#onExecutorExit(id, reason));
    const checkEvery = Math.max(50, Math.min(1_000, Math.floor(this.heartbeatTimeoutMs / 4)));
    this.#monitor = setInterval(() => this.#checkHeartbeats(), checkEvery);
    await this.#o.launcher.launch(this.#o.executors, this.#executorEnv());
    await this.#awaitRegistrations();
  }

  defaultParallelism(): number {
    let cores = 0;
    for (const ex of this.#executors.values()) if (ex.active) cores += ex.cores;
    return Math.max(1, cores > 0 ? cores : this.#o.executors * this.#o.coresPerExecutor);
  }

  reviveOffers(): void {
    if (this.#reviveScheduled || this.#stopped) return;
    this.#reviveScheduled = true;
    queueMicrotask(() => {
      this.#reviveScheduled = false;
      this.#makeOffers();
    });
  }

  killTask(taskId: number, executorId: string, reason: string): void {
    if (this.#executors.has(executorId)) this.#sendTo(executorId, 'kill', { taskId, reason });
  }

  /**
   * Has an executor of an earlier driver attempt store the cached partitions it kept as
   * partitions of this driver's RDDs; returns those it stored (none when it does not answer).
   */
  async adoptCachedBlocks(executorId: string, blocks: readonly AdoptedBlock[], timeoutMs = ADOPT_TIMEOUT_MS): Promise<readonly BlockUpdate[]> {
    if (this.#bus === undefined || !this.#executors.has(executorId) || blocks.length === 0) return [];
    try {
      const data = await this.#bus.request(executorSubject(this.#o.appId, executorId), encodeControlMessage('adoptBlocks', { blocks }, this.#o.secret), { timeoutMs });
      const answer = decodeControlMessage(data, this.#o.secret, ['adoptedBlocks']);
      if (!answer.ok) throw new Error(`bad answer: ${answer.reason}`);
      return answer.value.body.stored;
    } catch (error) {
      this.#log.warn('an executor did not take over its cached partitions; they are recomputed', { executorId, error: String((error as Error).message ?? error) });
      return [];
    }
  }

  removeRdd(rddId: number): void {
    for (const id of this.#executors.keys()) this.#sendTo(id, 'removeRdd', { rddId });
  }

  removeShuffle(shuffleId: number): void {
    for (const id of this.#executors.keys()) this.#sendTo(id, 'removeShuffle', { shuffleId });
    if (this.#o.durableShuffle === true) {
      void this.#durableBlobs()
        .then((store) => store.deletePrefix(`shuffle_${shuffleId}_`))
        .catch((error: unknown) => this.#log.warn('cannot remove the durable outputs of a shuffle from JetStream', { shuffleId, error }));
    }
  }

  /** The app's durable shuffle bucket (connected on first use). */
  #durableBlobs(): Promise<JetStreamBlobStore> {
    this.#durableStore ??= JetStreamBlobStore.connect(this.#nats!.options, { bucket: durableShuffleBucket(this.#o.appId) });
    return this.#durableStore;
  }

  removeBroadcast(broadcastId: number): void {
    for (const id of this.#executors.keys()) this.#sendTo(id, 'removeBroadcast', { broadcastId });
  }

  /** Asks every executor to stop, stops the launcher (and so every executor it started) and lets go of NATS. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#monitor !== undefined) clearInterval(this.#monitor);
    this.#registrationChanged?.();
    for (const id of this.#executors.keys()) this.#sendTo(id, 'shutdown', { reason: 'the application is stopping' });
    // Not for long: with NATS down a flush waits for the reconnection, and the launcher ends its executors anyway.
    await Promise.race([this.#bus?.flush().catch(() => {}), new Promise((r) => setTimeout(r, 1_000).unref())]);
    try {
      await this.#o.launcher.stop();
    } finally {
      if (this.#o.durableShuffle === true && this.#nats !== undefined) {
        // The outputs die with the application: delete the whole bucket.
        await this.#durableBlobs()
          .then(async (store) => {
            await store.destroy();
            await store.close();
          })
          .catch((error: unknown) => this.#log.warn('cannot delete the durable shuffle bucket from JetStream', { error }));
      }
      for (const s of this.#subscriptions) s.unsubscribe();
      this.#staged.clear();
      this.#executors.clear();
      try {
        await this.#bus?.close();
      } finally {
        await this.#nats?.release();
      }
    }
  }

  // ---- Registration and loss ------------------------------------------------------------------------

  #executorEnv(): Record<string, string> {
    const nats = this.#nats!.options;
    return {
      KUBERDD_APP_ID: this.#o.appId,
      KUBERDD_SECRET: Buffer.from(this.#o.secret).toString('hex'),
      KUBERDD_NATS_URL: nats.servers,
      ...(nats.user === undefined ? {} : { KUBERDD_NATS_USER: nats.user }),
      ...(nats.pass === undefined ? {} : { KUBERDD_NATS_PASSWORD: nats.pass }),
      ...(nats.token === undefined ? {} : { KUBERDD_NATS_TOKEN: nats.token }),
      ...(nats.tls?.caFile === undefined ? {} : { KUBERDD_NATS_TLS_CA: nats.tls.caFile }),
      ...(nats.tls?.certFile === undefined ? {} : { KUBERDD_NATS_TLS_CERT: nats.tls.certFile }),
      ...(nats.tls?.keyFile === undefined ? {} : { KUBERDD_NATS_TLS_KEY: nats.tls.keyFile }),
    };
  }

  /** Waits until every executor registered; fails if none does in time (or all of them died first). */
  async #awaitRegistrations(): Promise<void> {
    const timeoutMs = this.#o.registrationTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const active = (): number => [...this.#executors.values()].filter((ex) => ex.active).length;
    while (!this.#stopped && active() < this.#o.executors) {
      const left = deadline - Date.now();
      const allFailed = this.#executors.size === 0 && this.#launchFailures.length >= this.#o.executors && this.#replacements >= this.#maxReplacements();
      if (left <= 0 || allFailed) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#registrationChanged = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#registrationChanged = undefined;
    }
    if (this.#stopped || active() >= this.#o.executors) return;
    const why = this.#launchFailures.length > 0 ? `: ${this.#launchFailures.slice(-3).join('; ')}` : '';
    if (active() === 0) {
      throw new KuberddError(
        'EXECUTORS_FAILED',
        `none of the ${this.#o.executors} executors registered with the driver within ${Math.round(timeoutMs / 1000)} s${why}`,
      );
    }
    this.#log.warn('not every executor registered in time; going on with those that did', {
      registered: active(),
      wanted: this.#o.executors,
    });
  }

  #register(msg: IncomingMessage, body: ControlMessages['register']): void {
    const refuse = (reason: string): void => {
      this.#log.warn('refused an executor', { executorId: body.executorId, reason });
      this.#reply(msg, 'registered', { accepted: false, reason });
    };
    if (body.protocolVersion !== EXECUTOR_PROTOCOL_VERSION) {
      return refuse(`it speaks executor protocol ${body.protocolVersion}, this driver ${EXECUTOR_PROTOCOL_VERSION}: run the same kuberdd version on both`);
    }
    if (this.#lost.has(body.executorId)) return refuse(`executor ${body.executorId} was declared lost; a lost executor never comes back`);
    if (this.#stopped) return refuse('the application is stopping');
    const known = this.#executors.get(body.executorId);
    if (known !== undefined) {
      // A retried registration whose first answer was lost: answer again.
      if (known.pid === body.pid && known.host === body.host) this.#reply(msg, 'registered', { accepted: true, settings: this.#settings() });
      else refuse(`another executor already registered as ${body.executorId}`);
      return;
    }
    const ex: RemoteExecutor = { id: body.executorId, host: body.host, pid: body.pid, cores: body.cores, running: new Map(), lastHeard: Date.now(), active: false };
    this.#executors.set(ex.id, ex);
    // Offered before the executor counts as added (its first heartbeat), so before jobs can use it.
    if (body.mapOutputs !== undefined && body.mapOutputs.length > 0) {
      const outputs = body.mapOutputs.filter((o) => o.status.executorId === ex.id);
      this.#log.info('an executor of an earlier driver attempt offers its map outputs', { executorId: ex.id, mapOutputs: outputs.length });
      this.#o.onMapOutputsOffered?.(ex.id, outputs);
    }
    if (body.cachedBlocks !== undefined && body.cachedBlocks.length > 0) {
      this.#log.info('an executor of an earlier driver attempt offers its cached partitions', { executorId: ex.id, cachedBlocks: body.cachedBlocks.length });
      this.#o.onCachedBlocksOffered?.(ex.id, body.cachedBlocks);
    }
    this.#reply(msg, 'registered', { accepted: true, settings: this.#settings() });
    this.#log.debug('executor registered', { executorId: ex.id, host: ex.host, pid: ex.pid, cores: ex.cores });
  }

  /** Its first heartbeat: the executor's task thread is up, so it may be sent tasks. */
  #activate(ex: RemoteExecutor): void {
    ex.active = true;
    this.#log.debug('executor ready', { executorId: ex.id });
    this.#callbacks!.executorAdded(ex.id, ex.host, ex.cores);
    this.#registrationChanged?.();
  }

  #settings(): ExecutorSettings {
    return {
      heartbeatIntervalMs: this.#o.heartbeatIntervalMs ?? 1_000,
      driverTimeoutMs: this.#o.driverTimeoutMs ?? 60_000,
      fetchTimeoutMs: this.#o.fetchTimeoutMs ?? 15_000,
      storageBytes: this.#o.storageBytes,
      shuffleSpillBytes: this.#o.shuffleSpillBytes,
      ...(this.#o.durableShuffle === true ? { durableShuffle: true } : {}),
    };
  }

  #checkHeartbeats(): void {
    if (this.#disconnected) return;
    const now = Date.now();
    for (const ex of [...this.#executors.values()]) {
      const silent = now - ex.lastHeard;
      // Until its task thread is up, an executor is allowed the registration timeout (loading code may take a while).
      const allowed = ex.active ? this.heartbeatTimeoutMs : Math.max(this.heartbeatTimeoutMs, this.#o.registrationTimeoutMs ?? 60_000);
      if (silent > allowed) this.#lose(ex.id, `no heartbeat for ${(silent / 1000).toFixed(1)} s`, true);
    }
  }

  #onExecutorExit(executorId: string, reason: string): void {
    if (this.#stopped) return;
    if (this.#executors.has(executorId)) {
      this.#lose(executorId, reason, false);
      return;
    }
    if (this.#lost.has(executorId)) return; // already replaced
    // It never registered (a bad setting, a crash while starting).
    this.#launchFailures.push(`${executorId} ${reason}`);
    this.#log.error('executor ended before registering', { executorId, reason });
    this.#lost.add(executorId);
    this.#replace();
    this.#registrationChanged?.();
  }

  #lose(executorId: string, reason: string, stillRunning: boolean): void {
    const ex = this.#executors.get(executorId);
    if (ex === undefined || this.#stopped) return;
    this.#executors.delete(executorId);
    this.#lost.add(executorId);
    this.#log.warn('executor lost', { executorId, reason, runningTasks: ex.running.size });
    this.#launchFailures.push(`${executorId} ${reason}`);
    this.#registrationChanged?.();
    if (stillRunning) {
      // It may only be cut off: tell it to go, and make sure it does.
      this.#sendTo(executorId, 'shutdown', { reason: `the driver gave up on it: ${reason}` }, true);
      this.#o.launcher.killExecutor?.(executorId);
    }
    this.#callbacks!.executorLost(executorId, reason);
    // Tasks elsewhere may be waiting on fetches from it: let them fail now rather than time out.
    for (const id of this.#executors.keys()) this.#sendTo(id, 'executorLost', { executorId, reason });
    this.#replace();
  }

  #maxReplacements(): number {
    return this.#o.maxReplacements ?? 2 * this.#o.executors + 2;
  }

  #replace(): void {
    if (this.#stopped) return;
    if (this.#replacements >= this.#maxReplacements()) {
      this.#log.error('too many executors were lost; not starting more', { replaced: this.#replacements });
      if (this.#executors.size === 0) {
        const last = this.#launchFailures.slice(-2).join('; ');
        this.#o.onAllExecutorsLost?.(`every executor was lost and ${this.#replacements} replacements were used up${last === '' ? '' : ` (last: ${last})`}`);
      }
      return;
    }
    this.#replacements++;
    this.#o.launcher.launch(1, this.#executorEnv()).catch((error: unknown) => {
      this.#log.error('could not start a replacement executor', { error: String((error as Error).message ?? error) });
    });
  }

  // ---- Messages from executors ---------------------------------------------------------------------

  #onMessage(msg: IncomingMessage): void {
    const decoded = decodeControlMessage(msg.data, this.#o.secret, DRIVER_TYPES, this.#replays);
    if (!decoded.ok) return this.#refusals.refused(msg.subject, decoded.reason);
    const m = decoded.value;
    if (m.type === 'register') return this.#register(msg, m.body);
    const ex = this.#executors.get(m.body.executorId);
    if (ex === undefined) {
      if (m.type === 'heartbeat') this.#reply(msg, 'heartbeatReply', { known: false });
      else this.#log.debug('ignored a message from an unknown or lost executor', { type: m.type, executorId: m.body.executorId });
      return;
    }
    ex.lastHeard = Date.now();
    this.#handle(ex, msg, m);
  }

  #handle(ex: RemoteExecutor, msg: IncomingMessage, m: Exclude<ControlMessage, { type: 'register' }>): void {
    const callbacks = this.#callbacks!;
    switch (m.type) {
      case 'heartbeat':
        this.#reply(msg, 'heartbeatReply', { known: true });
        if (!ex.active) this.#activate(ex);
        this.#reconcile(ex, m.body.runningTasks);
        return;
      case 'started':
        if (ex.running.has(m.body.taskId)) callbacks.taskStarted(m.body.taskId);
        return;
      case 'status':
        if (!ex.running.has(m.body.taskId)) {
          this.#log.debug('ignored the status of a task not running there', { executorId: ex.id, taskId: m.body.taskId });
          return;
        }
        if (m.body.update !== undefined) {
          this.#finished(ex, m.body.update);
        } else {
          ex.running.get(m.body.taskId)!.reported = true;
          void this.#fetchStatus(ex, m.body.taskId, m.body.staged!.blockId);
        }
        return;
      case 'fetch':
        this.#reply(msg, 'payload', this.#payload(ex.id, m.body.what, m.body.key));
        return;
      case 'canCommit':
        if (m.body.request.executorId !== ex.id) {
          this.#reply(msg, 'commitDecision', { allowed: false, reason: `executor ${ex.id} asked on behalf of ${m.body.request.executorId}` });
          return;
        }
        this.#reply(msg, 'commitDecision', callbacks.canCommit(m.body.request));
        return;
      case 'locateBlock': {
        const holders = this.#o.cacheLocations.executorsFor(m.body.rddId, m.body.partition).filter((id) => id !== ex.id && this.#executors.has(id));
        this.#reply(msg, 'blockLocations', { executorIds: holders });
        return;
      }
      case 'replicaTarget':
        this.#reply(msg, 'blockLocations', { executorIds: this.#replicaTarget(ex.id, m.body.rddId, m.body.partition) });
        return;
      case 'replicaStored': {
        const { rddId, partition, bytes, level } = m.body;
        this.#o.cacheLocations.recordBlockUpdates(ex.id, [{ rddId, partition, bytes, level }]);
        this.#reply(msg, 'blockLocations', { executorIds: this.#o.cacheLocations.executorsFor(rddId, partition) });
        return;
      }
    }
  }

  /**
   * Where the second copy of a `_2` partition `from` stored goes: a live executor that holds
   * none, chosen at random (spreading copies); none when another live executor has one already.
   */
  #replicaTarget(from: string, rddId: number, partition: number): string[] {
    const holders = this.#o.cacheLocations.executorsFor(rddId, partition);
    if (holders.some((id) => id !== from && this.#executors.get(id)?.active === true)) return [];
    const candidates = [...this.#executors.values()].filter((e) => e.active && e.id !== from && !holders.includes(e.id));
    const pick = candidates[Math.floor(Math.random() * candidates.length)];
    return pick === undefined ? [] : [pick.id];
  }

  /**
   * Tasks the driver launched there that the executor does not list as running (and has not
   * reported): their launch or their status was lost (a message in flight when NATS restarted).
   * They end as killed, so they run again without counting as failures.
   */
  #reconcile(ex: RemoteExecutor, runningThere: readonly number[]): void {
    const grace = Math.max(2 * (this.#o.heartbeatIntervalMs ?? 1_000), 2_000);
    const listed = new Set(runningThere);
    const now = Date.now();
    for (const [taskId, t] of [...ex.running]) {
      if (t.reported || listed.has(taskId) || now - t.launched < grace) continue;
      this.#log.warn('a task launch or its status was lost in transit; running it again', { executorId: ex.id, taskId });
      this.#finished(ex, {
        taskId,
        executorId: ex.id,
        state: 'failed',
        error: { name: 'TaskLost', message: `task ${taskId} was lost in transit to or from executor ${ex.id}`, killed: true },
        accumUpdates: [],
        metrics: emptyTaskMetrics(),
        blockUpdates: [],
      });
    }
  }

  #finished(ex: RemoteExecutor, update: TaskStatusUpdate): void {
    if (!ex.running.delete(update.taskId)) return;
    this.#callbacks!.statusUpdate(update);
  }

  /** A status too large for a message: fetched from the executor; if that fails, the task's result is lost and it runs again. */
  async #fetchStatus(ex: RemoteExecutor, taskId: number, blockId: string): Promise<void> {
    let update: TaskStatusUpdate;
    try {
      const bytes = await this.#fetcher!.fetchAll(executorBlocksSubject(this.#o.appId, ex.id), blockId);
      update = parseTaskStatusUpdate(decode(bytes));
      if (update.taskId !== taskId || update.executorId !== ex.id) throw new Error(`it describes task ${update.taskId} on ${update.executorId}`);
      this.#log.debug('fetched a task status too large for a message', { executorId: ex.id, taskId, bytes: bytes.byteLength });
    } catch (error) {
      this.#log.warn('could not fetch a task result', { executorId: ex.id, taskId, error: String((error as Error).message ?? error) });
      update = {
        taskId,
        executorId: ex.id,
        state: 'failed',
        error: { name: 'TaskResultLost', message: `the result of task ${taskId} could not be fetched from executor ${ex.id}: ${String((error as Error).message ?? error)}` },
        accumUpdates: [],
        metrics: emptyTaskMetrics(),
        blockUpdates: [],
      };
    }
    // Lost meanwhile: its tasks were rescheduled already.
    if (this.#executors.get(ex.id) === ex) this.#finished(ex, update);
  }

  #payload(executorId: string, what: 'broadcast' | 'stageBinary', key: string): ControlMessages['payload'] {
    let bytes: Uint8Array | undefined;
    try {
      if (what === 'broadcast') {
        const id = Number(key);
        if (!Number.isSafeInteger(id) || id < 0) return { error: `${JSON.stringify(key)} is not a broadcast id` };
        bytes = this.#callbacks!.fetchBroadcast(id, executorId);
      } else {
        bytes = this.#callbacks!.fetchStageBinary(key);
        if (bytes === undefined) return { error: `stage binary ${key} is no longer available` };
      }
    } catch (error) {
      return { error: String((error as Error).message ?? error) };
    }
    if (bytes.byteLength + ENVELOPE_ROOM <= this.#bus!.maxPayload) return { bytes };
    this.#log.debug('serving a payload too large for a message as a block', { executorId, what, key, bytes: bytes.byteLength });
    return { staged: this.#staged.stage(bytes) };
  }

  // ---- Offers and launches --------------------------------------------------------------------------

  #makeOffers(): void {
    if (this.#stopped || this.#callbacks === undefined) return;
    const offers: WorkerOffer[] = [];
    for (const ex of this.#executors.values()) {
      if (!ex.active) continue;
      const free = ex.cores + 1 - ex.running.size;
      if (free > 0) offers.push({ executorId: ex.id, host: ex.host, freeSlots: free });
    }
    if (offers.length === 0) return;
    for (const task of this.#callbacks.resourceOffers(offers)) this.#launch(task);
  }

  #launch(task: TaskDescription): void {
    const ex = this.#executors.get(task.executorId);
    if (ex === undefined) return;
    ex.running.set(task.taskId, { launched: Date.now(), reported: false });
    let data = encodeControlMessage('launch', { task }, this.#o.secret);
    if (data.byteLength + ENVELOPE_ROOM > this.#bus!.maxPayload && task.binary !== undefined) {
      // A large stage binary (big parallelize() data, large closures): the executor asks for it.
      data = encodeControlMessage('launch', { task: { ...task, binary: undefined } }, this.#o.secret);
      this.#log.debug('launching without the stage binary, too large for a message', { taskId: task.taskId, binaryId: task.binaryId });
    }
    this.#send(executorSubject(this.#o.appId, ex.id), data);
  }

  // ---- Plumbing ------------------------------------------------------------------------------------------

  #sendTo<K extends ControlType>(executorId: string, type: K, body: ControlMessages[K], evenIfLost = false): void {
    if (!evenIfLost && !this.#executors.has(executorId)) return;
    this.#send(executorSubject(this.#o.appId, executorId), encodeControlMessage(type, body, this.#o.secret));
  }

  #reply<K extends ControlType>(msg: IncomingMessage, type: K, body: ControlMessages[K]): void {
    if (msg.reply === undefined) return;
    try {
      msg.respond(encodeControlMessage(type, body, this.#o.secret));
    } catch (error) {
      this.#log.warn('could not answer an executor', { type, error: String(error) });
    }
  }

  #send(subject: string, data: Uint8Array): void {
    try {
      this.#bus?.publish(subject, data);
    } catch (error) {
      this.#log.warn('could not message an executor', { subject, error: String(error) });
    }
  }
}

function infoAsDebug(log: Logger): Logger {
  return { ...log, info: (message, fields) => log.debug(message, fields), child: (fields) => infoAsDebug(log.child(fields)) };
}
