import { KuberddError } from '../common/errors/KuberddError.js';

type Rec = [unknown, unknown];

/*
 * A record block of [string, string] pairs as StringPairBuffer writes it: each key's UTF-8
 * bytes followed by its value's, record after record, so a writer holding records as bytes
 * copies one byte range per record, and a reader decodes the whole text with one call.
 *
 * Layout (little-endian):
 *   0   u8   STRING_PAIRS (0x02; recordBlockCodec's other layouts start with 0x01 or a CBOR
 *            array byte 0x80–0x9f)
 *   1   u8   flags: ASCII (0x01) when every byte of the text is below 0x80
 *   2   u16  0
 *   4   u32  record count n
 *   8   u32  text byte length
 *   12  u32[2n] UTF-16 lengths: key 0, value 0, key 1, value 1, …
 *   12 + 8n  the text: UTF-8 of key 0, value 0, key 1, value 1, …
 */
export const STRING_PAIRS = 0x02;
export const STRING_PAIRS_ASCII = 0x01;
export const STRING_PAIRS_HEADER_BYTES = 12;

function malformed(problem: string): KuberddError {
  return new KuberddError('DECODE_FAILED', `Malformed string-pair record block: ${problem}`);
}

interface FastSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Decodes a STRING_PAIRS block. Throws KuberddError `DECODE_FAILED` on malformed input. */
export function decodeStringPairBlock(bytes: Uint8Array): Rec[] {
  const out: Rec[] = [];
  for (const batch of stringPairBatches(bytes, Number.MAX_SAFE_INTEGER)) for (const rec of batch) out.push(rec);
  return out;
}

/**
 * The records of a STRING_PAIRS block in batches of at most `batchSize`, made as they are
 * pulled: a merge of many segments then holds a batch per segment as objects, not a block, which
 * kept tens of MiB alive through every young-generation collection. The block is checked whole
 * (and its text decoded once) before the first batch. Throws KuberddError `DECODE_FAILED` on
 * malformed input.
 */
export function* stringPairBatches(bytes: Uint8Array, batchSize: number): Generator<Rec[]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < STRING_PAIRS_HEADER_BYTES) throw malformed('truncated header');
  if (buf[0] !== STRING_PAIRS) throw malformed(`first byte ${buf[0]} is not ${STRING_PAIRS}`);
  const flags = buf[1]!;
  if ((flags & ~STRING_PAIRS_ASCII) !== 0) throw malformed(`unknown flags 0x${flags.toString(16)}`);
  const n = buf.readUInt32LE(4);
  const textBytes = buf.readUInt32LE(8);
  const textAt = STRING_PAIRS_HEADER_BYTES + 8 * n;
  // Checked before allocating anything sized by n: a damaged count must not allocate wildly.
  if (textAt > buf.length) throw malformed(`record count ${n} exceeds the block size`);
  if (textAt + textBytes !== buf.length) throw malformed(`the text takes ${textBytes} bytes after ${textAt}, the block has ${buf.length}`);
  // Copied: the block's offset need not be 4-byte aligned.
  const lengths = new Uint32Array(2 * n);
  new Uint8Array(lengths.buffer).set(buf.subarray(STRING_PAIRS_HEADER_BYTES, textAt));
  const fast = buf as unknown as FastSlices;
  const text = (flags & STRING_PAIRS_ASCII) !== 0 ? fast.latin1Slice(textAt, buf.length) : fast.utf8Slice(textAt, buf.length);
  let total = 0;
  for (let i = 0; i < 2 * n; i++) total += lengths[i]!;
  if (total !== text.length) throw malformed(`the lengths cover ${total} of ${text.length} characters`);
  let pos = 0;
  for (let first = 0; first < n; first += batchSize) {
    const end = Math.min(n, first + batchSize);
    const batch = new Array<Rec>(end - first);
    for (let i = first; i < end; i++) {
      const start = pos;
      const keyEnd = start + lengths[2 * i]!;
      pos = keyEnd + lengths[2 * i + 1]!;
      batch[i - first] = [text.slice(start, keyEnd), text.slice(keyEnd, pos)];
    }
    yield batch;
  }
}
