import { decode } from '../../common/codec/codec.js';
import { readFramedBlocks } from '../../common/codec/frameBlock.js';
import { KuberddError } from '../../common/errors/KuberddError.js';
import { readFileBytes } from '../io/readFileBytes.js';

const HEADER_BYTES = 12;

/**
 * The record batches of one object file (`saveAsObjectFile` output): each frame holds one
 * CBOR-encoded array of records. A damaged or truncated file fails with KuberddError
 * `CORRUPT_BLOCK` naming the file and the byte offset of the bad frame.
 */
export function* readObjectFile(file: string): Generator<unknown[]> {
  const buf = readFileBytes(file);
  for (const payload of readFramedBlocks(buf, file)) {
    const offset = payload.byteOffset - buf.byteOffset - HEADER_BYTES;
    let records: unknown;
    try {
      records = decode(payload);
    } catch (error) {
      throw new KuberddError('CORRUPT_BLOCK', `Corrupt block in ${file} at byte offset ${offset}: its records cannot be decoded (${(error as Error).message})`, {
        cause: error,
      });
    }
    if (!Array.isArray(records)) {
      throw new KuberddError('CORRUPT_BLOCK', `Corrupt block in ${file} at byte offset ${offset}: expected an array of records; is this an object file (saveAsObjectFile output)?`);
    }
    yield records;
  }
}
