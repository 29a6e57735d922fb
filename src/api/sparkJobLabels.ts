/**
 * Labels kuberdd puts on the pods of a SparkJob. Executor pods carry them too (written by the
 * driver), so one selector finds everything a job runs.
 */
export const sparkJobLabels = {
  /** The SparkJob's name. */
  job: 'kuberdd.io/job',
  /** `driver` or `executor`. */
  role: 'kuberdd.io/role',
  /** The driver attempt (1, 2, …) that made the pod. */
  attempt: 'kuberdd.io/attempt',
} as const;
