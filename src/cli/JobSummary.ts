import type { SparkListener, SparkListenerEvent } from '../scheduler/SparkListenerEvent.js';
import { StageCountersAggregator } from '../scheduler/StageCountersAggregator.js';
import { formatJobSummary, type JobSummaryStats } from './formatJobSummary.js';

/**
 * Counts what a run did from scheduler events, for the summary the CLI prints at the end.
 * Records and bytes are summed over successful task attempts only (one per partition), so
 * retries and speculative copies do not count twice; see StageCounters.
 */
export class JobSummary {
  readonly listener: SparkListener = (event) => this.onEvent(event);

  private readonly startedAt: number;
  private readonly jobs = { succeeded: 0, failed: 0 };
  private readonly stages = { run: 0, skipped: 0, failed: 0 };
  private readonly tasks = { succeeded: 0, failed: 0, killed: 0, speculative: 0 };
  private readonly perStage = new StageCountersAggregator();

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  stats(): JobSummaryStats {
    const stageCounters = this.perStage.stages().filter((c) => c.tasks.succeeded + c.tasks.failed + c.tasks.killed > 0);
    const sum = (f: (c: (typeof stageCounters)[number]) => number): number => stageCounters.reduce((n, c) => n + f(c), 0);
    return {
      jobs: { ...this.jobs },
      stages: { ...this.stages },
      tasks: { ...this.tasks },
      wallTimeMs: this.now() - this.startedAt,
      shuffleBytesWritten: sum((c) => c.shuffleBytesWritten),
      shuffleBytesRead: sum((c) => c.shuffleBytesRead),
      spillBytes: sum((c) => c.spillBytes),
      skippedRecords: sum((c) => c.skippedRecords),
      stageCounters,
    };
  }

  format(): string {
    return formatJobSummary(this.stats());
  }

  private onEvent(event: SparkListenerEvent): void {
    this.perStage.onEvent(event);
    switch (event.type) {
      case 'jobEnd':
        if (event.succeeded) this.jobs.succeeded++;
        else this.jobs.failed++;
        break;
      case 'stageSkipped':
        this.stages.skipped++;
        break;
      case 'stageCompleted':
        if (event.failureReason === undefined) this.stages.run++;
        else this.stages.failed++;
        break;
      case 'taskEnd':
        if (event.speculative === true) this.tasks.speculative++;
        if (event.successful) this.tasks.succeeded++;
        // Events from older producers have no kill flag; their reason for a killed attempt says so.
        else if (event.killed ?? /\bkill/i.test(event.reason ?? '')) this.tasks.killed++;
        else this.tasks.failed++;
        break;
      default:
        break;
    }
  }
}
