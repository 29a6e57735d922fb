import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Closure } from '../common/closure/Closure.js';
import { reviveClosure } from '../common/closure/reviveClosure.js';
import type { SerializedClosure } from '../common/closure/SerializedClosure.js';
import type { ClosureRef } from '../common/closure/shippable.js';
import { decode, encode } from '../common/codec/codec.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import { compareKeys } from '../common/keys/compareKeys.js';
import type { Logger } from '../common/logging/Logger.js';
import { Accumulator } from '../engine/Accumulator.js';
import { builtinAccumulatorSpecs, customAccumulatorSpec, type AccumulatorSpec } from '../engine/AccumulatorSpec.js';
import { Broadcast } from '../engine/Broadcast.js';
import type { ShuffleDependency } from '../engine/Dependency.js';
import '../engine/intrinsics.js';
import { decodeLineage, decodeShuffleDependency, type Reviver } from '../engine/LineageWire.js';
import type { Partition } from '../engine/Partition.js';
import type { RDD } from '../engine/RDD.js';
import type { PartitionFunction } from '../engine/RDDContext.js';
import { isPendingCommit, type CommitRequest, type PendingCommit } from '../engine/output/PendingCommit.js';
import type { TaskContext, TaskRuntime } from '../engine/TaskContext.js';
import { emptyTaskMetrics, type TaskMetrics } from '../engine/TaskMetrics.js';
import type { CommitDecision } from '../scheduler/OutputCommitCoordinator.js';
import type { StageBinary } from '../scheduler/StageBinary.js';
import type { TaskDescription } from '../scheduler/TaskDescription.js';
import type { TaskError } from '../scheduler/TaskError.js';
import type { BlockUpdate, TaskStatusUpdate } from '../scheduler/TaskStatusUpdate.js';
import { FetchFailedError } from '../shuffle/FetchFailedError.js';
import { LocalDiskShuffleManager, type LocalDiskShuffleManagerOptions } from '../shuffle/LocalDiskShuffleManager.js';
import type { MapStatus } from '../shuffle/MapStatus.js';
import type { ShuffleBlockReader } from '../shuffle/ShuffleBlockReader.js';
import type { ShuffleHandle } from '../shuffle/ShuffleHandle.js';
import { BlockManager } from '../storage/BlockManager.js';
// Registers checkpoint node kinds, storages and the checkpoint writer (loaded on the driver too).
import '../storage/checkpointRegistration.js';
import { ExecutorRDDContext } from './ExecutorRDDContext.js';
import { loadModuleRef } from './loadModuleRef.js';
import { TaskInput, type SourceKind } from './TaskInput.js';
import { TaskKilledError } from './TaskKilledError.js';

/** How an executor talks to its driver; local threads, NATS and pods each provide one. */
export interface DriverEndpoint {
  /** The task left the queue and began (the scheduler's "running" state). */
  taskStarted(taskId: number): void;
  statusUpdate(update: TaskStatusUpdate): void;
  fetchBroadcast(id: number): Promise<Uint8Array>;
  fetchStageBinary(binaryId: string): Promise<Uint8Array>;
  /** Asks the driver whether a task attempt may commit its output (request/reply, as fetches). */
  canCommit(request: CommitRequest): Promise<CommitDecision>;
}

/** What one shuffle read needs: every map output it reads and its reduce partitions [start, end). */
export interface ShuffleRead {
  readonly statuses: readonly MapStatus[];
  readonly startPartition: number;
  readonly endPartition: number;
}

/** A stage binary rebuilt into live RDDs and functions, cached per executor. */
interface PreparedStage {
  readonly binary: StageBinary;
  readonly root: RDD<unknown>;
  readonly shuffleDep: ShuffleDependency | undefined;
  readonly func: PartitionFunction<unknown, unknown> | undefined;
  /** Sanitized closure name (as in stack traces) → the stage's closures of that name. */
  readonly closureNames: Map<string, SerializedClosure[]>;
}

const MAX_CACHED_STAGES = 32;

