import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { encode } from '../common/codec/codec.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import type { Logger } from '../common/logging/Logger.js';
import type { CommitRequest } from '../engine/output/PendingCommit.js';
import type { TaskStatusUpdate } from '../scheduler/TaskStatusUpdate.js';
import { durableShuffleBucket } from '../shuffle/durableShuffleBucket.js';
import { DURABLE_SHUFFLE_EXECUTOR_ID } from '../shuffle/MapStatus.js';
import { BlockFetchError } from '../transport/BlockFetchError.js';
import { BlockFetcher } from '../transport/BlockFetcher.js';
import { serveBlocks } from '../transport/BlockServer.js';
import { DEFAULT_CONTROL_MAX_AGE_MS } from '../transport/ControlCodec.js';
import { JetStreamBlobStore } from '../transport/JetStreamBlobStore.js';
import { MessageBus, type IncomingMessage, type Subscription } from '../transport/MessageBus.js';
import type { NatsConnectOptions } from '../transport/NatsConnectOptions.js';
import { ReplayGuard } from '../transport/ReplayGuard.js';
import { TransportError } from '../transport/TransportError.js';
import { driverBlocksSubject, driverSubject, executorBlocksSubject, executorSubject } from '../transport/subjects.js';
import { BlockReplicator } from './BlockReplicator.js';
import { ExecutorBlockSource } from './ExecutorBlockSource.js';
import {
  decodeControlMessage,
  encodeControlMessage,
  EXECUTOR_PROTOCOL_VERSION,
  type ControlMessages,
  type ControlType,
  type ExecutorSettings,
  type AdoptedBlock,
  type HeldCachedBlock,
  type HeldMapOutput,
  type StagedPayload,
} from './ExecutorProtocol.js';
import { FetchChannelServer } from './FetchChannelServer.js';
import type { BlockToAdopt, HeldBlockFile } from './HeldBlockFiles.js';
import { RefusalLog } from './RefusalLog.js';
import { StagedPayloads } from './StagedPayloads.js';
import type { FetchTarget, FromTaskWorker, TaskWorkerData, ToTaskWorker } from './TaskWorkerMessage.js';

export interface ExecutorProcessOptions {
  readonly appId: string;
  readonly executorId: string;
  /** Task slots offered to the driver. */
  readonly cores: number;
  /** The application's secret: every control message is signed and checked with it. */
  readonly secret: Uint8Array;
  readonly nats: NatsConnectOptions;
  /** Where the executor's own directory (shuffle files, disk blocks, task temp files) is made. */
  readonly localDir: string;
  /** Heap limit of the task thread, in MiB; undefined: Node's default. */
  readonly memoryMiB?: number | undefined;
  readonly logger: Logger;
  /** How long to keep trying to register before giving up; default 60 s. */
  readonly registrationTimeoutMs?: number;
}

