import { inputReadError } from './inputReadError.js';
import { readFileBytes } from './readFileBytes.js';
import type { WholeFileSplit } from './WholeFileSplit.js';

/** Batches are cut by count and by bytes, since one whole file can be large. */
const MAX_BATCH_FILES = 4096;
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/**
 * `[path, content]` for each file of the split, in batches. The path is the absolute local path
 * as listed (Spark gives a `file:` URI instead). Content is the whole file decoded as UTF-8,
 * gunzipped first for `.gz`; unlike `textFile`, a byte-order mark is kept, as in Spark.
 *
 * @throws UserInputError `INPUT_UNREADABLE` naming the file when it cannot be read or decompressed.
 */
export function* readWholeFiles(split: WholeFileSplit): Generator<[string, string][]> {
  let batch: [string, string][] = [];
  let bytes = 0;
  for (const file of split.files) {
    const data = readFileBytes(file.path);
    let content: string;
    try {
      content = data.toString('utf8');
    } catch (err) {
      // Files over ~512 MiB of text cannot be one JavaScript string.
      throw inputReadError(file.path, 'decode', err);
    }
    batch.push([file.path, content]);
    bytes += data.length;
    if (batch.length >= MAX_BATCH_FILES || bytes >= MAX_BATCH_BYTES) {
      yield batch;
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) yield batch;
}
