import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { captureClosure } from '../common/closure/captureClosure.js';
import type { Closure } from '../common/closure/Closure.js';
import type { ClosureRef } from '../common/closure/shippable.js';
import { notShippable, type NotShippable } from '../common/closure/shippable.js';
import { encode } from '../common/codec/codec.js';
import { JobCancelledError } from '../common/errors/JobCancelledError.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { Logger } from '../common/logging/Logger.js';
import { nullLogger } from '../common/logging/nullLogger.js';
import { Accumulator } from '../engine/Accumulator.js';
import { builtinAccumulatorSpecs, customAccumulatorSpec, type AccumulatorSpec } from '../engine/AccumulatorSpec.js';
import { Broadcast } from '../engine/Broadcast.js';
import { DEFAULT_MAX_SPLIT_BYTES } from '../engine/io/defaultMaxSplitBytes.js';
import { RDD, unionOf } from '../engine/RDD.js';
import { rddLineageIdentity } from '../engine/lineageIdentity.js';
import { walkLineage } from '../engine/walkLineage.js';
import type { PartitionFunction, RDDContext } from '../engine/RDDContext.js';
import type { RDDNode } from '../engine/RDDNode.js';
import { EmptyNode } from '../engine/rdd/EmptyNode.js';
import { ParallelCollectionNode } from '../engine/rdd/ParallelCollectionNode.js';
import { RangeNode } from '../engine/rdd/RangeNode.js';
import { TextFileNode } from '../engine/rdd/TextFileNode.js';
import { ObjectFileNode } from '../engine/rdd/ObjectFileNode.js';
import { WholeTextFilesNode } from '../engine/rdd/WholeTextFilesNode.js';
import { DAGScheduler } from '../scheduler/DAGScheduler.js';
import type { SparkListener, SparkListenerEvent } from '../scheduler/SparkListenerEvent.js';
import { OutputCommitCoordinator } from '../scheduler/OutputCommitCoordinator.js';
import type { SchedulerBackend } from '../scheduler/SchedulerBackend.js';
import { readSchedulingConf } from '../scheduler/SchedulingConf.js';
import { TaskSchedulerImpl } from '../scheduler/TaskSchedulerImpl.js';
import { DEFAULT_SHUFFLE_SPILL_BYTES } from '../shuffle/LocalDiskShuffleManager.js';
import { MapOutputTracker } from '../shuffle/MapOutputTracker.js';
import { ReliableCheckpointNode } from '../storage/ReliableCheckpointNode.js';
import { CacheTracker } from './CacheTracker.js';
import { Checkpointer } from './Checkpointer.js';
import type { AdoptedBlock, HeldCachedBlock, HeldMapOutput } from '../executor/ExecutorProtocol.js';
import { createSchedulerBackend } from './createSchedulerBackend.js';
import { NatsSchedulerBackend } from './NatsSchedulerBackend.js';
import type { KubernetesDriverSettings } from './KubernetesDriverSettings.js';
import { RecoveredHoldings } from './RecoveredHoldings.js';
import { ModuleRef } from './ModuleRef.js';
import { parseDurationMs } from './parseDuration.js';
import { parseMaster } from './parseMaster.js';
import { DriverStatusTracker, type StatusTracker } from './StatusTracker.js';
import { DEFAULT_STORAGE_BYTES } from '../storage/BlockManager.js';

export interface SparkContextOptions {
  /** `local`, `local[N]`, `local[*]` (default: one thread per core), `local-cluster[N]` (N executor processes over NATS). */
  readonly master?: string;
  readonly appName?: string;
  readonly conf?: Readonly<Record<string, string>>;
  /** The job file; modules named by `sc.module()` resolve from its directory. */
  readonly jobFile?: string;
  readonly logger?: Logger;
  /** Master `k8s`: the driver pod's SparkJob, API client and executor pods; its app id is used (the same for every driver attempt). */
  readonly kubernetes?: KubernetesDriverSettings;
}

const DEFAULT_AUTO_BROADCAST_BYTES = 1024 * 1024;
type AnySpec = AccumulatorSpec<unknown, unknown, unknown>;

