import { KuberddError } from './KuberddError.js';

/** Where a job failed: enough for a person to find the failing code and data. */
export interface FailureSite {
  readonly jobId: number;
  readonly stageId: number;
  readonly partition: number;
  readonly attempts: number;
  /** The user's own stack frame nearest the throw, e.g. `at job.ts:12:7`, if one was found. */
  readonly userFrame?: string;
  /** The remote error's name, message and stack as seen on the executor. */
  readonly remoteName: string;
  readonly remoteMessage: string;
  readonly remoteStack?: string;
}

/** An action failed because a task failed too often (or a stage could not be computed). */
export class JobFailedError extends KuberddError {
  override name = 'JobFailedError';
  readonly site: FailureSite | undefined;
  constructor(message: string, site?: FailureSite) {
    super('JOB_FAILED', message);
    this.site = site;
  }
}
