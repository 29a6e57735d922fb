import { KuberddError } from './KuberddError.js';

/** An action was cancelled (by `cancelJobGroup`, `cancelAllJobs` or `stop`) before it finished. */
export class JobCancelledError extends KuberddError {
  override name = 'JobCancelledError';
  constructor(message: string) {
    super('JOB_CANCELLED', message);
  }
}
