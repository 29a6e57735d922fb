import { decode, encode } from '../common/codec/codec.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import { decodeStringPairBlock, STRING_PAIRS, stringPairBatches } from './stringPairBlock.js';

type Rec = [unknown, unknown];

/*
 * The payload of a shuffle block: a batch of [key, value] records.
 *
 * Most shuffles carry string keys with string or number values, where per-record CBOR costs
 * more than everything else in the shuffle (the reference measurements: a codec moves
 * 30–180 MB/s per core). Such batches are written column by column instead: each string column
 * as one UTF-8 run plus lengths, each number column as a Float64Array. Everything else stays
 * CBOR. A CBOR array always starts with a byte in 0x80–0x9f, so one leading byte tells them apart.
 * A third layout, STRING_PAIRS (0x02, see stringPairBlock), is written by StringPairBuffer and
 * read here too.
 *
 * Columnar layout (little-endian):
 *   0  u8   COLUMNAR (0x01)
 *   1  u8   key column kind, u8 value column kind   (KIND_STRING | KIND_NUMBER | KIND_CBOR)
 *   3  u8   0 (padding)
 *   4  u32  record count n
 *   8  the key column, then the value column; each starts on a multiple of 8 bytes:
 *      string: u32 byteLength, u32[n] UTF-16 lengths, then the UTF-8 bytes of all strings joined
 *      number: f64[n]
 *      cbor:   u32 byteLength, then a CBOR array of the n values
 */
const COLUMNAR = 0x01;
const KIND_STRING = 1;
const KIND_NUMBER = 2;
const KIND_CBOR = 3;
const HEADER_BYTES = 8;

type Kind = typeof KIND_STRING | typeof KIND_NUMBER | typeof KIND_CBOR;

function columnKind(recs: readonly Rec[], col: 0 | 1): Kind {
  const first = recs[0]![col];
  if (typeof first === 'string') {
    for (let i = 1; i < recs.length; i++) if (typeof recs[i]![col] !== 'string') return KIND_CBOR;
    return KIND_STRING;
  }
  if (typeof first === 'number') {
    for (let i = 1; i < recs.length; i++) if (typeof recs[i]![col] !== 'number') return KIND_CBOR;
    return KIND_NUMBER;
  }
  return KIND_CBOR;
}

const align8 = (n: number): number => (n + 7) & ~7;

interface EncodedColumn {
  readonly kind: Kind;
  readonly bytes: number;
  write(out: Buffer, at: number): void;
}

function stringColumn(recs: readonly Rec[], col: 0 | 1): EncodedColumn | undefined {
  const n = recs.length;
  const lengths = new Uint32Array(n);
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const s = recs[i]![col] as string;
    parts[i] = s;
    lengths[i] = s.length;
  }
  const joined = parts.join('');
  // Lone surrogates do not survive UTF-8: such batches keep the codec's escaping path.
  if (!(joined as unknown as { isWellFormed(): boolean }).isWellFormed()) return undefined;
  const byteLength = Buffer.byteLength(joined, 'utf8');
  return {
    kind: KIND_STRING,
    bytes: align8(4 + 4 * n + byteLength),
    write(out, at) {
      out.writeUInt32LE(byteLength, at);
      new Uint32Array(out.buffer, out.byteOffset + at + 4, n).set(lengths);
      out.write(joined, at + 4 + 4 * n, byteLength, 'utf8');
    },
  };
}

function numberColumn(recs: readonly Rec[], col: 0 | 1): EncodedColumn {
  const n = recs.length;
  return {
    kind: KIND_NUMBER,
    bytes: 8 * n,
    write(out, at) {
      const values = new Float64Array(out.buffer, out.byteOffset + at, n);
      for (let i = 0; i < n; i++) values[i] = recs[i]![col] as number;
    },
  };
}

function cborColumn(recs: readonly Rec[], col: 0 | 1): EncodedColumn {
  const values = new Array<unknown>(recs.length);
  for (let i = 0; i < recs.length; i++) values[i] = recs[i]![col];
  const encoded = encode(values);
  return {
    kind: KIND_CBOR,
    bytes: align8(4 + encoded.length),
    write(out, at) {
      out.writeUInt32LE(encoded.length, at);
      out.set(encoded, at + 4);
    },
  };
}

function column(recs: readonly Rec[], col: 0 | 1, kind: Kind): EncodedColumn | undefined {
  return kind === KIND_STRING ? stringColumn(recs, col) : kind === KIND_NUMBER ? numberColumn(recs, col) : cborColumn(recs, col);
}

