import type { SparkListenerEvent } from './SparkListenerEvent.js';
import type { StageCounters } from './StageCounters.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

interface Entry {
  readonly counters: Mutable<StageCounters>;
  /** Stage attempt → partitions whose records were counted, while the attempt runs. */
  readonly counted: Map<number, Set<number>>;
  /** Attempts that completed: a success reported later is a duplicate copy's, and adds no records. */
  readonly closed: Set<number>;
}

/**
 * Sums task counters per stage from listener events (see StageCounters for what counts).
 * Feeds `sc.statusTracker()` and the CLI's summary table. Keeps the latest `maxStages` stages.
 */
export class StageCountersAggregator {
  readonly #stages = new Map<number, Entry>();

  constructor(private readonly maxStages = 1000) {}

  onEvent(event: SparkListenerEvent): void {
    switch (event.type) {
      case 'stageSubmitted':
        this.#entry(event.stageId, event.name).counters.attempts++;
        return;
      case 'taskEnd': {
        const entry = this.#entry(event.stageId, undefined);
        const c = entry.counters;
        const m = event.metrics;
        c.taskTimeMs += m.executorRunTimeMs ?? 0;
        if (event.speculative === true) c.tasks.speculative++;
        if (!event.successful) {
          if (event.killed ?? /\bkill/i.test(event.reason ?? '')) c.tasks.killed++;
          else c.tasks.failed++;
          return;
        }
        c.tasks.succeeded++;
        const attempt = event.stageAttempt ?? 0;
        if (entry.closed.has(attempt)) return;
        let counted = entry.counted.get(attempt);
        if (counted === undefined) entry.counted.set(attempt, (counted = new Set()));
        if (counted.has(event.partition)) return;
        counted.add(event.partition);
        c.recordsIn += m.recordsIn ?? 0;
        c.recordsOut += m.recordsOut ?? 0;
        c.shuffleBytesWritten += m.shuffleBytesWritten;
        c.shuffleBytesRead += m.shuffleBytesRead;
        c.spillBytes += m.spillBytes;
        c.skippedRecords += m.skippedRecords ?? 0;
        return;
      }
      case 'stageCompleted': {
        const entry = this.#stages.get(event.stageId);
        entry?.counted.delete(event.attempt);
        entry?.closed.add(event.attempt);
        return;
      }
      default:
        return;
    }
  }

  /** Every stage seen, by stage id (copies). */
  stages(): StageCounters[] {
    return [...this.#stages.values()].map((e) => copy(e.counters)).sort((a, b) => a.stageId - b.stageId);
  }

  stage(stageId: number): StageCounters | undefined {
    const e = this.#stages.get(stageId);
    return e === undefined ? undefined : copy(e.counters);
  }

  #entry(stageId: number, name: string | undefined): Entry {
    let e = this.#stages.get(stageId);
    if (e === undefined) {
      e = {
        counters: {
          stageId,
          name: name ?? `stage ${stageId}`,
          attempts: 0,
          tasks: { succeeded: 0, failed: 0, killed: 0, speculative: 0 },
          recordsIn: 0,
          recordsOut: 0,
          shuffleBytesWritten: 0,
          shuffleBytesRead: 0,
          spillBytes: 0,
          taskTimeMs: 0,
          skippedRecords: 0,
        },
        counted: new Map(),
        closed: new Set(),
      };
      this.#stages.set(stageId, e);
      if (this.#stages.size > this.maxStages) this.#stages.delete(this.#stages.keys().next().value!);
    } else if (name !== undefined) {
      e.counters.name = name;
    }
    return e;
  }
}

function copy(c: StageCounters): StageCounters {
  return { ...c, tasks: { ...c.tasks } };
}