/**
 * Runs tasks. Tasks run one at a time and synchronously (the compute pipeline is
 * synchronous); everything asynchronous a task needs — its stage binary, broadcast values,
 * modules — is fetched before it starts.
 */
export class Executor {
  readonly blockManager: BlockManager;
  readonly #shuffle: LocalDiskShuffleManager;
  readonly #shuffleOptions: LocalDiskShuffleManagerOptions;
  readonly #blockReaderFor: ((read: ShuffleRead) => ShuffleBlockReader) | undefined;
  readonly #remoteCache: ((rddId: number, partition: number) => Iterable<unknown[]> | undefined) | undefined;
  readonly #stages = new Map<string, PreparedStage>();
  readonly #broadcasts = new Map<number, unknown>();
  readonly #modules = new Map<string, unknown>();
  readonly #rddContext: ExecutorRDDContext;
  readonly #queue: TaskDescription[] = [];
  #running = false;
  #currentTaskId = -1;
  #killed = new Set<number>();
  /** The running task's accumulator states. */
  #accumStates = new Map<number, { spec: AccumulatorSpec<unknown, unknown, unknown>; state: unknown }>();
  #blockUpdates: BlockUpdate[] = [];
  /** Output the last task wrote under `_temporary`, to commit before its status is sent. */
  #pendingCommit: PendingCommit | undefined;
  /** The running task's sources: counted, numbered, and for bad-record skipping isolated or skipped. */
  #input: TaskInput | undefined;

