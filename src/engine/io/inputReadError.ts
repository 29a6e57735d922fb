import { UserInputError } from '../../common/errors/UserInputError.js';

/** The error for an input file that exists (or existed at planning) but could not be read or decoded. */
export function inputReadError(path: string, what: string, cause: unknown): UserInputError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new UserInputError(`Cannot ${what} input file ${path}: ${detail}`, { code: 'INPUT_UNREADABLE', cause });
}
