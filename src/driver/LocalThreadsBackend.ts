import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { encode } from '../common/codec/codec.js';
import type { Logger } from '../common/logging/Logger.js';
import type { CommitRequest } from '../engine/output/PendingCommit.js';
import type { FromLocalWorker, LocalWorkerData, ToLocalWorker } from '../executor/LocalWorkerMessage.js';
import type { SchedulerBackend, TaskSchedulerCallbacks } from '../scheduler/SchedulerBackend.js';

interface LocalExecutor {
  readonly id: string;
  readonly worker: Worker;
  readonly interrupt: Int32Array;
  running: Set<number>;
  ready: boolean;
  stopping: boolean;
}

const fromSources = import.meta.url.endsWith('.ts');
const workerEntry = new URL(`../executor/localWorkerMain${fromSources ? '.ts' : '.js'}`, import.meta.url);

/** Running from sources (tests), the worker entry is TypeScript: load it through tsx. */
function startWorker(workerData: LocalWorkerData): Worker {
  // A larger young generation: tasks allocate records at a high rate and most die young; with
  // V8's default semi-space, scavenges ran so often that batches still in use were promoted.
  const resourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
  if (!fromSources) return new Worker(workerEntry, { workerData, resourceLimits });
  const bootstrap = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(workerEntry.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits });
}

const YOUNG_GENERATION_MB = 96;

/**
 * `local[N]`: N executors, each a worker thread with one task slot (plus a queued task, so a
 * thread never idles waiting for the driver's next message). User functions reach the
 * threads exactly as they reach remote executors: as code plus an encoded environment.
 */
export class LocalThreadsBackend implements SchedulerBackend {
  readonly #executors = new Map<string, LocalExecutor>();
  #callbacks: TaskSchedulerCallbacks | undefined;
  #nextExecutor = 0;
  #reviveScheduled = false;
  #stopped = false;

  constructor(
    private readonly threads: number,
    private readonly localDir: string,
    private readonly logger: Logger,
    private readonly slotsPerThread = 2,
    /** Each executor's memory budget for cached partitions; undefined: the executor's default. */
    private readonly storageBytes?: number,
    /** Each task's shuffle buffer budget (`kuberdd.shuffle.spillBytes`); undefined: the executor's default. */
    private readonly shuffleSpillBytes?: number,
  ) {}

