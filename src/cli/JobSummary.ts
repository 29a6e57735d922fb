import type { SparkListener, SparkListenerEvent } from '../scheduler/SparkListenerEvent.js';
import { formatJobSummary, type JobSummaryStats } from './formatJobSummary.js';

/**
 * Counts what a run did from scheduler events, for the summary the CLI prints at the end.
 * Metrics are summed over successful task attempts only, so retries do not count twice.
 */
export class JobSummary {
  readonly listener: SparkListener = (event) => this.onEvent(event);

  private readonly startedAt: number;
  private readonly jobs = { succeeded: 0, failed: 0 };
  private readonly stages = { run: 0, skipped: 0, failed: 0 };
  private readonly tasks = { succeeded: 0, failed: 0, killed: 0 };
  private shuffleBytesWritten = 0;
  private shuffleBytesRead = 0;
  private recordsRead = 0;
  private recordsWritten = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  stats(): JobSummaryStats {
    return {
      jobs: { ...this.jobs },
      stages: { ...this.stages },
      tasks: { ...this.tasks },
      wallTimeMs: this.now() - this.startedAt,
      shuffleBytesWritten: this.shuffleBytesWritten,
      shuffleBytesRead: this.shuffleBytesRead,
      recordsRead: this.recordsRead,
      recordsWritten: this.recordsWritten,
    };
  }

  format(): string {
    return formatJobSummary(this.stats());
  }

  private onEvent(event: SparkListenerEvent): void {
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
        if (event.successful) {
          this.tasks.succeeded++;
          this.shuffleBytesWritten += event.metrics.shuffleBytesWritten;
          this.shuffleBytesRead += event.metrics.shuffleBytesRead;
          this.recordsRead += event.metrics.recordsRead;
          this.recordsWritten += event.metrics.recordsWritten;
        } else if (/\bkill/i.test(event.reason ?? '')) {
          // The event has no kill flag; the scheduler's reason for a killed attempt says so
          // (speculative losers, cancelled jobs).
          this.tasks.killed++;
        } else {
          this.tasks.failed++;
        }
        break;
      default:
        break;
    }
  }
}
