import { KuberddError } from '../common/errors/KuberddError.js';

/** What went wrong on the message bus; stable, for callers that react differently to each. */
export type TransportErrorCode =
  | 'CONNECT_FAILED'
  | 'AUTH_FAILED'
  | 'TIMEOUT'
  | 'NO_RESPONDERS'
  | 'ABORTED'
  | 'PAYLOAD_TOO_LARGE'
  | 'BAD_SUBJECT'
  | 'CLOSED'
  | 'PUBLISH_FAILED';

/** A failure of the NATS message bus (MessageBus): connecting, publishing, requests. */
export class TransportError extends KuberddError {
  override name = 'TransportError';

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
