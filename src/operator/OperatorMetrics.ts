import { sparkJobPhases, type SparkJobPhase } from '../api/SparkJobPhase.js';

const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The operator's Prometheus metrics, rendered in the text exposition format (0.0.4):
 * SparkJobs by phase (counted at scrape time), reconcile latency by result, driver restarts
 * and executor pod failures.
 */
export class OperatorMetrics {
  readonly #jobsByPhase: () => Map<SparkJobPhase, number>;
  readonly #latency = new Map<'success' | 'error', { buckets: number[]; sum: number; count: number }>();
  driverRestarts = 0;
  executorFailures = 0;

  constructor(jobsByPhase: () => Map<SparkJobPhase, number>) {
    this.#jobsByPhase = jobsByPhase;
  }

  observeReconcile(seconds: number, result: 'success' | 'error'): void {
    let h = this.#latency.get(result);
    if (h === undefined) {
      h = { buckets: LATENCY_BUCKETS_S.map(() => 0), sum: 0, count: 0 };
      this.#latency.set(result, h);
    }
    for (let i = 0; i < LATENCY_BUCKETS_S.length; i++) if (seconds <= LATENCY_BUCKETS_S[i]!) h.buckets[i]!++;
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const lines: string[] = [];
    lines.push('# HELP kuberdd_sparkjobs SparkJobs by phase.', '# TYPE kuberdd_sparkjobs gauge');
    const byPhase = this.#jobsByPhase();
    for (const phase of sparkJobPhases) lines.push(`kuberdd_sparkjobs{phase="${phase}"} ${byPhase.get(phase) ?? 0}`);
    lines.push('# HELP kuberdd_reconcile_duration_seconds Time of one reconcile of a SparkJob.', '# TYPE kuberdd_reconcile_duration_seconds histogram');
    for (const result of ['success', 'error'] as const) {
      const h = this.#latency.get(result) ?? { buckets: LATENCY_BUCKETS_S.map(() => 0), sum: 0, count: 0 };
      LATENCY_BUCKETS_S.forEach((le, i) => lines.push(`kuberdd_reconcile_duration_seconds_bucket{result="${result}",le="${le}"} ${h.buckets[i]}`));
      lines.push(`kuberdd_reconcile_duration_seconds_bucket{result="${result}",le="+Inf"} ${h.count}`);
      lines.push(`kuberdd_reconcile_duration_seconds_sum{result="${result}"} ${h.sum}`);
      lines.push(`kuberdd_reconcile_duration_seconds_count{result="${result}"} ${h.count}`);
    }
    lines.push('# HELP kuberdd_driver_restarts_total Driver pods created for a later attempt of a job.', '# TYPE kuberdd_driver_restarts_total counter');
    lines.push(`kuberdd_driver_restarts_total ${this.driverRestarts}`);
    lines.push('# HELP kuberdd_executor_failures_total Executor pods seen failing.', '# TYPE kuberdd_executor_failures_total counter');
    lines.push(`kuberdd_executor_failures_total ${this.executorFailures}`);
    return `${lines.join('\n')}\n`;
  }
}