/** Encodes a batch of [key, value] records (columnar when it pays, CBOR otherwise). */
export function encodeRecords(recs: readonly Rec[]): Uint8Array {
  if (recs.length === 0) return encode(recs);
  const keyKind = columnKind(recs, 0);
  const valueKind = columnKind(recs, 1);
  if (keyKind === KIND_CBOR && valueKind === KIND_CBOR) return encode(recs);
  const keys = column(recs, 0, keyKind);
  const values = keys && column(recs, 1, valueKind);
  if (keys === undefined || values === undefined) return encode(recs);
  // Zero-filled (not allocUnsafe): padding bytes must not leak old memory into files and messages.
  const out = Buffer.alloc(HEADER_BYTES + keys.bytes + values.bytes);
  out[0] = COLUMNAR;
  out[1] = keys.kind;
  out[2] = values.kind;
  out.writeUInt32LE(recs.length, 4);
  keys.write(out, HEADER_BYTES);
  values.write(out, HEADER_BYTES + keys.bytes);
  return out;
}

function malformed(problem: string): KuberddError {
  return new KuberddError('DECODE_FAILED', `Malformed columnar record block: ${problem}`);
}

/** Reads one column into `out`; returns the byte length it took. */
function readColumn(buf: Buffer, at: number, kind: number, n: number, out: unknown[]): number {
  switch (kind) {
    case KIND_STRING: {
      if (at + 4 + 4 * n > buf.length) throw malformed('string column lengths run past the end');
      const byteLength = buf.readUInt32LE(at);
      const textAt = at + 4 + 4 * n;
      if (textAt + byteLength > buf.length) throw malformed('string column bytes run past the end');
      // Copy the lengths: the block's offset need not be 4-byte aligned.
      const lengths = new Uint32Array(n);
      new Uint8Array(lengths.buffer).set(buf.subarray(at + 4, textAt));
      const text = buf.toString('utf8', textAt, textAt + byteLength);
      let pos = 0;
      for (let i = 0; i < n; i++) {
        const end = pos + lengths[i]!;
        if (end > text.length) throw malformed(`string ${i} ends past its column (${end} > ${text.length} characters)`);
        out[i] = text.slice(pos, end);
        pos = end;
      }
      if (pos !== text.length) throw malformed(`string lengths cover ${pos} of ${text.length} characters`);
      return align8(4 + 4 * n + byteLength);
    }
    case KIND_NUMBER: {
      if (at + 8 * n > buf.length) throw malformed('number column runs past the end');
      const values = new Float64Array(n);
      new Uint8Array(values.buffer).set(buf.subarray(at, at + 8 * n));
      for (let i = 0; i < n; i++) out[i] = values[i];
      return 8 * n;
    }
    case KIND_CBOR: {
      if (at + 4 > buf.length) throw malformed('value column header runs past the end');
      const byteLength = buf.readUInt32LE(at);
      if (at + 4 + byteLength > buf.length) throw malformed('value column runs past the end');
      const values = decode<unknown>(buf.subarray(at + 4, at + 4 + byteLength));
      if (!Array.isArray(values) || values.length !== n) throw malformed(`value column holds ${Array.isArray(values) ? values.length : typeof values}, expected ${n} values`);
      for (let i = 0; i < n; i++) out[i] = values[i];
      return align8(4 + byteLength);
    }
    default:
      throw malformed(`unknown column kind ${kind}`);
  }
}

/** Decodes a block made by encodeRecords. Throws KuberddError `DECODE_FAILED` on malformed input. */
export function decodeRecords(bytes: Uint8Array): Rec[] {
  if (bytes.length > 0 && bytes[0] === STRING_PAIRS) return decodeStringPairBlock(bytes);
  if (bytes.length === 0 || bytes[0] !== COLUMNAR) {
    const recs = decode<unknown>(bytes);
    if (!Array.isArray(recs)) throw new KuberddError('DECODE_FAILED', `a shuffle block decoded to ${typeof recs}, not a record array`);
    return recs as Rec[];
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER_BYTES) throw malformed('truncated header');
  const n = buf.readUInt32LE(4);
  // Every record takes at least a byte per column, so a count beyond the size is corrupt (and must not allocate).
  if (n > buf.length) throw malformed(`record count ${n} exceeds the block size`);
  const keys = new Array<unknown>(n);
  const values = new Array<unknown>(n);
  const keyBytes = readColumn(buf, HEADER_BYTES, buf[1]!, n, keys);
  const end = HEADER_BYTES + keyBytes + readColumn(buf, HEADER_BYTES + keyBytes, buf[2]!, n, values);
  if (end !== buf.length) throw malformed(`the columns take ${end} bytes, the block has ${buf.length}`);
  const recs = new Array<Rec>(n);
  for (let i = 0; i < n; i++) recs[i] = [keys[i], values[i]];
  return recs;
}

/**
 * decodeRecords in batches of at most `batchSize` where the layout allows making records as
 * they are pulled (STRING_PAIRS); other layouts come as one batch. A reader merging many
 * segments then holds a batch per segment as objects, not a block (see stringPairBatches).
 */
export function* decodeRecordBatches(bytes: Uint8Array, batchSize = 512): Generator<Rec[]> {
  if (bytes.length > 0 && bytes[0] === STRING_PAIRS) yield* stringPairBatches(bytes, batchSize);
  else yield decodeRecords(bytes);
}
