import { encode, decode } from '../common/codec/codec.js';
import { JobCancelledError } from '../common/errors/JobCancelledError.js';
import { JobFailedError } from '../common/errors/JobFailedError.js';
import type { Logger } from '../common/logging/Logger.js';
import type { ShuffleDependency } from '../engine/Dependency.js';
import { encodeLineage, encodeShuffleDependency } from '../engine/LineageWire.js';
import { rddLineageIdentity, shuffleLineageIdentity } from '../engine/lineageIdentity.js';
import type { RDD } from '../engine/RDD.js';
import { walkLineage } from '../engine/walkLineage.js';
import { addTaskMetrics, emptyTaskMetrics, type TaskMetrics } from '../engine/TaskMetrics.js';
import type { MapOutputTracker } from '../shuffle/MapOutputTracker.js';
import type { MapStatus } from '../shuffle/MapStatus.js';
import type { ActiveJob } from './ActiveJob.js';
import { assertNever, type DAGSchedulerEvent } from './DAGSchedulerEvent.js';
import type { SparkListenerEvent } from './SparkListenerEvent.js';
import type { ResultStage, ShuffleMapStage, Stage } from './Stage.js';
import type { StageBinary } from './StageBinary.js';
import type { TaskError } from './TaskError.js';
import type { TaskScheduler } from './TaskScheduler.js';
import type { CachedRddIdentity } from './TaskDescription.js';
import type { BlockUpdate } from './TaskStatusUpdate.js';

/** Where cached partitions live; the driver's block manager master implements it. */
export interface CacheLocations {
  executorsFor(rddId: number, partition: number): readonly string[];
  recordBlockUpdates(executorId: string, updates: readonly BlockUpdate[]): void;
  removeExecutor(executorId: string): void;
}

export interface DAGSchedulerOptions {
  readonly mapOutputTracker: MapOutputTracker;
  readonly cacheLocations: CacheLocations;
  readonly emit: (event: SparkListenerEvent) => void;
  /** Folds a successful task's accumulator updates into the driver's accumulators. */
  readonly mergeAccumulators: (updates: readonly (readonly [number, unknown])[]) => void;
  readonly logger: Logger;
  readonly maxStageAttempts: number;
  /**
   * Map outputs that executors of an earlier driver attempt still hold, by the shuffle's lineage
   * identity (shuffleLineageIdentity). When set, shuffle map stages take those outputs as their
   * own instead of recomputing them, and their task binaries are named with the identity, so
   * executors know which shuffle the outputs they keep belong to.
   */
  readonly recoveredMapOutputs?: ((identity: string) => readonly MapStatus[]) | undefined;
}

/**
 * Turns jobs into stages, submits a stage once its parents' outputs exist, and recovers lost
 * shuffle outputs by resubmitting only the missing map partitions (Spark's DAGScheduler).
 * All state changes happen in `onReceive`, one event at a time.
 */
export class DAGScheduler {
  #taskScheduler: TaskScheduler | undefined;
  readonly #o: DAGSchedulerOptions;
  readonly #queue: DAGSchedulerEvent[] = [];
  #draining = false;
  #nextStageId = 0;
  readonly #stages = new Map<number, Stage>();
  readonly #shuffleStages = new Map<number, ShuffleMapStage>();
  readonly #waiting = new Set<Stage>();
  readonly #running = new Set<Stage>();
  readonly #failed = new Set<Stage>();
  readonly #jobs = new Map<number, ActiveJob>();
  readonly #stageMetrics = new Map<number, TaskMetrics>();
  /** Accumulator updates already merged, per output (so recomputation never double-counts). */
  readonly #countedOutputs = new Set<string>();
  #resubmitTimer: NodeJS.Timeout | undefined;

  constructor(options: DAGSchedulerOptions) {
    this.#o = options;
  }

  setTaskScheduler(taskScheduler: TaskScheduler): void {
    this.#taskScheduler = taskScheduler;
  }

