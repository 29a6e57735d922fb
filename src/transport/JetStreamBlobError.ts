import { KuberddError } from '../common/errors/KuberddError.js';

/** What went wrong in the JetStream blob store; stable, for callers that react differently to each. */
export type JetStreamBlobErrorCode =
  | 'CONNECT_FAILED'
  | 'JETSTREAM_UNAVAILABLE'
  | 'BAD_NAME'
  | 'BAD_RANGE'
  | 'CORRUPT'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'CLOSED'
  | 'FAILED';

/** A failure of JetStreamBlobStore: connecting, storing, reading (CORRUPT names the blob and chunk). */
export class JetStreamBlobError extends KuberddError {
  override name = 'JetStreamBlobError';

  constructor(code: JetStreamBlobErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
