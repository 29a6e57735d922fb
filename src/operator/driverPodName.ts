/** The driver pod of a job's attempt: deterministic, so creating it twice is harmless. */
export function driverPodName(jobName: string, attempt: number): string {
  return `${jobName}-driver-${attempt}`;
}
