import { KuberddError } from './KuberddError.js';

/** Bad input from the user: a missing file, a bad option, an RDD of the wrong element type. */
export class UserInputError extends KuberddError {
  override name = 'UserInputError';
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'USER_INPUT', message, options);
  }
}