/** Why an executor process ended. */
export type ExecutorExit =
  | { readonly kind: 'shutdown'; readonly reason: string }
  | { readonly kind: 'driverLost'; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

const REQUEST_TIMEOUT_MS = 5_000;
/** Requests a task waits on are tried this often before the task fails (a message in flight is lost when NATS restarts). */
const REQUEST_ATTEMPTS = 4;
const REGISTER_ATTEMPT_MS = 2_000;
const EXPORT_TIMEOUT_MS = 5_000;
/** Writing the cached partitions to files when the driver is replaced: after this the restarted driver recomputes them. */
const HANDOVER_TIMEOUT_MS = 60_000;
/** Storing held partitions again for a restarted driver (it waits a little longer, then recomputes them). */
const ADOPT_TIMEOUT_MS = 60_000;
/** Room for the envelope when deciding whether a payload fits in one message. */
const ENVELOPE_ROOM = 4096;
/** Slots in the kill flags shared with the task thread (tasks it may hold at once). */
const INTERRUPT_SLOTS = 64;
/** Task fetches open at once; far above what readers prefetch, so a fetch a task waits for never queues behind paused ones. */
const TASK_FETCH_SLOTS = 256;
const TASK_YOUNG_GENERATION_MB = 96;
/** Times a paused segment fetch whose server session expired is restarted (skipping what was delivered). */
const SESSION_RESTARTS = 3;
/** Map outputs kept for a restarted driver are renamed to shuffle ids from here on, which no driver hands out. */
const HELD_SHUFFLE_ID_BASE = 1_000_000_000;

const fromSources = new URL(import.meta.url).pathname.endsWith('.ts');
const workerEntry = new URL(`./taskWorkerMain${fromSources ? '.ts' : '.js'}`, import.meta.url);

/**
 * An executor as a process of its own (`kuberdd executor`), reaching the driver and the other
 * executors only through NATS. Its main thread owns the connection: it registers with the
 * driver (retrying until the driver answers), sends heartbeats, serves this executor's map
 * outputs and staged payloads as blocks, relays launches, kills and removals to the task thread
 * and the task thread's requests (broadcasts, stage binaries, commits) to the driver, and runs
 * the fetches a task blocks on (FetchChannelServer). Tasks run one at a time on the task thread
 * (taskWorkerMain), as in local mode.
 *
 * It ends on the driver's `shutdown`, when the driver has not answered for
 * `driverTimeoutMs`, when the task thread dies, or on stop(); its directory is removed then.
 */
export class ExecutorProcess implements AsyncDisposable {
  readonly executorId: string;
  readonly localDir: string;
  /** Resolves when the executor ended, with why. */
  readonly exited: Promise<ExecutorExit>;
  readonly #o: ExecutorProcessOptions;
  readonly #log: Logger;
  readonly #bus: MessageBus;
  /** Made once the driver's settings (the fetch timeout) are known. */
  #fetcher: BlockFetcher | undefined;
  /** Fetches tasks block on: many may be open at once (prefetching), each paused while its task catches up. */
  #taskFetcher: BlockFetcher | undefined;
  /** Copies of `_2` partitions, pushed and received; made with the fetchers. */
  #replicator: BlockReplicator | undefined;
  readonly #staged = new StagedPayloads();
  readonly #replays = new ReplayGuard(DEFAULT_CONTROL_MAX_AGE_MS);
  readonly #subscriptions: Subscription[] = [];
  readonly #refusals: RefusalLog;
  readonly #running = new Set<number>();
  /** Requests to the task thread awaiting its answer, by request id. */
  readonly #workerRequests = new Map<number, (answer: FromTaskWorker) => void>();
  #nextWorkerRequest = 0;
  #settings: ExecutorSettings | undefined;
  /** `kuberdd.shuffle.durable`: the app's bucket of map outputs in JetStream (connected on first use). */
  #durableStore: Promise<JetStreamBlobStore> | undefined;
  #worker: Worker | undefined;
  #interrupt: Int32Array | undefined;
  #fetchServer: FetchChannelServer | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #heartbeatInFlight = false;
  #lastDriverContact = Date.now();
  #exit: ((exit: ExecutorExit) => void) | undefined;
  #stopping: Promise<void> | undefined;
  /** Map outputs written here, by data file, named by their shuffle's lineage identity: offered to a restarted driver. */
  readonly #held = new Map<string, HeldMapOutput>();
  /** Running shuffle map tasks whose binary names their shuffle's lineage identity. */
  readonly #taskIdentity = new Map<number, string>();
  #heldRenames = 0;
  /** Persisted RDDs of this driver's stages, by RDD id: their cached partitions are kept for a restarted driver. */
  readonly #rddIdentity = new Map<number, string>();
  /** Cached partitions kept in files for a restarted driver, by held id. */
  readonly #heldBlocks = new Map<number, HeldBlockFile>();
  #nextHeldId = 0;
  /** Registering with a new driver (the one it knew is gone): heartbeats wait. */
  #reattaching = false;

  private constructor(options: ExecutorProcessOptions, bus: MessageBus) {
    this.#o = options;
    this.executorId = options.executorId;
    this.#log = options.logger;
    this.#refusals = new RefusalLog(options.logger);
    this.#bus = bus;
    mkdirSync(options.localDir, { recursive: true });
    this.localDir = mkdtempSync(path.join(options.localDir, `kuberdd-${options.appId}-${options.executorId}-`));
    this.exited = new Promise((resolve) => (this.#exit = resolve));
  }

  /**
   * Connects to NATS, serves blocks, registers with the driver and starts the task thread.
   * Throws when NATS cannot be reached or the driver refuses or never answers.
   */
  static async start(options: ExecutorProcessOptions, signal?: AbortSignal): Promise<ExecutorProcess> {
    const bus = await MessageBus.connect({ ...options.nats, name: options.nats.name ?? `kuberdd-executor-${options.executorId}` }, options.logger, signal);
    const executor = new ExecutorProcess(options, bus);
    try {
      await executor.#start(signal);
    } catch (error) {
      await executor.stop({ kind: 'failed', reason: String((error as Error).message ?? error) });
      throw error;
    }
    return executor;
  }

  /** Stops the task thread, closes the connection and removes the executor's directory. */
  stop(exit: ExecutorExit = { kind: 'shutdown', reason: 'stopped' }): Promise<void> {
    this.#stopping ??= this.#stop(exit);
    return this.#stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  // ---- Start ---------------------------------------------------------------------------------------

  async #start(signal: AbortSignal | undefined): Promise<void> {
    const { appId, executorId } = this.#o;
    this.#subscriptions.push(this.#bus.subscribe(executorSubject(appId, executorId), (msg) => this.#onControl(msg)));
    this.#subscriptions.push(
      serveBlocks(this.#bus, executorBlocksSubject(appId, executorId), new ExecutorBlockSource(path.join(this.localDir, 'shuffle'), this.#staged), this.#log),
    );
    await this.#bus.flush();
    this.#settings = await this.#register(signal);
    throwIfAborted(signal);
    this.#fetcher = new BlockFetcher(this.#bus, { chunkTimeoutMs: this.#settings.fetchTimeoutMs });
    this.#taskFetcher = new BlockFetcher(this.#bus, { chunkTimeoutMs: this.#settings.fetchTimeoutMs, maxConcurrentFetches: TASK_FETCH_SLOTS });
    this.#replicator = new BlockReplicator({
      appId: this.#o.appId,
      executorId,
      secret: this.#o.secret,
      bus: this.#bus,
      staged: this.#staged,
      fetcher: this.#fetcher,
      requestDriver: this.#request.bind(this),
      toWorker: (msg) => this.#toWorker(msg),
      logger: this.#log,
    });
    this.#lastDriverContact = Date.now();
    await this.#startWorker(this.#settings, signal);
    // The first heartbeat tells the driver the task thread is up: only then is it sent tasks.
    void this.#sendHeartbeat();
    this.#heartbeat = setInterval(() => void this.#sendHeartbeat(), this.#settings.heartbeatIntervalMs);
    this.#log.info('executor running', { executorId, cores: this.#o.cores });
  }

  async #register(signal: AbortSignal | undefined, mapOutputs?: readonly HeldMapOutput[], cachedBlocks?: readonly HeldCachedBlock[]): Promise<ExecutorSettings> {
    const deadline = Date.now() + (this.#o.registrationTimeoutMs ?? 60_000);
    const body: ControlMessages['register'] = {
      executorId: this.executorId,
      host: hostname(),
      pid: process.pid,
      cores: this.#o.cores,
      protocolVersion: EXECUTOR_PROTOCOL_VERSION,
      ...(mapOutputs === undefined || mapOutputs.length === 0 ? {} : { mapOutputs }),
      ...(cachedBlocks === undefined || cachedBlocks.length === 0 ? {} : { cachedBlocks }),
    };
    let lastError = 'no answer';
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      throwIfAborted(signal);
      try {
        const reply = await this.#request('register', body, 'registered', Math.min(REGISTER_ATTEMPT_MS, Math.max(1, deadline - Date.now())));
        if (!reply.accepted) throw new KuberddError('EXECUTOR_REFUSED', `the driver refused executor ${this.executorId}: ${reply.reason ?? 'no reason given'}`);
        return reply.settings!;
      } catch (error) {
        if (error instanceof KuberddError && error.code === 'EXECUTOR_REFUSED') throw error;
        lastError = String((error as Error).message ?? error);
        if (attempt === 1 || attempt % 10 === 0) this.#log.info('driver not answering yet; retrying registration', { error: lastError });
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw new KuberddError('DRIVER_UNREACHABLE', `executor ${this.executorId} could not register with the driver of ${this.#o.appId}: ${lastError}`);
  }

  #startWorker(settings: ExecutorSettings, signal: AbortSignal | undefined): Promise<void> {
    const interrupt = new SharedArrayBuffer(4 * INTERRUPT_SLOTS);
    this.#interrupt = new Int32Array(interrupt);
    const fetchSignal = new SharedArrayBuffer(4);
    const channel = new MessageChannel();
    const data: TaskWorkerData = {
      executorId: this.executorId,
      localDir: this.localDir,
      interrupt,
      fetchPort: channel.port1,
      fetchSignal,
      // A task waits longer than any one fetch may take, so the fetch's own error is what it sees.
      fetchWaitMs: settings.fetchTimeoutMs * 3 + 5_000,
      ...(settings.storageBytes === undefined ? {} : { storageBytes: settings.storageBytes }),
      ...(settings.shuffleSpillBytes === undefined ? {} : { shuffleSpillBytes: settings.shuffleSpillBytes }),
    };
    // A larger young generation, as for local-mode threads (LocalThreadsBackend): tasks allocate
    // records fast and most die young.
    const resourceLimits = {
      maxYoungGenerationSizeMb: TASK_YOUNG_GENERATION_MB,
      ...(this.#o.memoryMiB === undefined ? {} : { maxOldGenerationSizeMb: this.#o.memoryMiB }),
    };
    const worker = startTaskWorker(data, resourceLimits);
    this.#worker = worker;
    this.#fetchServer = new FetchChannelServer(channel.port2, fetchSignal, (target, signal) => this.#fetchForTask(target, signal), this.#log);
    return new Promise((resolve, reject) => {
      let ready = false;
      // Loading the task thread's code takes a while; a stop meanwhile need not wait for it.
      const onAbort = (): void => reject(new KuberddError('ABORTED', 'the executor was stopped while its task thread was starting'));
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (batch: FromTaskWorker[]) => {
        for (const msg of batch) {
          if (msg.t === 'ready') {
            ready = true;
            signal?.removeEventListener('abort', onAbort);
            resolve();
          } else {
            this.#onWorker(msg);
          }
        }
      });
      worker.on('error', (error) => {
        this.#log.error('task thread crashed', { error: String(error.stack ?? error) });
        if (!ready) reject(error);
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new KuberddError('EXECUTOR_FAILED', `the task thread exited with code ${code} while starting`));
        // A task thread replaced on re-registration ends without ending the executor.
        if (this.#stopping === undefined && this.#worker === worker) void this.stop({ kind: 'failed', reason: `the task thread exited with code ${code}` });
      });
    });
  }

  // ---- Messages from the driver (and other executors) ----------------------------------------------

  #onControl(msg: IncomingMessage): void {
    const decoded = decodeControlMessage(msg.data, this.#o.secret, ['launch', 'kill', 'removeRdd', 'removeShuffle', 'removeBroadcast', 'shutdown', 'executorLost', 'exportBlock', 'replicateBlock', 'adoptBlocks'], this.#replays);
    if (!decoded.ok) {
      this.#refusals.refused(msg.subject, decoded.reason);
      return;
    }
    const m = decoded.value;
    if (m.type !== 'exportBlock' && m.type !== 'replicateBlock') this.#lastDriverContact = Date.now();
    switch (m.type) {
      case 'launch':
        if (m.body.task.executorId !== this.executorId) {
          this.#log.warn('refused a launch meant for another executor', { taskId: m.body.task.taskId, executorId: m.body.task.executorId });
          return;
        }
        this.#running.add(m.body.task.taskId);
        for (const { rddId, identity } of m.body.task.cachedRddIdentities ?? []) this.#rddIdentity.set(rddId, identity);
        if (m.body.task.kind === 'shuffleMap') {
          // `<stage>.<attempt>.<lineage identity>` when the driver names shuffles for reuse by a restarted driver.
          const identity = m.body.task.binaryId.split('.')[2];
          if (identity !== undefined && /^[0-9a-f]{16,128}$/.test(identity)) this.#taskIdentity.set(m.body.task.taskId, identity);
        }
        this.#toWorker({ t: 'launch', task: m.body.task });
        return;
      case 'kill':
        this.#kill(m.body.taskId);
        return;
      case 'removeRdd':
        this.#rddIdentity.delete(m.body.rddId);
        this.#toWorker({ t: 'removeRdd', rddId: m.body.rddId });
        return;
      case 'removeShuffle':
        for (const [file, held] of [...this.#held]) if (held.status.shuffleId === m.body.shuffleId) this.#held.delete(file);
        this.#toWorker({ t: 'removeShuffle', shuffleId: m.body.shuffleId });
        return;
      case 'removeBroadcast':
        this.#toWorker({ t: 'removeBroadcast', id: m.body.broadcastId });
        return;
      case 'shutdown':
        this.#log.info('driver asked the executor to stop', { reason: m.body.reason });
        void this.stop({ kind: 'shutdown', reason: m.body.reason });
        return;
      case 'executorLost': {
        const { executorId: lost, reason } = m.body;
        this.#fetchServer?.failWhere((t) => t.kind === 'segment' && t.executorId === lost, `executor ${lost} was lost: ${reason}`);
        this.#replicator?.executorLost(lost);
        return;
      }
      case 'exportBlock':
        void this.#export(msg, m.body.rddId, m.body.partition);
        return;
      case 'replicateBlock':
        // Before registration completes there is no replicator: the pusher times out and keeps one copy.
        if (this.#replicator !== undefined) void this.#replicator.receive(msg, m.body);
        return;
      case 'adoptBlocks':
        void this.#adoptBlocks(msg, m.body.blocks);
        return;
    }
  }

  #kill(taskId: number): void {
    const flags = this.#interrupt;
    // A task busy computing reads messages only between tasks: the kill also goes through shared memory.
    if (flags !== undefined && this.#running.has(taskId) && !flags.includes(taskId + 1)) {
      const free = flags.indexOf(0);
      if (free >= 0) Atomics.store(flags, free, taskId + 1);
    }
    this.#toWorker({ t: 'kill', taskId });
  }

  /** Another executor wants a cached partition; only an idle task thread can hand it over at once. */
  async #export(msg: IncomingMessage, rddId: number, partition: number): Promise<void> {
    const answer = (body: ControlMessages['exported']): void => {
      try {
        msg.respond(encodeControlMessage('exported', body, this.#o.secret));
      } catch (error) {
        this.#log.warn('could not answer a block export', { error: String(error) });
      }
    };
    if (this.#running.size > 0) return answer({ missing: 'the executor is running tasks' });
    const reply = await this.#askWorker((requestId) => ({ t: 'export', requestId, rddId, partition }), EXPORT_TIMEOUT_MS);
    const frames = reply?.t === 'exported' ? reply.frames : undefined;
    if (frames === undefined) return answer({ missing: `partition ${partition} of RDD ${rddId} is not cached here` });
    answer({ staged: this.#staged.stage(Buffer.concat(frames)) });
  }

  /** The restarted driver takes held partitions: the task thread stores them under its RDD ids. */
  async #adoptBlocks(msg: IncomingMessage, blocks: readonly AdoptedBlock[]): Promise<void> {
    const toAdopt: BlockToAdopt[] = [];
    for (const { heldId, rddId } of blocks) {
      const held = this.#heldBlocks.get(heldId);
      if (held === undefined) continue;
      this.#heldBlocks.delete(heldId);
      this.#rddIdentity.set(rddId, held.identity);
      toAdopt.push({ file: held.file, rddId, partition: held.partition, level: held.level });
    }
    const reply = toAdopt.length === 0 ? undefined : await this.#askWorker((requestId) => ({ t: 'adoptBlocks', requestId, blocks: toAdopt }), ADOPT_TIMEOUT_MS);
    const stored = reply?.t === 'adoptedBlocks' ? reply.stored : [];
    this.#log.info('stored cached partitions a restarted driver took over', { offered: blocks.length, stored: stored.length });
    try {
      msg.respond(encodeControlMessage('adoptedBlocks', { stored }, this.#o.secret));
    } catch (error) {
      this.#log.warn('could not answer an adoption of cached partitions', { error: String(error) });
    }
  }

  /** A request to the task thread; undefined when it does not answer in time. */
  #askWorker(request: (requestId: number) => ToTaskWorker, timeoutMs: number): Promise<FromTaskWorker | undefined> {
    const requestId = this.#nextWorkerRequest++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#workerRequests.delete(requestId);
        resolve(undefined);
      }, timeoutMs);
      this.#workerRequests.set(requestId, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.#toWorker(request(requestId));
    });
  }

  // ---- Messages from the task thread ------------------------------------------------------------------

  #onWorker(msg: FromTaskWorker): void {
    switch (msg.t) {
      case 'started':
        this.#publish('started', { executorId: this.executorId, taskId: msg.taskId });
        return;
      case 'status':
        this.#finished(msg.update);
        return;
      case 'request':
        void this.#answerWorker(msg.requestId, msg.what, msg.key);
        return;
      case 'exported':
      case 'handedOver':
      case 'adoptedBlocks': {
        const resolve = this.#workerRequests.get(msg.requestId);
        this.#workerRequests.delete(msg.requestId);
        resolve?.(msg);
        return;
      }
      case 'replicate':
        this.#replicator?.push(msg.taskId, msg.rddId, msg.partition, msg.level, msg.frames);
        return;
      case 'replicaStored':
        this.#replicator?.stored(msg.requestId, msg.bytes, msg.error);
        return;
      case 'ready':
      case 'stopped':
        return;
    }
  }

  /**
   * A task ended: its status goes to the driver once the copies of its `_2` partitions are stored
   * elsewhere and, with durable shuffle, its map output is in JetStream.
   */
  #finished(update: TaskStatusUpdate): void {
    const replicas = this.#replicator?.settled(update.taskId);
    const durable = this.#settings?.durableShuffle === true && update.state === 'finished' && update.mapStatus !== undefined;
    if (replicas === undefined && !durable) this.#sendStatus(update);
    else void Promise.resolve(replicas).then(async () => this.#sendStatus(durable ? await this.#storeDurably(update) : update));
  }

  /** Puts a finished map task's output file into JetStream; on failure the output stays local only. */
  async #storeDurably(update: TaskStatusUpdate): Promise<TaskStatusUpdate> {
    const status = update.mapStatus!;
    try {
      const store = await this.#durableBlobs();
      await store.put(path.basename(status.dataPath), await readFile(status.dataPath));
      return { ...update, mapStatus: { ...status, durable: true } };
    } catch (error) {
      this.#log.warn('cannot store a map output in JetStream; it is kept on this executor only', { dataPath: status.dataPath, error: String(error) });
      return update;
    }
  }

  #durableBlobs(): Promise<JetStreamBlobStore> {
    this.#durableStore ??= JetStreamBlobStore.connect(this.#o.nats, { bucket: durableShuffleBucket(this.#o.appId) }).catch((error: unknown) => {
      this.#durableStore = undefined;
      throw error;
    });
    return this.#durableStore;
  }

  #sendStatus(update: TaskStatusUpdate): void {
    this.#running.delete(update.taskId);
    const identity = this.#taskIdentity.get(update.taskId);
    this.#taskIdentity.delete(update.taskId);
    if (identity !== undefined && update.state === 'finished' && update.mapStatus !== undefined) {
      this.#held.set(update.mapStatus.dataPath, { identity, status: update.mapStatus });
    }
    const flags = this.#interrupt;
    if (flags !== undefined) for (let i = 0; i < flags.length; i++) if (Atomics.load(flags, i) === update.taskId + 1) Atomics.store(flags, i, 0);
    const body: ControlMessages['status'] = { executorId: this.executorId, taskId: update.taskId, update };
    const data = encodeControlMessage('status', body, this.#o.secret);
    if (data.byteLength + ENVELOPE_ROOM <= this.#bus.maxPayload) {
      this.#send(driverSubject(this.#o.appId), data);
      return;
    }
    // Too large for a message (a big result): the driver fetches it as a block.
    const staged = this.#staged.stage(encode(update));
    this.#publish('status', { executorId: this.executorId, taskId: update.taskId, staged });
  }

  async #answerWorker(requestId: number, what: 'broadcast' | 'binary' | 'commit', key: string): Promise<void> {
    let reply: ToTaskWorker;
    try {
      let bytes: Uint8Array;
      if (what === 'commit') {
        const request = JSON.parse(key) as CommitRequest;
        const decision = await this.#request('canCommit', { executorId: this.executorId, request }, 'commitDecision', REQUEST_TIMEOUT_MS, REQUEST_ATTEMPTS);
        bytes = encode(decision);
      } else {
        const payload = await this.#request(
          'fetch',
          { executorId: this.executorId, what: what === 'broadcast' ? 'broadcast' : 'stageBinary', key },
          'payload',
          REQUEST_TIMEOUT_MS,
          REQUEST_ATTEMPTS,
        );
        if (payload.error !== undefined) throw new Error(payload.error);
        bytes = payload.bytes ?? (await this.#fetchStaged(driverBlocksSubject(this.#o.appId), payload.staged!));
      }
      reply = { t: 'reply', requestId, bytes };
    } catch (error) {
      reply = { t: 'reply', requestId, error: String((error as Error).message ?? error) };
    }
    this.#toWorker(reply);
  }

  #fetchStaged(subject: string, staged: StagedPayload): Promise<Uint8Array> {
    return this.#fetcher!.fetchAll(subject, staged.blockId);
  }

  /** The bytes a task blocks on: a map output segment, or a cached partition some other executor holds. */
  async *#fetchForTask(target: FetchTarget, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    const { appId } = this.#o;
    if (target.kind === 'segment' && target.executorId === DURABLE_SHUFFLE_EXECUTOR_ID) {
      // Its executor is gone; the driver kept the output because it is in JetStream.
      const bytes = await (await this.#durableBlobs()).getRange(target.file, target.start, target.end, signal);
      if (bytes === undefined || bytes.byteLength !== target.end - target.start) throw new KuberddError('DURABLE_OUTPUT_MISSING', `map output ${target.file} is not in JetStream (bytes ${target.start}-${target.end})`);
      yield bytes;
      return;
    }
    if (target.kind === 'segment') {
      const blockId = ExecutorBlockSource.segmentBlockId(target.file, target.start, target.end);
      yield* this.#resumableFetch(executorBlocksSubject(appId, target.executorId), blockId, signal);
      return;
    }
    const { executorIds } = await this.#request('locateBlock', { executorId: this.executorId, rddId: target.rddId, partition: target.partition }, 'blockLocations', REQUEST_TIMEOUT_MS, 2);
    const reasons: string[] = [];
    for (const holder of executorIds) {
      if (holder === this.executorId || signal.aborted) continue;
      try {
        const data = await this.#bus.request(executorSubject(appId, holder), encodeControlMessage('exportBlock', { executorId: this.executorId, rddId: target.rddId, partition: target.partition }, this.#o.secret), {
          timeoutMs: EXPORT_TIMEOUT_MS + 1_000,
          signal,
        });
        const answer = decodeControlMessage(data, this.#o.secret, ['exported']);
        if (!answer.ok) throw new Error(`bad answer: ${answer.reason}`);
        if (answer.value.body.missing !== undefined) throw new Error(answer.value.body.missing);
        yield* this.#taskFetcher!.fetch(executorBlocksSubject(appId, holder), answer.value.body.staged!.blockId, { signal });
        return;
      } catch (error) {
        reasons.push(`${holder}: ${String((error as Error).message ?? error)}`);
      }
    }
    throw new KuberddError('NOT_CACHED_ELSEWHERE', reasons.length === 0 ? 'no other executor caches it' : `no other executor could provide it (${reasons.join('; ')})`);
  }

  /**
   * A fetch whose consumer may pause for long (a prefetched segment waits for the task to reach
   * it): when the server closed the idle session meanwhile, it starts over and skips the bytes
   * already delivered (map output files never change, so they are the same bytes).
   */
  async *#resumableFetch(subject: string, blockId: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    let delivered = 0;
    for (let restart = 0; ; restart++) {
      let seen = 0;
      try {
        for await (const chunk of this.#taskFetcher!.fetch(subject, blockId, { signal })) {
          const skip = delivered - seen;
          seen += chunk.byteLength;
          if (skip >= chunk.byteLength) continue;
          const part = skip > 0 ? chunk.subarray(skip) : chunk;
          delivered += part.byteLength;
          yield part;
        }
        return;
      } catch (error) {
        if (!(error instanceof BlockFetchError && error.code === 'SESSION_LOST' && restart < SESSION_RESTARTS && delivered > 0)) throw error;
        this.#log.debug('block session expired while paused; fetching again', { blockId, delivered });
      }
    }
  }

  // ---- Heartbeats --------------------------------------------------------------------------------------

  async #sendHeartbeat(): Promise<void> {
    const settings = this.#settings!;
    // One at a time: while the driver is slow to answer, beats are skipped rather than piled up.
    if (this.#heartbeatInFlight || this.#stopping !== undefined || this.#reattaching) return;
    this.#heartbeatInFlight = true;
    try {
      const reply = await this.#request('heartbeat', { executorId: this.executorId, runningTasks: [...this.#running] }, 'heartbeatReply', Math.max(settings.heartbeatIntervalMs, 1_000));
      this.#lastDriverContact = Date.now();
      // A driver that gave up on this executor refuses it again; a restarted driver takes it, and what it holds.
      if (!reply.known) void this.#reattach();
    } catch (error) {
      const silentFor = Date.now() - this.#lastDriverContact;
      if (silentFor > settings.driverTimeoutMs) {
        this.#log.error('no word from the driver; stopping', { silentForMs: silentFor, error: String((error as Error).message ?? error) });
        void this.stop({ kind: 'driverLost', reason: `no answer from the driver for ${Math.round(silentFor / 1000)} s` });
      }
    } finally {
      this.#heartbeatInFlight = false;
    }
  }

  /**
   * The driver answering does not know this executor: either it gave up on it (it then refuses
   * the registration, and the executor stops) or it is a restarted driver of the same
   * application. Then the task thread starts afresh (tasks, stage binaries, broadcasts and RDD
   * ids of the old driver mean nothing to the new one). What can be reused is offered to the new
   * driver by lineage identity: the map outputs kept on disk, renamed to shuffle ids no driver
   * hands out, and the cached partitions of persisted RDDs, which the old task thread first
   * writes to files (HeldBlockFiles). The new driver takes those matching its own shuffles and
   * RDDs.
   */
  async #reattach(): Promise<void> {
    if (this.#reattaching || this.#stopping !== undefined) return;
    this.#reattaching = true;
    try {
      const old = this.#worker;
      for (const taskId of this.#running) this.#kill(taskId);
      const blocks = old === undefined ? [] : await this.#handOverCachedBlocks();
      this.#worker = undefined;
      this.#fetchServer?.close();
      if (old !== undefined) await old.terminate();
      this.#running.clear();
      this.#taskIdentity.clear();
      const outputs = this.#renameHeld();
      const settings = await this.#register(undefined, outputs, blocks);
      if (this.#stopping !== undefined) return;
      this.#settings = settings;
      this.#lastDriverContact = Date.now();
      await this.#startWorker(settings, undefined);
      this.#log.info('registered with a restarted driver', { executorId: this.executorId, mapOutputs: outputs.length, cachedBlocks: blocks.length });
    } catch (error) {
      void this.stop({ kind: 'driverLost', reason: `the driver no longer knows this executor: ${String((error as Error).message ?? error)}` });
    } finally {
      this.#reattaching = false;
    }
  }

  /**
   * Has the old task thread write the cached partitions of persisted RDDs with a known lineage
   * identity to files; returns every held partition (those kept from earlier drivers too).
   */
  async #handOverCachedBlocks(): Promise<HeldCachedBlock[]> {
    const rdds = [...this.#rddIdentity].map(([rddId, identity]) => ({ rddId, identity }));
    this.#rddIdentity.clear();
    if (rdds.length > 0) {
      const dir = path.join(this.localDir, 'held', String(this.#heldRenames++));
      const reply = await this.#askWorker((requestId) => ({ t: 'handOver', requestId, rdds, dir }), HANDOVER_TIMEOUT_MS);
      if (reply?.t === 'handedOver') for (const held of reply.blocks) this.#heldBlocks.set(this.#nextHeldId++, held);
      else this.#log.warn('the task thread did not hand over its cached partitions in time; a restarted driver recomputes them');
    }
    return [...this.#heldBlocks].map(([heldId, h]) => ({ identity: h.identity, heldId, partition: h.partition, bytes: h.bytes, level: h.level }));
  }

  /** Moves the kept map outputs out of the way of the new driver's shuffle ids (its removeShuffle and its file names). */
  #renameHeld(): HeldMapOutput[] {
    const renamed: HeldMapOutput[] = [];
    for (const held of this.#held.values()) {
      const shuffleId = HELD_SHUFFLE_ID_BASE + this.#heldRenames++;
      const dataPath = path.join(path.dirname(held.status.dataPath), `shuffle_${shuffleId}_${held.status.mapId}_0.data`);
      try {
        renameSync(held.status.dataPath, dataPath);
      } catch {
        continue; // removed meanwhile
      }
      renamed.push({ identity: held.identity, status: { ...held.status, shuffleId, dataPath } });
    }
    this.#held.clear();
    for (const h of renamed) this.#held.set(h.status.dataPath, h);
    return renamed;
  }

  // ---- Plumbing ------------------------------------------------------------------------------------------

  /** A request to the driver; retried (a fresh message each time) while the driver does not answer, as when NATS restarts. */
  async #request<K extends ControlType, R extends ControlType>(type: K, body: ControlMessages[K], replyType: R, timeoutMs: number, attempts = 1): Promise<ControlMessages[R]> {
    let data: Uint8Array;
    for (let attempt = 1; ; attempt++) {
      try {
        data = await this.#bus.request(driverSubject(this.#o.appId), encodeControlMessage(type, body, this.#o.secret), { timeoutMs });
        break;
      } catch (error) {
        const retriable = error instanceof TransportError && (error.code === 'TIMEOUT' || error.code === 'NO_RESPONDERS');
        if (!retriable || attempt >= attempts || this.#stopping !== undefined) throw error;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
    const reply = decodeControlMessage(data, this.#o.secret, [replyType]);
    if (!reply.ok) throw new KuberddError('BAD_REPLY', `the driver's answer to ${type} was refused: ${reply.reason}`);
    this.#lastDriverContact = Date.now();
    return reply.value.body as ControlMessages[R];
  }

  #publish<K extends ControlType>(type: K, body: ControlMessages[K]): void {
    this.#send(driverSubject(this.#o.appId), encodeControlMessage(type, body, this.#o.secret));
  }

  #send(subject: string, data: Uint8Array): void {
    try {
      this.#bus.publish(subject, data);
    } catch (error) {
      this.#log.warn('could not message the driver', { error: String(error) });
    }
  }

  #toWorker(msg: ToTaskWorker): void {
    try {
      this.#worker?.postMessage(msg);
    } catch (error) {
      this.#log.warn('could not message the task thread', { error: String(error) });
    }
  }

  async #stop(exit: ExecutorExit): Promise<void> {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    for (const s of this.#subscriptions) s.unsubscribe();
    this.#fetchServer?.close();
    const worker = this.#worker;
    if (worker !== undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2_000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        this.#toWorker({ t: 'shutdown' });
      });
    }
    this.#staged.clear();
    await this.#durableStore?.then((store) => store.close()).catch(() => {});
    try {
      await this.#bus.close();
    } catch (error) {
      this.#log.debug('closing the NATS connection failed', { error: String(error) });
    }
    rmSync(this.localDir, { recursive: true, force: true });
    this.#log.info('executor stopped', { executorId: this.executorId, why: exit.kind, reason: exit.reason });
    this.#exit?.(exit);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new KuberddError('ABORTED', `the executor was stopped while starting: ${String((signal.reason as Error)?.message ?? signal.reason)}`);
}

/** Running from sources (tests), the worker entry is TypeScript: load it through tsx. */
function startTaskWorker(data: TaskWorkerData, resourceLimits: { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb?: number }): Worker {
  const options = { workerData: data, transferList: [data.fetchPort], resourceLimits };
  if (!fromSources) return new Worker(workerEntry, options);
  const bootstrap = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(workerEntry.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(bootstrap, { ...options, eval: true });
}

