import { KuberddError } from './KuberddError.js';

/** A user function cannot be shipped to executors (a free variable, a native function, …). */
export class ClosureError extends KuberddError {
  override name = 'ClosureError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLOSURE', message, options);
  }
}
