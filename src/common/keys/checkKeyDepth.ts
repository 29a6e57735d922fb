import { UserInputError } from '../errors/UserInputError.js';

/** Deeper than this, a key is almost certainly cyclic; failing early beats a stack overflow. */
const MAX_KEY_DEPTH = 256;

/** Throws a UserInputError for an array/object at 0-based nesting `depth` beyond the limit. */
export function checkKeyDepth(depth: number): void {
  if (depth >= MAX_KEY_DEPTH) {
    throw new UserInputError(
      `Invalid key: nested more than ${MAX_KEY_DEPTH} arrays/objects deep (is it cyclic?). Keys must be finite trees of values.`,
      { code: 'INVALID_KEY' },
    );
  }
}
