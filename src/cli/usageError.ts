import { KuberddError } from '../common/errors/KuberddError.js';
import { UserInputError } from '../common/errors/UserInputError.js';

const USAGE = 'USAGE';

/** A mistake on the command line, with a hint on how to get it right; the CLI exits with 2. */
export function usageError(problem: string, usage: string): UserInputError {
  return new UserInputError(`${problem}\n${usage}`, { code: USAGE });
}

export function isUsageError(error: unknown): boolean {
  return error instanceof KuberddError && error.code === USAGE;
}
