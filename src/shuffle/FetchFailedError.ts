import { KuberddError } from '../common/errors/KuberddError.js';

/** Which map output block could not be read. */
export interface FetchFailedSite {
  readonly shuffleId: number;
  readonly mapId: number;
  readonly reduceId: number;
  /** The executor that was supposed to serve the block. */
  readonly executorId: string;
}

/**
 * A reducer could not get (or could not decode) one map output's block. Unlike an ordinary task
 * failure this is not retried as-is: the scheduler recomputes that map output and then the reducer.
 */
export class FetchFailedError extends KuberddError {
  override name = 'FetchFailedError';
  readonly shuffleId: number;
  readonly mapId: number;
  readonly reduceId: number;
  readonly executorId: string;

  constructor(site: FetchFailedSite, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'FETCH_FAILED',
      `Could not fetch shuffle ${site.shuffleId} map ${site.mapId} reduce ${site.reduceId} ` +
        `from executor ${site.executorId}: ${why}`,
      { cause },
    );
    this.shuffleId = site.shuffleId;
    this.mapId = site.mapId;
    this.reduceId = site.reduceId;
    this.executorId = site.executorId;
  }
}
