import type { SparkJobConditionType } from './SparkJobConditionType.js';
import type { SparkJobPhase } from './SparkJobPhase.js';

export interface SparkJobCondition {
  readonly type: SparkJobConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
  readonly observedGeneration?: number;
}

/** How the last driver attempt ended. */
export interface DriverFailure {
  readonly attempt: number;
  readonly exitCode?: number;
  readonly reason: string;
  readonly message?: string;
  /** Whether it counted towards restartPolicy.maxAttempts (evictions do not). */
  readonly counted: boolean;
}

/**
 * `status` of a SparkJob, written only through the `/status` subresource. The operator owns
 * everything except `progress` and `summary`, and a final `phase` with `reason`/`message`,
 * which the driver may write itself before exiting (then `finishedBy` is `driver`); the
 * operator never overwrites a final phase.
 */
export interface SparkJobStatus {
  readonly phase?: SparkJobPhase;
  readonly observedGeneration?: number;
  /** Driver pods started so far; the current one is `<job>-driver-<attempts>`. */
  readonly attempts?: number;
  readonly countedFailures?: number;
  readonly driverPod?: string;
  readonly appId?: string;
  readonly progress?: string;
  readonly startTime?: string;
  readonly completionTime?: string;
  /** When a Restarting job starts its next driver (kept in status so a restarted operator keeps the backoff). */
  readonly nextAttemptTime?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly finishedBy?: 'driver' | 'operator';
  readonly lastFailure?: DriverFailure;
  readonly summary?: Record<string, unknown>;
  readonly conditions?: readonly SparkJobCondition[];
}