  constructor(
    readonly executorId: string,
    private readonly localDir: string,
    private readonly driver: DriverEndpoint,
    private readonly logger: Logger,
    /** Shared with the driver in local mode so kills reach a task that is busy computing: slots holding id+1 of tasks to kill. */
    private readonly interruptFlag?: Int32Array,
    /** storageBytes: the memory budget for cached partitions (`kuberdd.memory.storageBytes`; default DEFAULT_STORAGE_BYTES).
     * shuffleSpillBytes: each task's shuffle buffer budget (`kuberdd.shuffle.spillBytes`; default DEFAULT_SHUFFLE_SPILL_BYTES).
     * shuffleBlockReader: where one shuffle read gets its segments (default: local files); made per read, so it can prefetch what that read needs.
     * remoteCache: a cached partition held by another executor, or undefined (default: none; the partition is recomputed). */
    storage: {
      readonly storageBytes?: number | undefined;
      readonly shuffleSpillBytes?: number | undefined;
      readonly shuffleBlockReader?: ((read: ShuffleRead) => ShuffleBlockReader) | undefined;
      readonly remoteCache?: ((rddId: number, partition: number) => Iterable<unknown[]> | undefined) | undefined;
    } = {},
  ) {
    mkdirSync(localDir, { recursive: true });
    // Disk-level blocks live under <localDir>/blocks, so shutdown() removing localDir removes them.
    this.blockManager = new BlockManager({
      ...(storage.storageBytes === undefined ? {} : { maxMemoryBytes: storage.storageBytes }),
      diskDir: path.join(localDir, 'blocks'),
      onBlockUpdate: (u) => void this.#blockUpdates.push(u),
    });
    this.#shuffleOptions = {
      executorId,
      dir: path.join(localDir, 'shuffle'),
      ...(storage.shuffleSpillBytes === undefined ? {} : { spillBytes: storage.shuffleSpillBytes }),
    };
    this.#shuffle = new LocalDiskShuffleManager(this.#shuffleOptions);
    this.#blockReaderFor = storage.shuffleBlockReader;
    this.#remoteCache = storage.remoteCache;
    mkdirSync(path.join(localDir, 'shuffle'), { recursive: true });
    this.#rddContext = new ExecutorRDDContext();
  }

  launchTask(task: TaskDescription): void {
    this.#queue.push(task);
    if (!this.#running) void this.#runQueue();
  }

  killTask(taskId: number): void {
    this.#killed.add(taskId);
    const at = this.#queue.findIndex((t) => t.taskId === taskId);
    if (at >= 0) {
      const [task] = this.#queue.splice(at, 1);
      this.driver.statusUpdate(this.#failure(task!, { name: 'TaskKilled', message: 'killed before it started', killed: true }));
    }
  }

  removeRdd(rddId: number): void {
    this.blockManager.removeRdd(rddId);
  }

  removeShuffle(shuffleId: number): void {
    this.#shuffle.removeShuffle(shuffleId);
  }

  removeBroadcast(id: number): void {
    this.#broadcasts.delete(id);
  }

  /** Removes everything this executor wrote. */
  shutdown(): void {
    rmSync(this.localDir, { recursive: true, force: true });
  }

  async #runQueue(): Promise<void> {
    this.#running = true;
    try {
      for (let task = this.#queue.shift(); task !== undefined; task = this.#queue.shift()) {
        let update: TaskStatusUpdate;
        this.driver.taskStarted(task.taskId);
        try {
          const stage = await this.#prepare(task);
          update = this.#run(task, stage);
          const commit = this.#pendingCommit;
          this.#pendingCommit = undefined;
          if (commit !== undefined) update = await this.#commit(task, commit, update);
        } catch (error) {
          update = this.#failure(task, this.#toTaskError(error, undefined));
        }
        this.#killed.delete(task.taskId);
        this.driver.statusUpdate(update);
      }
    } finally {
      this.#running = false;
    }
  }

  // ---- Preparing a stage ------------------------------------------------------------------------

  async #prepare(task: TaskDescription): Promise<PreparedStage> {
    const cached = this.#stages.get(task.binaryId);
    if (cached !== undefined) return cached;
    const bytes = task.binary ?? (await this.driver.fetchStageBinary(task.binaryId));
    const binary = decode<StageBinary>(bytes);
    await this.#fetchRefs(binary);
    const closureNames = new Map<string, SerializedClosure[]>();
    const revived = new Map<SerializedClosure, Closure<(...args: never[]) => unknown>>();
    const revive: Reviver = <F extends (...args: never[]) => unknown>(s: SerializedClosure): Closure<F> => {
      let c = revived.get(s);
      if (c === undefined) {
        c = { fn: reviveClosure(s, (ref) => this.#resolveRef(ref)), serialized: s };
        revived.set(s, c);
        const key = s.name.replace(/[^\w.-]+/g, '_');
        closureNames.set(key, [...(closureNames.get(key) ?? []), s]);
      }
      return c as Closure<F>;
    };
    const rdds = decodeLineage(binary.lineage, this.#rddContext, revive);
    // Records enter a task from its sources, shuffle reads or the cache: checking the kill flag
    // as each batch enters stops a task even while user code consumes its whole input in one
    // call (mapPartitions summing a huge range), not only between the task's output batches.
    for (const rdd of rdds.values()) {
      if (rdd.dependencies.length > 0) continue;
      const node = rdd.node as { compute(split: Partition, ctx: TaskContext): Iterable<unknown[]> };
      const compute = node.compute.bind(node);
      node.compute = (split, ctx) => this.#source(() => compute(split, ctx), ctx, 'records');
    }
    const root = rdds.get(binary.lineage.root)!;
    const prepared: PreparedStage = {
      binary,
      root,
      shuffleDep: binary.shuffleDep === undefined ? undefined : decodeShuffleDependency(binary.shuffleDep, root, revive),
      func: binary.func === undefined ? undefined : (revive(binary.func).fn as PartitionFunction<unknown, unknown>),
      closureNames,
    };
    this.#stages.set(task.binaryId, prepared);
    // Keep only recent stages: old stage attempts are not run again.
    if (this.#stages.size > MAX_CACHED_STAGES) this.#stages.delete(this.#stages.keys().next().value!);
    return prepared;
  }

  /** Broadcasts and modules named anywhere in the binary are fetched before any task runs. */
  async #fetchRefs(binary: StageBinary): Promise<void> {
    const refs: ClosureRef[] = [];
    const walk = (value: unknown, depth: number): void => {
      if (depth > 200 || value === null || typeof value !== 'object') return;
      if (Array.isArray(value)) {
        for (const v of value) walk(v, depth + 1);
        return;
      }
      if (value instanceof Uint8Array || value instanceof Map || value instanceof Set) return;
      const ref = (value as { $ref?: unknown }).$ref;
      if (ref === 'broadcast' || ref === 'module') refs.push(value as ClosureRef);
      if (ref === 'literal') return;
      for (const v of Object.values(value)) walk(v, depth + 1);
    };
    walk(binary.lineage, 0);
    walk(binary.func, 0);
    walk(binary.shuffleDep, 0);
    for (const ref of refs) {
      if (ref.$ref === 'broadcast') {
        const id = ref.id as number;
        if (!this.#broadcasts.has(id)) this.#broadcasts.set(id, decode(await this.driver.fetchBroadcast(id)));
      } else {
        const key = `${String(ref.base)}|${String(ref.specifier)}`;
        if (!this.#modules.has(key)) this.#modules.set(key, await loadModuleRef(ref));
      }
    }
  }

  #resolveRef(ref: ClosureRef): unknown {
    switch (ref.$ref) {
      case 'closure':
        return reviveClosure(ref.closure as SerializedClosure, (r) => this.#resolveRef(r));
      case 'broadcast': {
        const id = ref.id as number;
        if (!this.#broadcasts.has(id)) throw new KuberddError('BROADCAST_MISSING', `broadcast ${id} was not fetched before the task`);
        if (ref.unwrap === true) return this.#broadcasts.get(id);
        return new Broadcast(id, () => this.#broadcasts.get(id));
      }
      case 'accumulator':
        return this.#accumulatorProxy(ref);
      case 'module': {
        const key = `${String(ref.base)}|${String(ref.specifier)}`;
        const mod = this.#modules.get(key) as Record<string, unknown> | undefined;
        if (mod === undefined) throw new KuberddError('MODULE_MISSING', `module ${String(ref.specifier)} was not loaded before the task`);
        return typeof ref.exportName === 'string' ? mod[ref.exportName] : mod;
      }
      default:
        throw new KuberddError('UNKNOWN_REF', `a closure refers to an unknown kind of object: ${ref.$ref}`);
    }
  }

  #accumulatorProxy(ref: ClosureRef): Accumulator<unknown, unknown> {
    const id = ref.id as number;
    const kind = ref.kind as AccumulatorSpec<unknown, unknown, unknown>['kind'];
    const spec: AccumulatorSpec<unknown, unknown, unknown> =
      kind === 'custom'
        ? (customAccumulatorSpec({
            zero: this.#reviveRef(ref.zero),
            add: this.#reviveRef(ref.add),
            merge: this.#reviveRef(ref.merge),
          }) as AccumulatorSpec<unknown, unknown, unknown>)
        : (builtinAccumulatorSpecs[kind] as AccumulatorSpec<unknown, unknown, unknown>);
    // Adds go to the running task's own copy, which is reported when the task ends.
    return new Accumulator(id, undefined, spec, (accId, value) => {
      let entry = this.#accumStates.get(accId);
      if (entry === undefined) this.#accumStates.set(accId, (entry = { spec, state: spec.zero() }));
      entry.state = spec.add(entry.state, value);
    });
  }

  #reviveRef<F extends (...args: never[]) => unknown>(serialized: unknown): Closure<F> {
    const s = serialized as SerializedClosure;
    return { fn: reviveClosure<F>(s, (r) => this.#resolveRef(r)), serialized: s };
  }

  // ---- Running a task ---------------------------------------------------------------------------

  #run(task: TaskDescription, stage: PreparedStage): TaskStatusUpdate {
    const start = Date.now();
    const metrics = emptyTaskMetrics();
    const listeners: ((ctx: TaskContext) => void)[] = [];
    let tempDir: string | undefined;
    this.#accumStates = new Map();
    this.#blockUpdates = [];
    this.#currentTaskId = task.taskId;
    const runtime: TaskRuntime = {
      getOrCompute: (rdd, split, ctx) => this.#source(() => this.#getOrCompute(rdd, split, ctx), ctx, 'cache'),
      readShuffle: (dep, startP, endP, taskCtx) => {
        const statuses = stage.binary.mapStatuses[dep.shuffleId] ?? [];
        const blockReader = this.#blockReaderFor?.({ statuses, startPartition: startP, endPartition: endP });
        const shuffle = blockReader === undefined ? this.#shuffle : new LocalDiskShuffleManager({ ...this.#shuffleOptions, blockReader });
        return this.#source(() => shuffle.getReader(this.#handle(dep, statuses), startP, endP, statuses, metrics).read(), taskCtx, 'shuffle');
      },
      taskTempDir: () => (tempDir ??= mkdtempSync(path.join(this.localDir, `task-${task.taskId}-`))),
      combineByKey: (input, aggregator, taskCtx) => killable(this.#shuffle.combine(input, aggregator, metrics), taskCtx),
    };
    const ctx: TaskContext = {
      stageId: task.stageId,
      stageAttemptNumber: task.stageAttempt,
      partitionId: task.partition,
      attemptNumber: task.attemptNumber,
      taskAttemptId: task.taskId,
      executorId: this.executorId,
      metrics,
      isInterrupted: () => this.#isKilled(task.taskId),
      addTaskCompletionListener: (l) => void listeners.push(l),
      runtime,
    };
    const sources = new TaskInput(ctx, task);
    this.#input = sources;
    let outcome: { result?: Uint8Array; mapStatus?: MapStatus; error?: TaskError };
    try {
      const rdd = stage.root;
      const split = rdd.partitions[task.partition];
      if (split === undefined) throw new Error(`internal: stage ${task.stageId} has no partition ${task.partition}`);
      const input = killable(rdd.iterator(split, ctx), ctx, task.kind === 'result' ? metrics : undefined);
      if (task.kind === 'result') {
        const value = stage.func!(input, ctx);
        const commit = isPendingCommit(value) ? value : undefined;
        const result = encode(commit === undefined ? value : commit.result);
        this.#pendingCommit = commit;
        metrics.resultBytes = result.byteLength;
        outcome = { result };
      } else {
        const dep = stage.shuffleDep!;
        const writer = this.#shuffle.getWriter(this.#handle(dep, []), task.partition, task.taskId, metrics);
        outcome = { mapStatus: writer.write(checkPairs(input as Iterable<unknown[]>, dep)) };
        metrics.recordsOut = metrics.shuffleRecordsWritten;
      }
    } catch (error) {
      const failedRecordIndex = sources.failedRecordIndex();
      outcome = { error: { ...this.#toTaskError(error, stage), ...(failedRecordIndex === undefined ? {} : { failedRecordIndex }) } };
    } finally {
      this.#input = undefined;
      metrics.recordsIn = sources.recordsIn;
      metrics.skippedRecords = sources.skippedRecords;
      for (const l of listeners) {
        try {
          l(ctx);
        } catch (error) {
          this.logger.warn('task completion listener failed', { taskId: task.taskId, error: String(error) });
        }
      }
      if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
      this.#currentTaskId = -1;
    }
    metrics.executorRunTimeMs = Date.now() - start;
    const base = {
      taskId: task.taskId,
      executorId: this.executorId,
      metrics,
      // A failed attempt's accumulator updates are dropped: only successes count.
      accumUpdates: outcome.error ? [] : [...this.#accumStates].map(([id, e]) => [id, e.state] as const),
      blockUpdates: this.#blockUpdates,
    };
    return outcome.error
      ? { ...base, state: 'failed', error: outcome.error }
      : { ...base, state: 'finished', result: outcome.result, mapStatus: outcome.mapStatus };
  }

  /**
   * The commit step of the output commit protocol, after the task's compute: ask the driver,
   * then move the attempt's file to its final name (an atomic rename), or discard it when the
   * driver says another attempt commits this partition. Runs before the task's status is sent,
   * so a job succeeds only once every partition's file is in place.
   */
  async #commit(task: TaskDescription, commit: PendingCommit, update: TaskStatusUpdate): Promise<TaskStatusUpdate> {
    const discard = (): void => rmSync(commit.attemptDir, { recursive: true, force: true });
    if (update.state !== 'finished') {
      discard();
      return update;
    }
    if (this.#isKilled(task.taskId)) {
      discard();
      return this.#failure(task, { name: 'TaskKilled', message: 'killed before it could commit its output', killed: true });
    }
    try {
      const decision = await this.driver.canCommit({
        jobKey: commit.jobKey,
        partition: commit.partition,
        taskAttemptId: task.taskId,
        attemptNumber: task.attemptNumber,
        executorId: this.executorId,
      });
      if (!decision.allowed) {
        discard();
        // Not the task's fault, so it does not count as a failure (Spark's TaskCommitDenied).
        return this.#failure(task, {
          name: 'TaskCommitDenied',
          message: `output of partition ${commit.partition} discarded: ${decision.reason ?? 'the driver denied the commit'}`,
          killed: true,
        });
      }
      renameSync(commit.attemptFile, commit.finalFile);
    } catch (error) {
      discard();
      return this.#failure(task, this.#toTaskError(error, undefined));
    }
    discard();
    return update;
  }

  #handle(dep: ShuffleDependency, statuses: readonly MapStatus[]): ShuffleHandle {
    const ordering = dep.options.keyOrdering;
    return {
      shuffleId: dep.shuffleId,
      numMaps: statuses.length,
      partitioner: dep.partitioner,
      aggregator: dep.aggregator(),
      mapSideCombine: dep.options.mapSideCombine,
      keyOrdering:
        ordering === undefined ? undefined : ordering === true ? compareKeys : (ordering.fn as (a: unknown, b: unknown) => number),
    };
  }

  /** Batches entering the running task from a source (see TaskInput); outside a task, only kill checks. */
  #source<T>(open: () => Iterable<T[]>, ctx: TaskContext, kind: SourceKind): Iterable<T[]> {
    return this.#input?.source(open, kind) ?? killable(open(), ctx);
  }

  #getOrCompute<T>(rdd: RDD<T>, split: Partition, ctx: TaskContext): Iterable<T[]> {
    const stored = this.blockManager.get(rdd.id, split.index);
    if (stored !== undefined) return killable(stored as Iterable<T[]>, ctx);
    const remote = this.#remoteCache?.(rdd.id, split.index);
    if (remote !== undefined) return killable(remote as Iterable<T[]>, ctx);
    // Stores the partition as it is computed (memory, or disk for disk levels) and hands the
    // records on; a partition memory cannot take streams through uncached (MEMORY_ONLY*) or
    // goes to disk (*_AND_DISK). Stores, moves and evictions reach the driver as blockUpdates.
    return this.blockManager.putIterator(rdd.id, split.index, rdd.getStorageLevel(), rdd.node.compute(split, ctx)) as Iterable<T[]>;
  }

  #isKilled(taskId: number): boolean {
    if (this.#killed.has(taskId)) return true;
    const flags = this.interruptFlag;
    if (flags === undefined) return false;
    for (let i = 0; i < flags.length; i++) if (Atomics.load(flags, i) === taskId + 1) return true;
    return false;
  }

  #failure(task: TaskDescription, error: TaskError): TaskStatusUpdate {
    return {
      taskId: task.taskId,
      executorId: this.executorId,
      state: 'failed',
      error,
      accumUpdates: [],
      metrics: emptyTaskMetrics(),
      blockUpdates: [],
    };
  }

  #toTaskError(error: unknown, stage: PreparedStage | undefined): TaskError {
    if (error instanceof TaskKilledError) return { name: 'TaskKilled', message: error.message, killed: true };
    const e = error instanceof Error ? error : new Error(String(error));
    const fetchFailed =
      e instanceof FetchFailedError
        ? { shuffleId: e.shuffleId, mapId: e.mapId, reduceId: e.reduceId, executorId: e.executorId }
        : undefined;
    return {
      name: e.name,
      message: e.message,
      stack: e.stack,
      userFrame: stage ? this.#userFrame(e.stack ?? '', stage) : undefined,
      fetchFailed,
    };
  }

  /**
   * The first stack frame inside a shipped user function, named after the function and where
   * the user wrote it: `map() function at job.ts:12:7 (line 2 of the function)`.
   */
  #userFrame(stack: string, stage: PreparedStage): string | undefined {
    for (const line of stack.split('\n')) {
      const m = /kuberdd-closure:([\w.-]+):(\d+):(\d+)/.exec(line);
      if (!m) continue;
      const candidates = stage.closureNames.get(m[1]!) ?? [];
      const start = candidates.length > 0 ? this.#firstLineOf(candidates[0]!) : undefined;
      const inFunction = start === undefined ? undefined : Number(m[2]) - start + 1;
      // Several functions may share a name (two maps in one stage): pick one long enough.
      const c = candidates.find((k) => inFunction === undefined || k.source.split('\n').length >= inFunction) ?? candidates[0];
      // The transformation that took the function: its RDD's wire arguments hold that very object.
      const site = c && stage.binary.lineage.rdds.find((r) => contains(r.args, c, 0))?.creationSite;
      const where = c === undefined ? m[1]! : `${c.name}${site ? ` at ${site}` : ''}`;
      // A one-line source (tsx and bundlers minify whitespace) has no useful line to report.
      const multiline = c !== undefined && c.source.includes('\n');
      return inFunction === undefined || inFunction < 1 || !multiline ? where : `${where} (line ${inFunction} of the function)`;
    }
    return undefined;
  }

  /**
   * The line of the generated script where a revived function's source starts: found by
   * reviving a probe in its place (same name and environment, so the same layout) and reading
   * the probe's own stack. Only used to explain failures.
   */
  #firstLineOf(s: SerializedClosure): number | undefined {
    try {
      const probe = reviveClosure<() => string | undefined>({ ...s, source: '() => new Error().stack' }, (ref) => this.#resolveRef(ref));
      const m = /kuberdd-closure:[\w.-]+:(\d+):\d+/.exec(probe() ?? '');
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  get currentTaskId(): number {
    return this.#currentTaskId;
  }
}

/** Whether `value` holds `target` (by identity) within a few levels; large data arrays are skipped. */
function contains(value: unknown, target: object, depth: number): boolean {
  if (value === target) return true;
  if (value === null || typeof value !== 'object' || depth > 6) return false;
  const children = Array.isArray(value) ? (value.length > 64 ? [] : value) : Object.values(value);
  return children.some((v) => contains(v, target, depth + 1));
}

/** Passes batches through, stopping the task between batches once it is killed; counts them as records out into `countOut` if given. */
function* killable<T>(input: Iterable<T[]>, ctx: TaskContext, countOut?: TaskMetrics): Generator<T[]> {
  for (const batch of input) {
    if (ctx.isInterrupted()) throw new TaskKilledError(ctx.taskAttemptId);
    if (countOut !== undefined) countOut.recordsOut += batch.length;
    yield batch;
  }
}

/** Shuffles need [key, value] pairs; say so clearly when a job feeds them something else. */
function* checkPairs(input: Iterable<unknown[]>, dep: ShuffleDependency): Generator<[unknown, unknown][]> {
  for (const batch of input) {
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      if (!Array.isArray(r) || r.length !== 2) {
        let shown: string;
        try {
          shown = JSON.stringify(r) ?? String(r);
        } catch {
          shown = String(r);
        }
        throw new UserInputError(
          `${dep.rdd.operation === 'shuffle' ? 'this shuffle' : `the shuffle after ${dep.rdd.operation}`} needs [key, value] pairs, ` +
            `but found ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}: pair functions (reduceByKey, join, …) work on RDDs of 2-element arrays; ` +
            `map your elements first, e.g. .map(x => [key(x), x])`,
          { code: 'NOT_A_PAIR' },
        );
      }
    }
    yield batch as [unknown, unknown][];
  }
}