/**
 * The entry point of a job: creates RDDs from data and files, shared variables, and runs
 * actions on its executors. One per application; `stop()` it when done.
 */
export class SparkContext implements RDDContext, NotShippable {
  readonly appId: string;
  readonly appName: string;
  readonly master: string;
  readonly #conf: Map<string, string>;
  readonly #logger: Logger;
  readonly #localDir: string;
  readonly #jobBase: string;
  readonly #listeners = new Set<SparkListener>();
  readonly #mapOutputs = new MapOutputTracker();
  readonly #cache = new CacheTracker();
  readonly #checkpoints = new Checkpointer({
    runJob: (rdd, func, options) => this.runJob(rdd, func, options),
    isCached: (rddId, p) => this.#cache.executorsFor(rddId, p).length > 0,
    natsUrl: () => this.getConf('kuberdd.nats.url'),
  });
  readonly #commits = new OutputCommitCoordinator();
  /** Master k8s: map outputs that executors of an earlier driver attempt still hold. */
  /** On Kubernetes: what executors of an earlier driver attempt offer to reuse (supervise). */
  readonly #recovered: { readonly mapOutputs: RecoveredHoldings<HeldMapOutput>; readonly cachedBlocks: RecoveredHoldings<HeldCachedBlock> } | undefined;
  readonly #dag: DAGScheduler;
  readonly #tasks: TaskSchedulerImpl;
  readonly #backend: SchedulerBackend;
  readonly #started: Promise<void>;
  readonly #broadcasts = new Map<number, { value: unknown; bytes: Uint8Array }>();
  readonly #autoBroadcasts = new WeakMap<object, ClosureRef>();
  readonly #transfers = new DriverStatusTracker();
  readonly #accumulators = new Map<number, Accumulator<unknown, unknown>>();
  readonly #persistent = new Map<number, RDD<unknown>>();
  readonly #prepared = new WeakMap<RDDNode<unknown>, Promise<void>>();
  readonly #jobGroup = new AsyncLocalStorage<{ group: string | undefined }>();
  /** Actions called but not yet handed to the scheduler, so a cancellation in between reaches them. */
  readonly #unsubmitted = new Set<{ readonly group: string | undefined; cancelled: string | undefined }>();
  readonly #autoBroadcastBytes: number;
  #nextRdd = 0;
  #nextShuffle = 0;
  #nextJob = 0;
  #nextBroadcast = 0;
  #nextAccumulator = 0;
  #stopped = false;
  #stopping: Promise<void> | undefined;
  #startError: unknown;

  constructor(options: SparkContextOptions = {}) {
    this.master = options.master ?? 'local[*]';
    const master = parseMaster(this.master);
    this.appName = options.appName ?? 'kuberdd-app';
    this.appId = options.kubernetes?.appId ?? `app-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
    this.#conf = new Map(Object.entries(options.conf ?? {}));
    this.#logger = options.logger ?? nullLogger;
    this.#jobBase = pathToFileURL(options.jobFile !== undefined ? path.resolve(options.jobFile) : path.join(process.cwd(), 'job.js')).href;
    this.#autoBroadcastBytes = this.#numberConf('kuberdd.closure.autoBroadcastBytes', DEFAULT_AUTO_BROADCAST_BYTES);
    // Every setting is checked before the temp dir exists, so a bad one leaves nothing behind.
    // Retries, speculation and bad-record skipping; keys and defaults in scheduler/SchedulingConf.ts.
    const scheduling = readSchedulingConf((key) => this.getConf(key), parseDurationMs);
    const localityWaitMs = parseDurationMs(this.getConf('spark.locality.wait') ?? '3s', 'spark.locality.wait');
    const slotsPerThread = this.#numberConf('kuberdd.local.slotsPerThread', 2);
    // Per executor; the default and why: DEFAULT_STORAGE_BYTES in storage/BlockManager.ts.
    const storageBytes = this.#numberConf('kuberdd.memory.storageBytes', DEFAULT_STORAGE_BYTES);
    // Per task and shuffle buffer; the default and how size is estimated: LocalDiskShuffleManager.
    const shuffleSpillBytes = this.#numberConf('kuberdd.shuffle.spillBytes', DEFAULT_SHUFFLE_SPILL_BYTES);
    if (shuffleSpillBytes === 0) throw new UserInputError('--conf kuberdd.shuffle.spillBytes=0: expected a positive number of bytes');
    this.#recovered = options.kubernetes === undefined ? undefined : { mapOutputs: new RecoveredHoldings(), cachedBlocks: new RecoveredHoldings() };
    const recovered = this.#recovered;
    this.#localDir = mkdtempSync(path.join(this.getConf('kuberdd.local.dir') ?? tmpdir(), `kuberdd-${this.appId}-`));

    this.#dag = new DAGScheduler({
      mapOutputTracker: this.#mapOutputs,
      cacheLocations: this.#cache,
      emit: (event) => {
        // An attempt that failed, was killed or lost its executor gives up its right to commit.
        if (event.type === 'taskEnd' && !event.successful) this.#commits.taskFailed(event.taskId);
        else if (event.type === 'executorRemoved') {
          this.#commits.executorLost(event.executorId);
          recovered?.mapOutputs.forgetExecutor(event.executorId);
          recovered?.cachedBlocks.forgetExecutor(event.executorId);
        }
        this.#transfers.recordEvent(event);
        this.#emit(event);
      },
      mergeAccumulators: (updates) => {
        for (const [id, state] of updates) this.#accumulators.get(id)?.mergeState(state);
      },
      logger: this.#logger,
      maxStageAttempts: scheduling.maxStageAttempts,
      ...(recovered === undefined ? {} : { recoveredMapOutputs: (identity: string) => recovered.mapOutputs.take(identity).map((h) => h.held.status) }),
    });
    this.#tasks = new TaskSchedulerImpl(this.#dag, {
      maxTaskFailures: scheduling.maxTaskFailures,
      speculation: scheduling.speculation,
      skipping: scheduling.skipping,
      localityWaitMs,
      logger: this.#logger,
      fetchBroadcast: (id, executorId) => {
        const b = this.#broadcasts.get(id);
        if (b === undefined) throw new KuberddError('BROADCAST_MISSING', `broadcast ${id} does not exist (destroyed?)`);
        this.#transfers.recordBroadcastFetch(id, executorId);
        return b.bytes;
      },
      recordStageBinary: (stageId, bytes) => this.#transfers.recordStageBinary(stageId, bytes),
      canCommit: (request) => this.#commits.canCommit(request),
    });
    this.#dag.setTaskScheduler(this.#tasks);
    try {
      this.#backend = createSchedulerBackend({
        master,
        appId: this.appId,
        localDir: this.#localDir,
        logger: this.#logger,
        getConf: (key) => this.getConf(key),
        slotsPerThread,
        storageBytes,
        shuffleSpillBytes,
        cacheLocations: this.#cache,
        failAllJobs: (reason) => this.#dag.post({ type: 'allJobsCancelled', reason }),
        kubernetes: options.kubernetes,
        recovered,
      });
    } catch (error) {
      rmSync(this.#localDir, { recursive: true, force: true });
      throw error;
    }
    this.#started = this.#tasks.start(this.#backend).catch((error: unknown) => {
      this.#startError = error;
    });
    this.#logger.debug('SparkContext started', { appId: this.appId, master: this.master });
  }

  // ---- Configuration -----------------------------------------------------------------------------

  getConf(key: string): string | undefined {
    return this.#conf.get(key);
  }

  get defaultParallelism(): number {
    const configured = this.getConf('spark.default.parallelism');
    return configured !== undefined ? Number(configured) : this.#backend.defaultParallelism();
  }

  /** The URL of the NATS server executors talk over (local-cluster, once started); undefined in local mode. For tools such as the benchmarks. */
  get natsUrl(): string | undefined {
    return this.#backend instanceof NatsSchedulerBackend ? this.#backend.natsUrl : undefined;
  }

  get defaultMinPartitions(): number {
    return Math.min(this.defaultParallelism, 2);
  }

  /** Read-only counters: broadcast fetches, stage binary sizes, and each stage's records, bytes, task time and tasks. */
  statusTracker(): StatusTracker {
    return this.#transfers;
  }

  addListener(listener: SparkListener): void {
    this.#listeners.add(listener);
  }

  removeListener(listener: SparkListener): void {
    this.#listeners.delete(listener);
  }

  // ---- Creating RDDs -------------------------------------------------------------------------------

  parallelize<K, V>(data: readonly [K, V][], numSlices?: number): RDD<[K, V]>;
  parallelize<T>(data: readonly T[], numSlices?: number): RDD<T>;
  parallelize<T>(data: readonly T[], numSlices: number = this.defaultParallelism): RDD<T> {
    if (!Array.isArray(data)) throw new UserInputError(`parallelize() needs an array, got ${typeof data}`);
    requireSlices(numSlices, 'parallelize');
    return this.#rdd(new ParallelCollectionNode<T>(data, numSlices), 'parallelize');
  }

  /** Numbers from `start` (inclusive) to `end` (exclusive) by `step`, generated on executors. */
  range(start: number, end?: number, step = 1, numSlices: number = this.defaultParallelism): RDD<number> {
    if (end === undefined) [start, end] = [0, start];
    if (step === 0 || !Number.isFinite(step)) throw new UserInputError(`range() step must be a non-zero number, got ${step}`);
    requireSlices(numSlices, 'range');
    return this.#rdd(new RangeNode(start, end, step, numSlices), 'range');
  }

  /**
   * Lines of a file, a directory's files or a glob (comma-separated lists too). Files are split
   * at line boundaries into partitions of at most `kuberdd.input.maxSplitBytes` (64 MiB);
   * `.gz` files are read whole.
   */
  textFile(filePath: string, minPartitions: number = this.defaultMinPartitions): RDD<string> {
    if (typeof filePath !== 'string' || filePath.length === 0) throw new UserInputError('textFile() needs a path');
    const maxSplit = this.#numberConf('kuberdd.input.maxSplitBytes', DEFAULT_MAX_SPLIT_BYTES);
    return this.#rdd(new TextFileNode(filePath, minPartitions, maxSplit), 'textFile');
  }

  /**
   * The records `rdd.saveAsObjectFile()` wrote (a directory of part files, a file, or a glob).
   * Files are not divided: at most one partition per file.
   */
  objectFile<T = unknown>(filePath: string, minPartitions: number = this.defaultMinPartitions): RDD<T> {
    if (typeof filePath !== 'string' || filePath.length === 0) throw new UserInputError('objectFile() needs a path');
    return this.#rdd(new ObjectFileNode<T>(filePath, minPartitions), 'objectFile');
  }

  /** `[path, content]` for each file. */
  wholeTextFiles(filePath: string, minPartitions: number = this.defaultMinPartitions): RDD<[string, string]> {
    return this.#rdd(new WholeTextFilesNode(filePath, minPartitions), 'wholeTextFiles');
  }

  emptyRDD<T>(): RDD<T> {
    return this.#rdd(new EmptyNode<T>(), 'emptyRDD');
  }

  union<T>(rdds: readonly RDD<T>[]): RDD<T> {
    return unionOf(rdds);
  }

  // ---- Checkpoints ------------------------------------------------------------------------------------

  /**
   * Where `rdd.checkpoint()` writes: a directory every executor can reach (on Kubernetes, a
   * mounted shared volume). Each call uses a fresh `<dir>/<uuid>` subdirectory, as in Spark.
   */
  setCheckpointDir(dir: string): void {
    this.#checkpoints.setDir(dir);
  }

  getCheckpointDir(): string | undefined {
    return this.#checkpoints.dir;
  }

  /**
   * The data of a checkpoint written earlier, possibly by another SparkContext: `dir` is what
   * `rdd.getCheckpointFile()` returned. The partition count is preserved. Throws
   * CheckpointError `CHECKPOINT_MISSING` / `CHECKPOINT_CORRUPT` naming the file when the
   * checkpoint is incomplete or damaged (part files are verified as they are read).
   */
  checkpointFile<T = unknown>(dir: string): RDD<T> {
    const { storage, numPartitions } = this.#checkpoints.open(dir);
    return this.#rdd(new ReliableCheckpointNode<T>(storage.toWire(), numPartitions), 'checkpointFile');
  }

  // ---- Shared variables ------------------------------------------------------------------------------

  broadcast<T>(value: T): Broadcast<T> {
    const id = this.#nextBroadcast++;
    this.#broadcasts.set(id, { value, bytes: encode(value) });
    return this.#broadcastHandle<T>(id);
  }

  longAccumulator(name?: string): Accumulator<number, number> {
    return this.#accumulator(builtinAccumulatorSpecs.long as unknown as AnySpec, name) as unknown as Accumulator<number, number>;
  }

  doubleAccumulator(name?: string): Accumulator<number, number> {
    return this.#accumulator(builtinAccumulatorSpecs.double as unknown as AnySpec, name) as unknown as Accumulator<number, number>;
  }

  collectionAccumulator<T>(name?: string): Accumulator<T, T[]> {
    return this.#accumulator(builtinAccumulatorSpecs.collection as unknown as AnySpec, name) as unknown as Accumulator<T, T[]>;
  }

  /** A custom accumulator: its state starts at `zero()`, tasks `add`, the driver `merge`s. */
  accumulator<IN, S>(
    spec: { zero: () => S; add: (acc: S, value: IN) => S; merge: (a: S, b: S) => S },
    name?: string,
    env?: Record<string, unknown>,
  ): Accumulator<IN, S> {
    const cap = <F extends (...args: never[]) => unknown>(fn: F): Closure<F> =>
      captureClosure(fn, env, { transformation: 'accumulator' });
    const s = customAccumulatorSpec<IN, S>({ zero: cap(spec.zero), add: cap(spec.add), merge: cap(spec.merge) });
    return this.#accumulator(s as unknown as AnySpec, name) as unknown as Accumulator<IN, S>;
  }

  /**
   * An npm package or a job helper file for use inside shipped functions, imported on every
   * executor (resolved from the job file's directory):
   * `rdd.map(x => h.parse(x), { h: sc.module('./helpers.ts') })`.
   */
  module(specifier: string, exportName?: string): ModuleRef {
    return new ModuleRef(specifier, this.#jobBase, exportName);
  }

  // ---- Job groups ------------------------------------------------------------------------------------

  /** Actions started from now on, in this async context, belong to `groupId`. */
  setJobGroup(groupId: string): void {
    this.#jobGroup.enterWith({ group: groupId });
  }

  clearJobGroup(): void {
    this.#jobGroup.enterWith({ group: undefined });
  }

  /** Runs `fn` with its actions in `groupId`. */
  withJobGroup<R>(groupId: string, fn: () => R): R {
    return this.#jobGroup.run({ group: groupId }, fn);
  }

  /** Fails the group's running actions with a JobCancelledError and kills their tasks. */
  cancelJobGroup(groupId: string): void {
    const reason = `job group "${groupId}" was cancelled`;
    for (const p of this.#unsubmitted) if (p.group === groupId) p.cancelled ??= reason;
    this.#dag.post({ type: 'jobGroupCancelled', groupId });
  }

  cancelAllJobs(): void {
    for (const p of this.#unsubmitted) p.cancelled ??= 'cancelAllJobs() was called';
    this.#dag.post({ type: 'allJobsCancelled', reason: 'cancelAllJobs() was called' });
  }

  // ---- Running jobs (RDDContext) ---------------------------------------------------------------------

  newRddId(): number {
    return this.#nextRdd++;
  }

  newShuffleId(): number {
    return this.#nextShuffle++;
  }

  async runJob<T, U>(
    rdd: RDD<T>,
    func: Closure<PartitionFunction<T, U>>,
    options: { partitions?: readonly number[]; description?: string } = {},
  ): Promise<U[]> {
    this.#assertRunning();
    const group = this.#jobGroup.getStore()?.group;
    const pending = { group, cancelled: undefined as string | undefined };
    this.#unsubmitted.add(pending);
    try {
      await this.#started;
      if (this.#startError !== undefined) {
        throw new KuberddError('EXECUTORS_FAILED', `executors could not start: ${String((this.#startError as Error).message ?? this.#startError)}`, {
          cause: this.#startError,
        });
      }
      await this.#prepareLineage(rdd as RDD<unknown>);
      if (this.#recovered !== undefined && this.#recovered.cachedBlocks.size > 0) await this.#adoptCachedBlocks(rdd as RDD<unknown>);
    } finally {
      this.#unsubmitted.delete(pending);
    }
    if (pending.cancelled !== undefined) {
      throw new JobCancelledError(`${options.description ?? 'job'} was cancelled before it started: ${pending.cancelled}`);
    }
    this.#assertRunning();
    const numPartitions = rdd.partitions.length;
    const partitions = options.partitions ?? Array.from({ length: numPartitions }, (_, i) => i);
    for (const p of partitions) {
      if (!Number.isInteger(p) || p < 0 || p >= numPartitions) {
        throw new UserInputError(`partition ${p} does not exist: the RDD has ${numPartitions} partitions`);
      }
    }
    const results = new Array<U>(partitions.length);
    const done = new Promise<U[]>((resolve, reject) => {
      this.#dag.post({
        type: 'jobSubmitted',
        job: {
          jobId: this.#nextJob++,
          rdd: rdd as RDD<unknown>,
          func: func as unknown as Closure<PartitionFunction<unknown, unknown>>,
          partitions,
          finished: new Array<boolean>(partitions.length).fill(false),
          numFinished: 0,
          description: options.description ?? 'job',
          jobGroup: group,
          startTime: Date.now(),
          onResult: (i, value) => {
            results[i] = value as U;
          },
          onSuccess: () => resolve(results),
          onFailure: reject,
        },
      });
    });
    try {
      await done;
    } catch (error) {
      throw Checkpointer.translateFailure(error);
    }
    // Spark's rdd.doCheckpoint(): RDDs marked by checkpoint()/localCheckpoint() that this job computed.
    await this.#checkpoints.afterJob(rdd as RDD<unknown>);
    return results;
  }

  autoBroadcast(value: unknown): ClosureRef | undefined {
    if (value === null || (typeof value !== 'object' && typeof value !== 'string')) return undefined;
    if (typeof value === 'object') {
      const known = this.#autoBroadcasts.get(value);
      if (known !== undefined) return known;
    }
    const bytes = encode(value);
    if (bytes.byteLength <= this.#autoBroadcastBytes) return undefined;
    const id = this.#nextBroadcast++;
    this.#broadcasts.set(id, { value, bytes });
    const ref: ClosureRef = { $ref: 'broadcast', id, unwrap: true };
    if (typeof value === 'object') this.#autoBroadcasts.set(value, ref);
    return ref;
  }

  persistRdd(rdd: RDD<unknown>): void {
    this.#persistent.set(rdd.id, rdd);
  }

  startOutputJob(jobKey: string): void {
    this.#commits.startJob(jobKey);
  }

  stopOutputJob(jobKey: string): void {
    this.#commits.stopJob(jobKey);
  }

  unpersistRdd(rdd: RDD<unknown>): void {
    this.#persistent.delete(rdd.id);
    this.#cache.removeRdd(rdd.id);
    this.#backend.removeRdd(rdd.id);
  }

  /** Persisted RDDs by id. */
  getPersistentRDDs(): ReadonlyMap<number, RDD<unknown>> {
    return this.#persistent;
  }

  // ---- Lifecycle ----------------------------------------------------------------------------------------

  get isStopped(): boolean {
    return this.#stopped;
  }

  /** Cancels running jobs, stops executors and removes the application's temporary files. */
  stop(): Promise<void> {
    // Every call, including one made while stopping, resolves once the cleanup is done.
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#stopped = true;
    for (const p of this.#unsubmitted) p.cancelled ??= 'the SparkContext was stopped';
    this.#dag.post({ type: 'allJobsCancelled', reason: 'the SparkContext was stopped' });
    this.#dag.stop();
    await this.#started;
    try {
      await this.#tasks.stop();
    } finally {
      rmSync(this.#localDir, { recursive: true, force: true });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  [notShippable](): string {
    return 'the SparkContext exists only on the driver; pass the values your function needs instead';
  }

  // ---- Internals ------------------------------------------------------------------------------------------

  #rdd<T>(node: RDDNode<T>, operation: string): RDD<T> {
    this.#assertRunning();
    return new RDD<T>(this, node, { operation });
  }

  #accumulator(spec: AnySpec, name: string | undefined): Accumulator<unknown, unknown> {
    const acc = new Accumulator(this.#nextAccumulator++, name, spec);
    this.#accumulators.set(acc.id, acc);
    return acc;
  }

  #broadcastHandle<T>(id: number): Broadcast<T> {
    return new Broadcast<T>(
      id,
      () => {
        const b = this.#broadcasts.get(id);
        if (b === undefined) throw new UserInputError(`broadcast ${id} was destroyed`);
        return b.value as T;
      },
      async (bid, destroy) => {
        this.#backend.removeBroadcast(bid);
        if (destroy) {
          this.#broadcasts.delete(bid);
          this.#transfers.forgetBroadcast(bid);
        }
      },
    );
  }

  /**
   * A restarted driver (supervise): cached partitions of the job's persisted RDDs that executors
   * of the earlier attempt kept are stored again under this driver's RDD ids, and recorded as
   * cached, so the DAG scheduler computes only the partitions that were lost.
   */
  async #adoptCachedBlocks(root: RDD<unknown>): Promise<void> {
    const backend = this.#backend;
    if (!(backend instanceof NatsSchedulerBackend)) return;
    const byExecutor = new Map<string, AdoptedBlock[]>();
    walkLineage(root, (rdd) => {
      if (rdd.getStorageLevel().name === 'NONE') return;
      for (const { executorId, held } of this.#recovered!.cachedBlocks.take(rddLineageIdentity(rdd))) {
        if (held.partition >= rdd.partitions.length || held.level !== rdd.getStorageLevel().name) continue;
        let list = byExecutor.get(executorId);
        if (list === undefined) byExecutor.set(executorId, (list = []));
        list.push({ heldId: held.heldId, rddId: rdd.id });
      }
    });
    await Promise.all(
      [...byExecutor].map(async ([executorId, blocks]) => {
        const stored = await backend.adoptCachedBlocks(executorId, blocks);
        this.#cache.recordBlockUpdates(executorId, stored);
        this.#logger.info('reusing cached partitions of an earlier driver attempt', { executorId, offered: blocks.length, stored: stored.length });
      }),
    );
  }

  /** Runs every node's prepare() (sampling, index offsets) and lists partitions, parents first. */
  async #prepareLineage(rdd: RDD<unknown>): Promise<void> {
    const visit = async (r: RDD<unknown>): Promise<void> => {
      let done = this.#prepared.get(r.node);
      if (done === undefined) {
        done = (async () => {
          for (const dep of r.dependencies) await visit(dep.rdd as RDD<unknown>);
          await r.node.prepare?.();
          void r.partitions;
        })();
        this.#prepared.set(r.node, done);
        // A failed prepare (missing input, …) may be fixed and retried by the user.
        done.catch(() => this.#prepared.delete(r.node));
      }
      await done;
    };
    await visit(rdd);
  }

  #emit(event: SparkListenerEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.warn('a listener threw', { event: event.type, error: String(error) });
      }
    }
  }

  #numberConf(key: string, fallback: number): number {
    const raw = this.getConf(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new UserInputError(`--conf ${key}=${raw}: expected a non-negative number`);
    return n;
  }

  #assertRunning(): void {
    if (this.#stopped) throw new UserInputError('this SparkContext was stopped; create a new one to run more jobs');
  }
}

function requireSlices(n: number, op: string): void {
  if (!Number.isInteger(n) || n < 1) throw new UserInputError(`${op}() needs a whole number of slices >= 1, got ${n}`);
}