  async start(callbacks: TaskSchedulerCallbacks): Promise<void> {
    this.#callbacks = callbacks;
    mkdirSync(this.localDir, { recursive: true });
    await Promise.all(Array.from({ length: this.threads }, () => this.#spawn()));
  }

  defaultParallelism(): number {
    return this.threads;
  }

  reviveOffers(): void {
    // Coalesce bursts of revives (every status update asks for one) into one offer round.
    if (this.#reviveScheduled || this.#stopped) return;
    this.#reviveScheduled = true;
    queueMicrotask(() => {
      this.#reviveScheduled = false;
      this.#makeOffers();
    });
  }

  killTask(taskId: number, executorId: string): void {
    const ex = this.#executors.get(executorId);
    if (ex === undefined) return;
    // A thread busy computing reads its messages only between tasks, so the kill also goes
    // through shared memory, one slot per task it holds: marking one task must not unmark
    // another (a thread holds a running and a queued task, and a job kills both).
    if (ex.running.has(taskId) && !ex.interrupt.includes(taskId + 1)) {
      const free = ex.interrupt.indexOf(0);
      if (free >= 0) Atomics.store(ex.interrupt, free, taskId + 1);
    }
    this.#send(ex, { t: 'kill', taskId });
  }

  removeRdd(rddId: number): void {
    for (const ex of this.#executors.values()) this.#send(ex, { t: 'removeRdd', rddId });
  }

  removeShuffle(shuffleId: number): void {
    for (const ex of this.#executors.values()) this.#send(ex, { t: 'removeShuffle', shuffleId });
  }

  removeBroadcast(id: number): void {
    for (const ex of this.#executors.values()) this.#send(ex, { t: 'removeBroadcast', id });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(
      [...this.#executors.values()].map(
        (ex) =>
          new Promise<void>((resolve) => {
            ex.stopping = true;
            const timer = setTimeout(() => void ex.worker.terminate().then(() => resolve()), 2000);
            ex.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            this.#send(ex, { t: 'shutdown' });
          }),
      ),
    );
    this.#executors.clear();
  }

  #spawn(): Promise<void> {
    const id = `local-${this.#nextExecutor++}`;
    // One slot per task the thread may hold (running or queued): 0, or the id+1 of a task to kill.
    const interrupt = new SharedArrayBuffer(4 * Math.max(1, Math.ceil(this.slotsPerThread)));
    const data: LocalWorkerData = {
      executorId: id,
      localDir: path.join(this.localDir, id),
      interrupt,
      logLevel: 'info',
      ...(this.storageBytes === undefined ? {} : { storageBytes: this.storageBytes }),
      ...(this.shuffleSpillBytes === undefined ? {} : { shuffleSpillBytes: this.shuffleSpillBytes }),
    };
    const worker = startWorker(data);
    const ex: LocalExecutor = { id, worker, interrupt: new Int32Array(interrupt), running: new Set(), ready: false, stopping: false };
    this.#executors.set(id, ex);
    return new Promise((resolve, reject) => {
      worker.on('message', (batch: FromLocalWorker[]) => {
        for (const msg of batch) {
          if (msg.t === 'ready') {
            ex.ready = true;
            this.#callbacks!.executorAdded(id, 'localhost', 1);
            resolve();
          } else {
            this.#onMessage(ex, msg);
          }
        }
      });
      worker.on('error', (error) => {
        this.logger.error('executor thread crashed', { executorId: id, error: String(error.stack ?? error) });
        if (!ex.ready) reject(error);
      });
      worker.on('exit', (code) => {
        if (ex.stopping || this.#stopped) return;
        // A thread that died (out of memory, a crash in native code) is a lost executor: its
        // tasks and outputs are recomputed elsewhere, and a fresh thread takes its place.
        this.#executors.delete(id);
        this.#callbacks!.executorLost(id, `executor thread exited with code ${code}`);
        void this.#spawn().catch((e: unknown) => this.logger.error('could not replace a lost executor thread', { error: String(e) }));
      });
    });
  }

  #onMessage(ex: LocalExecutor, msg: FromLocalWorker): void {
    switch (msg.t) {
      case 'started':
        this.#callbacks!.taskStarted(msg.taskId);
        break;
      case 'status':
        ex.running.delete(msg.update.taskId);
        for (let i = 0; i < ex.interrupt.length; i++) {
          if (Atomics.load(ex.interrupt, i) === msg.update.taskId + 1) Atomics.store(ex.interrupt, i, 0);
        }
        this.#callbacks!.statusUpdate(msg.update);
        break;
      case 'request': {
        let reply: ToLocalWorker;
        try {
          const bytes =
            msg.what === 'broadcast'
              ? this.#callbacks!.fetchBroadcast(Number(msg.key), ex.id)
              : msg.what === 'commit'
                ? encode(this.#callbacks!.canCommit(JSON.parse(msg.key) as CommitRequest))
                : this.#callbacks!.fetchStageBinary(msg.key);
          reply =
            bytes === undefined
              ? { t: 'reply', requestId: msg.requestId, error: `stage binary ${msg.key} is no longer available` }
              : { t: 'reply', requestId: msg.requestId, bytes };
        } catch (error) {
          reply = { t: 'reply', requestId: msg.requestId, error: String((error as Error).message ?? error) };
        }
        this.#send(ex, reply);
        break;
      }
      case 'ready':
      case 'stopped':
        break;
    }
  }

  #makeOffers(): void {
    if (this.#stopped || this.#callbacks === undefined) return;
    const offers = [...this.#executors.values()]
      .filter((ex) => ex.ready && !ex.stopping && ex.running.size < this.slotsPerThread)
      .map((ex) => ({ executorId: ex.id, host: 'localhost', freeSlots: this.slotsPerThread - ex.running.size }));
    if (offers.length === 0) return;
    for (const task of this.#callbacks.resourceOffers(offers)) {
      const ex = this.#executors.get(task.executorId);
      if (ex === undefined) continue;
      ex.running.add(task.taskId);
      this.#send(ex, { t: 'launch', task });
    }
  }

  #send(ex: LocalExecutor, msg: ToLocalWorker): void {
    try {
      ex.worker.postMessage(msg);
    } catch (error) {
      this.logger.warn('could not message executor thread', { executorId: ex.id, error: String(error) });
    }
  }
}
