import { KuberddError } from '../common/errors/KuberddError.js';

/** `nats-server` is needed (local-cluster, tests) but is not on PATH. */
export class NatsServerNotFoundError extends KuberddError {
  override name = 'NatsServerNotFoundError';

  constructor(options?: { cause?: unknown }) {
    super(
      'NATS_SERVER_NOT_FOUND',
      'nats-server was not found on PATH. Install it: apt-get install -y nats-server, or pass --nats <url> to use a running NATS server.',
      options,
    );
  }
}
