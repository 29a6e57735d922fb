import { KuberddError } from '../common/errors/KuberddError.js';

/** A nats-server child process exited, or never accepted connections, while starting. */
export class NatsServerStartError extends KuberddError {
  override name = 'NatsServerStartError';
  /** The last lines the server wrote to stderr (its log), usually naming the problem. */
  readonly stderrTail: string;

  constructor(message: string, stderrTail: string, options?: { cause?: unknown }) {
    super('NATS_SERVER_START_FAILED', stderrTail === '' ? message : `${message}\nnats-server said:\n${stderrTail}`, options);
    this.stderrTail = stderrTail;
  }
}