  post(event: DAGSchedulerEvent): void {
    this.#queue.push(event);
    if (!this.#draining) this.#drain();
  }

  /** Stops timers; pending jobs are failed by the caller through `allJobsCancelled`. */
  stop(): void {
    if (this.#resubmitTimer !== undefined) clearTimeout(this.#resubmitTimer);
  }

  get activeJobCount(): number {
    return this.#jobs.size;
  }

  #drain(): void {
    this.#draining = true;
    try {
      for (let event = this.#queue.shift(); event !== undefined; event = this.#queue.shift()) {
        try {
          this.onReceive(event);
        } catch (error) {
          // A bug in handling one event must not wedge every job: fail the jobs and go on.
          this.#o.logger.error('DAG scheduler event failed', { event: event.type, error: String((error as Error)?.stack ?? error) });
          for (const job of [...this.#jobs.values()]) this.#failJob(job, error as Error);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  private onReceive(event: DAGSchedulerEvent): void {
    switch (event.type) {
      case 'jobSubmitted':
        return this.#handleJobSubmitted(event.job);
      case 'taskStarted':
        return this.#o.emit({
          type: 'taskStart',
          stageId: event.task.stageId,
          taskId: event.task.taskId,
          partition: event.task.partition,
          attempt: event.task.attemptNumber,
          executorId: event.task.executorId,
          speculative: event.task.speculative,
        });
      case 'taskCompleted':
        return this.#handleTaskCompletion(event);
      case 'taskSetFailed':
        return this.#handleTaskSetFailed(event);
      case 'executorAdded':
        this.#o.emit({ type: 'executorAdded', executorId: event.executorId, host: event.host, cores: 1 });
        return;
      case 'executorLost':
        return this.#handleExecutorLost(event.executorId, event.reason);
      case 'jobCancelled': {
        const job = this.#jobs.get(event.jobId);
        if (job) this.#failJob(job, new JobCancelledError(`job ${job.jobId} (${job.description}) was cancelled: ${event.reason}`));
        return;
      }
      case 'jobGroupCancelled':
        for (const job of [...this.#jobs.values()]) {
          if (job.jobGroup === event.groupId) {
            this.#failJob(job, new JobCancelledError(`job ${job.jobId} (${job.description}) was cancelled: job group "${event.groupId}" was cancelled`));
          }
        }
        return;
      case 'allJobsCancelled':
        for (const job of [...this.#jobs.values()]) {
          this.#failJob(job, new JobCancelledError(`job ${job.jobId} (${job.description}) was cancelled: ${event.reason}`));
        }
        return;
      case 'resubmitFailedStages':
        return this.#resubmitFailedStages();
      default:
        return assertNever(event);
    }
  }

  // ---- Stages -----------------------------------------------------------------------------------

  #newStageId(): number {
    return this.#nextStageId++;
  }

  #parentShuffleDeps(rdd: RDD<unknown>): ShuffleDependency[] {
    const deps: ShuffleDependency[] = [];
    const seen = new Set<number>();
    const stack = [rdd];
    while (stack.length > 0) {
      const r = stack.pop()!;
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      for (const dep of r.dependencies) {
        if (dep.type === 'shuffle') deps.push(dep);
        else stack.push(dep.rdd);
      }
    }
    return deps;
  }

  #getOrCreateShuffleMapStage(dep: ShuffleDependency, jobId: number): ShuffleMapStage {
    const existing = this.#shuffleStages.get(dep.shuffleId);
    if (existing !== undefined) return existing;
    const parents = this.#parentShuffleDeps(dep.rdd as RDD<unknown>).map((d) => this.#getOrCreateShuffleMapStage(d, jobId));
    const rdd = dep.rdd as RDD<unknown>;
    const stage: ShuffleMapStage = {
      type: 'shuffleMap',
      id: this.#newStageId(),
      rdd,
      parents,
      firstJobId: jobId,
      jobIds: new Set(),
      name: `${rdd.operation} at ${rdd.creationSite}`,
      nextAttempt: 0,
      latestAttempt: -1,
      pendingPartitions: new Set(),
      failedAttempts: 0,
      shuffleDep: dep,
    };
    this.#stages.set(stage.id, stage);
    this.#shuffleStages.set(dep.shuffleId, stage);
    this.#o.mapOutputTracker.registerShuffle(dep.shuffleId, rdd.partitions.length);
    if (this.#o.recoveredMapOutputs !== undefined) this.#adoptRecoveredOutputs(dep, rdd.partitions.length);
    return stage;
  }

  /** Registers the outputs an earlier driver attempt's executors hold for this same shuffle, so only missing map partitions run. */
  #adoptRecoveredOutputs(dep: ShuffleDependency, numMaps: number): void {
    const reduces = dep.partitioner.numPartitions;
    let adopted = 0;
    for (const status of this.#o.recoveredMapOutputs!(shuffleLineageIdentity(dep))) {
      if (status.mapId >= numMaps || status.offsets.length !== reduces + 1) continue;
      this.#o.mapOutputTracker.registerMapOutput({ ...status, shuffleId: dep.shuffleId });
      adopted++;
    }
    if (adopted > 0) this.#o.logger.info('reusing map outputs of an earlier driver attempt', { shuffleId: dep.shuffleId, adopted, numMaps });
  }

  #isAvailable(stage: ShuffleMapStage): boolean {
    return this.#o.mapOutputTracker.missingPartitions(stage.shuffleDep.shuffleId).length === 0;
  }

  /** Parent stages whose outputs are missing; fully cached RDDs cut the search (their lineage is not needed). */
  #missingParentStages(stage: Stage): ShuffleMapStage[] {
    const missing = new Set<ShuffleMapStage>();
    const seen = new Set<number>();
    const stack: RDD<unknown>[] = [stage.rdd];
    while (stack.length > 0) {
      const rdd = stack.pop()!;
      if (seen.has(rdd.id)) continue;
      seen.add(rdd.id);
      const fullyCached =
        rdd.getStorageLevel().name !== 'NONE' &&
        rdd.partitions.every((_, p) => this.#o.cacheLocations.executorsFor(rdd.id, p).length > 0);
      if (fullyCached) continue;
      for (const dep of rdd.dependencies) {
        if (dep.type === 'shuffle') {
          const parent = this.#getOrCreateShuffleMapStage(dep, stage.firstJobId);
          if (!this.#isAvailable(parent)) missing.add(parent);
        } else {
          stack.push(dep.rdd);
        }
      }
    }
    return [...missing];
  }

  #handleJobSubmitted(job: DAGSchedulerEvent & { type: 'jobSubmitted' } extends { job: infer J } ? J : never): void {
    let finalStage: ResultStage;
    try {
      const parents = this.#parentShuffleDeps(job.rdd).map((d) => this.#getOrCreateShuffleMapStage(d, job.jobId));
      finalStage = {
        type: 'result',
        id: this.#newStageId(),
        rdd: job.rdd,
        parents,
        firstJobId: job.jobId,
        jobIds: new Set(),
        name: `${job.description} at ${job.rdd.creationSite}`,
        nextAttempt: 0,
        latestAttempt: -1,
        pendingPartitions: new Set(),
        failedAttempts: 0,
        activeJob: undefined,
      };
    } catch (error) {
      job.onFailure(error as Error);
      return;
    }
    this.#stages.set(finalStage.id, finalStage);
    const active: ActiveJob = { ...job, finalStage, outputIndex: new Map(job.partitions.map((p, i) => [p, i])) };
    finalStage.activeJob = active;
    this.#jobs.set(job.jobId, active);
    const stageIds = this.#markJobStages(finalStage, job.jobId);
    this.#o.emit({ type: 'jobStart', jobId: job.jobId, description: job.description, stageIds, time: Date.now() });
    for (const id of stageIds) {
      const s = this.#stages.get(id);
      if (s?.type === 'shuffleMap' && this.#isAvailable(s) && !this.#running.has(s)) {
        this.#o.emit({ type: 'stageSkipped', jobId: job.jobId, stageId: s.id, name: s.name, numPartitions: s.rdd.partitions.length });
      }
    }
    if (job.partitions.length === 0) {
      this.#finishJob(active);
      return;
    }
    this.#submitStage(finalStage);
  }

  /** Adds the job to every stage it needs; reports stages that will be skipped. */
  #markJobStages(stage: Stage, jobId: number): number[] {
    const ids: number[] = [];
    const visit = (s: Stage): void => {
      if (s.jobIds.has(jobId)) return;
      s.jobIds.add(jobId);
      ids.push(s.id);
      for (const p of s.parents) visit(p);
    };
    visit(stage);
    return ids;
  }

  #submitStage(stage: Stage): void {
    if (this.#waiting.has(stage) || this.#running.has(stage) || this.#failed.has(stage)) return;
    const missing = this.#missingParentStages(stage).sort((a, b) => a.id - b.id);
    if (missing.length === 0) {
      this.#submitMissingTasks(stage);
      return;
    }
    for (const parent of missing) this.#submitStage(parent);
    this.#waiting.add(stage);
  }

  #submitMissingTasks(stage: Stage): void {
    const partitions =
      stage.type === 'shuffleMap'
        ? this.#o.mapOutputTracker.missingPartitions(stage.shuffleDep.shuffleId)
        : stage.activeJob!.partitions.filter((_, i) => !stage.activeJob!.finished[i]);
    const attempt = stage.nextAttempt++;
    stage.latestAttempt = attempt;
    stage.pendingPartitions.clear();
    for (const p of partitions) stage.pendingPartitions.add(p);
    const numPartitions = stage.rdd.partitions.length;
    this.#o.emit({
      type: 'stageSubmitted',
      stageId: stage.id,
      attempt,
      name: stage.name,
      numTasks: partitions.length,
      numPartitions,
      time: Date.now(),
    });
    this.#stageMetrics.set(stage.id, emptyTaskMetrics());
    if (partitions.length === 0) {
      this.#markStageFinished(stage, undefined);
      this.#submitWaitingChildren(stage);
      return;
    }
    let binary: Uint8Array;
    try {
      binary = this.#stageBinary(stage, attempt);
    } catch (error) {
      this.#abortStage(stage, error as Error, undefined);
      return;
    }
    this.#running.add(stage);
    const priority = Math.min(...[...stage.jobIds].map((id) => this.#jobs.get(id)?.jobId ?? Infinity), stage.firstJobId);
    const anyJob = [...stage.jobIds].map((id) => this.#jobs.get(id)).find((j) => j !== undefined);
    this.#taskScheduler!.submitTasks({
      stageId: stage.id,
      stageAttempt: attempt,
      priority,
      kind: stage.type,
      partitions,
      preferredExecutors: partitions.map((p) => this.#preferredExecutors(stage.rdd, p, new Set())),
      binaryId: stage.type === 'shuffleMap' && this.#o.recoveredMapOutputs !== undefined ? `${stage.id}.${attempt}.${shuffleLineageIdentity(stage.shuffleDep)}` : `${stage.id}.${attempt}`,
      binary,
      jobGroup: anyJob?.jobGroup,
      ...(this.#o.recoveredMapOutputs === undefined ? {} : { cachedRddIdentities: this.#cachedRddIdentities(stage.rdd) }),
    });
  }

  /** The persisted RDDs a stage's tasks compute (its narrow chain), named for a restarted driver. */
  #cachedRddIdentities(root: RDD<unknown>): CachedRddIdentity[] {
    const out: CachedRddIdentity[] = [];
    walkLineage(
      root,
      (rdd) => {
        if (rdd.getStorageLevel().name !== 'NONE') out.push({ rddId: rdd.id, identity: rddLineageIdentity(rdd) });
      },
      { narrowOnly: true },
    );
    return out;
  }

  #stageBinary(stage: Stage, attempt: number): Uint8Array {
    const mapStatuses: Record<number, ReturnType<MapOutputTracker['statuses']>> = {};
    for (const dep of this.#readShuffles(stage.rdd)) mapStatuses[dep.shuffleId] = this.#o.mapOutputTracker.statuses(dep.shuffleId);
    const binary: StageBinary = {
      stageId: stage.id,
      stageAttempt: attempt,
      lineage: encodeLineage(stage.rdd),
      shuffleDep: stage.type === 'shuffleMap' ? encodeShuffleDependency(stage.shuffleDep) : undefined,
      func: stage.type === 'result' ? stage.activeJob!.func.serialized : undefined,
      mapStatuses,
    };
    return encode(binary);
  }

  /** Shuffles read by the stage's own tasks (its boundary), not cut by fully cached RDDs. */
  #readShuffles(rdd: RDD<unknown>): ShuffleDependency[] {
    return this.#parentShuffleDeps(rdd);
  }

  /** Executors holding a cached copy of the partition or of a narrow ancestor's (Spark's getPreferredLocs). */
  #preferredExecutors(rdd: RDD<unknown>, partition: number, visited: Set<string>): string[] {
    const key = `${rdd.id}:${partition}`;
    if (visited.has(key)) return [];
    visited.add(key);
    const cached = this.#o.cacheLocations.executorsFor(rdd.id, partition);
    if (cached.length > 0) return [...cached];
    for (const dep of rdd.dependencies) {
      if (dep.type !== 'narrow') continue;
      for (const parent of dep.getParents(partition)) {
        const locs = this.#preferredExecutors(dep.rdd, parent, visited);
        if (locs.length > 0) return locs;
      }
    }
    return [];
  }

  #submitWaitingChildren(parent: Stage): void {
    const ready = [...this.#waiting].filter((s) => s.parents.includes(parent as ShuffleMapStage)).sort((a, b) => a.firstJobId - b.firstJobId);
    for (const stage of ready) {
      this.#waiting.delete(stage);
      this.#submitStage(stage);
    }
  }

  #markStageFinished(stage: Stage, failureReason: string | undefined): void {
    this.#running.delete(stage);
    // spark.stage.maxConsecutiveAttempts counts fetch-failed attempts in a row: a success resets it.
    if (failureReason === undefined) stage.failedAttempts = 0;
    this.#o.emit({
      type: 'stageCompleted',
      stageId: stage.id,
      attempt: stage.latestAttempt,
      name: stage.name,
      numTasks: stage.rdd.partitions.length,
      ...(failureReason !== undefined ? { failureReason } : {}),
      metrics: this.#stageMetrics.get(stage.id) ?? emptyTaskMetrics(),
      time: Date.now(),
    });
  }

  // ---- Task completion --------------------------------------------------------------------------

  #handleTaskCompletion(event: DAGSchedulerEvent & { type: 'taskCompleted' }): void {
    const { task, update } = event;
    const stage = this.#stages.get(task.stageId);
    const succeeded = update.state === 'finished';
    this.#o.emit({
      type: 'taskEnd',
      stageId: task.stageId,
      stageAttempt: task.stageAttempt,
      taskId: task.taskId,
      partition: task.partition,
      attempt: task.attemptNumber,
      executorId: task.executorId,
      successful: succeeded,
      ...(update.error ? { reason: `${update.error.name}: ${update.error.message}` } : {}),
      killed: update.error?.killed === true,
      speculative: task.speculative,
      metrics: update.metrics,
      durationMs: Date.now() - task.launchTime,
    });
    if (update.blockUpdates.length > 0) this.#o.cacheLocations.recordBlockUpdates(update.executorId, update.blockUpdates);
    if (stage === undefined) return;
    // As in Spark, a stage's records and bytes are those of its successful attempts.
    const metrics = this.#stageMetrics.get(stage.id);
    if (metrics && succeeded) addTaskMetrics(metrics, update.metrics);

    if (succeeded) {
      if (stage.type === 'result') this.#resultTaskSucceeded(stage, task.partition, update);
      else this.#mapTaskSucceeded(stage, task.partition, task.stageAttempt, update);
      return;
    }
    if (update.error?.fetchFailed !== undefined) this.#fetchFailed(stage, task.stageAttempt, update.error);
    // Other failures are retried by the task scheduler, which reports taskSetFailed when it gives up.
  }

  #resultTaskSucceeded(stage: ResultStage, partition: number, update: DAGSchedulerEvent & { type: 'taskCompleted' } extends { update: infer U } ? U : never): void {
    const job = stage.activeJob;
    if (job === undefined) return;
    const outputIndex = job.outputIndex.get(partition) ?? -1;
    if (outputIndex < 0 || job.finished[outputIndex]) return;
    job.finished[outputIndex] = true;
    job.numFinished++;
    stage.pendingPartitions.delete(partition);
    this.#mergeOnce(`job:${job.jobId}:${partition}`, update.accumUpdates);
    let value: unknown;
    try {
      value = update.result === undefined ? undefined : decode(update.result);
      job.onResult(outputIndex, value);
    } catch (error) {
      this.#failJob(job, error as Error);
      return;
    }
    this.#taskScheduler!.markPartitionCompleted(stage.id, partition);
    if (job.numFinished === job.partitions.length) {
      this.#markStageFinished(stage, undefined);
      this.#finishJob(job);
    }
  }

  #mapTaskSucceeded(
    stage: ShuffleMapStage,
    partition: number,
    stageAttempt: number,
    update: DAGSchedulerEvent & { type: 'taskCompleted' } extends { update: infer U } ? U : never,
  ): void {
    const status = update.mapStatus;
    if (status === undefined) throw new Error('internal: shuffle map task finished without a map status');
    this.#mergeOnce(`shuffle:${stage.shuffleDep.shuffleId}:${partition}`, update.accumUpdates);
    // Outputs of older attempts are fine to use: the map output is the same data.
    this.#o.mapOutputTracker.registerMapOutput(status);
    this.#taskScheduler!.markPartitionCompleted(stage.id, partition);
    if (stageAttempt === stage.latestAttempt || stage.pendingPartitions.has(partition)) stage.pendingPartitions.delete(partition);
    if (this.#running.has(stage) && stage.pendingPartitions.size === 0) {
      this.#markStageFinished(stage, undefined);
      if (this.#isAvailable(stage)) {
        this.#submitWaitingChildren(stage);
      } else {
        // Some outputs were lost (executor gone) while the stage ran: compute just those again.
        this.#submitStage(stage);
      }
    }
  }

  #mergeOnce(outputKey: string, updates: readonly (readonly [number, unknown])[]): void {
    if (updates.length === 0 || this.#countedOutputs.has(outputKey)) return;
    this.#countedOutputs.add(outputKey);
    this.#o.mergeAccumulators(updates);
  }

  #fetchFailed(stage: Stage, stageAttempt: number, error: TaskError): void {
    const ff = error.fetchFailed!;
    const mapStage = this.#shuffleStages.get(ff.shuffleId);
    this.#o.logger.warn('fetch failed; recomputing the lost map output', {
      stage: stage.id,
      shuffleId: ff.shuffleId,
      mapId: ff.mapId,
      executorId: ff.executorId,
    });
    if (stageAttempt === stage.latestAttempt && this.#running.has(stage)) {
      stage.failedAttempts++;
      this.#markStageFinished(stage, `fetch failed: ${error.message}`);
      this.#taskScheduler!.cancelTasks(stage.id, 'its stage attempt hit a fetch failure');
      if (stage.failedAttempts >= this.#o.maxStageAttempts) {
        this.#abortStage(stage, new JobFailedError(`stage ${stage.id} failed ${stage.failedAttempts} times on fetch failures: ${error.message}`), undefined);
        return;
      }
    }
    this.#o.mapOutputTracker.unregisterMapOutput(ff.shuffleId, ff.mapId, ff.executorId);
    if (stageAttempt === stage.latestAttempt) {
      // As in Spark (without an external shuffle service): a block its executor cannot serve
      // means none of that executor's shuffle files can be trusted. Recompute them all in this
      // round, rather than one lost file per stage attempt (which would use up the attempts).
      this.#o.mapOutputTracker.removeOutputsOnExecutor(ff.executorId);
    }
    this.#failed.add(stage);
    if (mapStage) this.#failed.add(mapStage);
    // A short pause lets other fetch failures from the same lost executor arrive first.
    this.#resubmitTimer ??= setTimeout(() => {
      this.#resubmitTimer = undefined;
      this.post({ type: 'resubmitFailedStages' });
    }, 50);
  }

  #resubmitFailedStages(): void {
    const failed = [...this.#failed].sort((a, b) => a.firstJobId - b.firstJobId || a.id - b.id);
    this.#failed.clear();
    for (const stage of failed) {
      if ([...stage.jobIds].some((id) => this.#jobs.has(id))) this.#submitStage(stage);
    }
  }

  #handleTaskSetFailed(event: DAGSchedulerEvent & { type: 'taskSetFailed' }): void {
    const stage = this.#stages.get(event.stageId);
    if (stage === undefined || stage.latestAttempt !== event.stageAttempt) return;
    const e = event.lastError;
    const error = new JobFailedError(
      `stage ${stage.id} (${stage.name}) failed: partition ${event.partition} failed ${event.attempts} times; last error: ${e ? `${e.name}: ${e.message}` : event.reason}` +
        (e?.userFrame ? `; in ${e.userFrame}` : ''),
      e === undefined
        ? undefined
        : {
            jobId: stage.firstJobId,
            stageId: stage.id,
            partition: event.partition,
            attempts: event.attempts,
            ...(e.userFrame ? { userFrame: e.userFrame } : {}),
            remoteName: e.name,
            remoteMessage: e.message,
            ...(e.stack ? { remoteStack: e.stack } : {}),
          },
    );
    this.#abortStage(stage, error, event.reason);
  }

  #abortStage(stage: Stage, error: Error, reason: string | undefined): void {
    if (this.#running.has(stage)) this.#markStageFinished(stage, reason ?? error.message);
    for (const jobId of stage.jobIds) {
      const job = this.#jobs.get(jobId);
      if (job) this.#failJob(job, error);
    }
  }

  #handleExecutorLost(executorId: string, reason: string): void {
    this.#o.emit({ type: 'executorRemoved', executorId, reason });
    this.#o.cacheLocations.removeExecutor(executorId);
    const lost = this.#o.mapOutputTracker.removeOutputsOnExecutor(executorId);
    if (lost.length > 0) this.#o.logger.warn('executor lost with shuffle outputs', { executorId, shuffles: lost, reason });
  }

  // ---- Jobs ----------------------------------------------------------------------------------------

  #finishJob(job: ActiveJob): void {
    this.#cleanupJob(job);
    this.#o.emit({ type: 'jobEnd', jobId: job.jobId, succeeded: true, time: Date.now() });
    job.onSuccess();
  }

  #failJob(job: ActiveJob, error: Error): void {
    if (!this.#jobs.has(job.jobId)) return;
    // Stop stages no other job needs.
    for (const stage of this.#stagesOf(job)) {
      const others = [...stage.jobIds].filter((id) => id !== job.jobId && this.#jobs.has(id));
      if (others.length === 0 && this.#running.has(stage)) {
        this.#taskScheduler!.cancelTasks(stage.id, error.message);
        this.#markStageFinished(stage, error.message);
      }
    }
    this.#cleanupJob(job);
    this.#o.emit({ type: 'jobEnd', jobId: job.jobId, succeeded: false, error: error.message, time: Date.now() });
    job.onFailure(error);
  }

  #stagesOf(job: ActiveJob): Stage[] {
    return [...this.#stages.values()].filter((s) => s.jobIds.has(job.jobId));
  }

  #cleanupJob(job: ActiveJob): void {
    this.#jobs.delete(job.jobId);
    for (const stage of this.#stagesOf(job)) {
      stage.jobIds.delete(job.jobId);
      if (stage.jobIds.size > 0) continue;
      this.#waiting.delete(stage);
      this.#running.delete(stage);
      this.#failed.delete(stage);
      // Shuffle map stages stay registered so later jobs can skip them; result stages go.
      if (stage.type === 'result') {
        this.#stages.delete(stage.id);
        this.#stageMetrics.delete(stage.id);
      }
    }
    for (const key of [...this.#countedOutputs]) if (key.startsWith(`job:${job.jobId}:`)) this.#countedOutputs.delete(key);
  }
}
