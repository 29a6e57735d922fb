import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { inputReadError } from './inputReadError.js';
import { isGzipPath } from './isGzipPath.js';

/**
 * The whole content of an input file, gunzipped when its name ends in `.gz` (all concatenated
 * gzip members, as `gzip -c a b > c` produces). Synchronous because tasks compute synchronously.
 */
export function readFileBytes(path: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    throw inputReadError(path, 'read', err);
  }
  // An empty .gz file is common output of jobs that wrote nothing; Hadoop reads it as no records.
  if (!isGzipPath(path) || raw.length === 0) return raw;
  try {
    return gunzipSync(raw);
  } catch (err) {
    throw inputReadError(path, 'decompress gzip', err);
  }
}
