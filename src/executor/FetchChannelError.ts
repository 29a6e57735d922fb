import { KuberddError } from '../common/errors/KuberddError.js';

/** A fetch through the executor's main thread failed, or produced nothing for too long. */
export class FetchChannelError extends KuberddError {
  override name = 'FetchChannelError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('FETCH_FAILED', message, options);
  }
}
