import { FRAME_HEADER_BYTES, frameInPlace } from '../common/codec/frameBlock.js';
import type { BlockFileWriter } from './blockIO.js';
import { sortByPrefix } from './sortByPrefix.js';
import { STRING_PAIRS, STRING_PAIRS_ASCII, STRING_PAIRS_HEADER_BYTES } from './stringPairBlock.js';

type Rec = [unknown, unknown];

const MIN_RECORDS = 4096;
/** Room for the staging area (a block) beyond the expected text. */
const STAGING_BYTES = 2 << 20;
/** The text is addressed with u32 offsets; stay well inside them and inside Buffer's limit. */
const MAX_TEXT_BYTES = 1 << 30;
/** Records whose text is read ahead (#touch) before they are copied (tens of KiB: stays in cache). */
const TOUCH_GROUP = 256;
/** Storage up to this size is kept for the thread's next buffer (see release)… */
const MAX_SPARE_BYTES = 512 << 20;
/** …for this long: the tasks of a stage follow each other closely; an idle thread gives it back. */
const SPARE_KEPT_MS = 5000;

// The index: one row of u32 fields per record, so a record's fields share a cache line.
const ROW = 8;
const OFFSET = 0;
const KEY_BYTES = 1;
const VALUE_BYTES = 2;
const KEY_CHARS = 3;
const VALUE_CHARS = 4;
const PARTITION = 5;
/** Key prefix, first four characters then the next four (8 bits each, or 16 when wide). */
const HI = 6;
const LO = 7;

const EMPTY_TEXT: Buffer = Buffer.alloc(0);
const EMPTY_INDEX: Uint32Array = new Uint32Array(0);

interface Storage {
  readonly mem: Buffer;
  readonly index: Uint32Array;
}

/**
 * The storage of the last buffer released on this thread: a map task's buffer grows to the
 * size of its input, and fresh memory costs a page fault per 4 KiB on first touch (more than
 * the copying) — the next task of the thread starts with it instead, if it comes soon.
 */
let spare: Storage | undefined;
let spareTimer: ReturnType<typeof setTimeout> | undefined;

function keepSpare(storage: Storage): void {
  if (storage.mem.length + storage.index.byteLength > MAX_SPARE_BYTES) return;
  if (spare !== undefined && spare.mem.length >= storage.mem.length) return;
  spare = storage;
  clearTimeout(spareTimer);
  spareTimer = setTimeout(() => {
    spare = undefined;
  }, SPARE_KEPT_MS);
  spareTimer.unref?.();
}

interface FastSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/**
 * A map task's buffer for [string, string] records, the common shuffle of text (sortByKey on
 * lines, repartitioning pairs): each record is turned into UTF-8 bytes as it arrives — while
 * its strings are still in the CPU cache — so it can be garbage-collected young instead of
 * being kept (and traced, and moved) until the task ends.
 *
 * Records are appended a batch at a time: all keys and values of the batch are joined into one
 * string and written with one call; per record, an index row keeps the text offset, byte and
 * UTF-16 lengths, the reduce partition and an 8-character key prefix. Output, per partition,
 * is arrival order or — when `sorted` — compareKeys order for strings (UTF-16 code units),
 * stably: a radix sort of the prefixes (sortByPrefix), then a comparison of whole keys only
 * within runs of equal prefixes. Blocks are built in place in a staging area after the text,
 * in the STRING_PAIRS layout, by copying each record's bytes (copyWithin: no allocation per
 * record).
 *
 * `append` refuses records that are not [string, string] or hold lone surrogates (which UTF-8
 * cannot carry), returning where it stopped, so the owner can fall back to buffering records
 * as objects. `release()` must be called once the buffer is no longer used.
 */
export class StringPairBuffer {
  /** Storage is taken (the thread's spare, or new) on the first append. */
  #mem = EMPTY_TEXT;
  /** Bytes of text in `#mem` (records in arrival order); the staging area starts after them. */
  #used = 0;
  #count = 0;
  #index = EMPTY_INDEX;
  /** Some key has a character above U+00FF in its first eight: prefixes are redone in UTF-16 units. */
  #wide = false;
  #full = false;
  /** What #touch read, kept so the reads are not optimized away. */
  #touched = 0;
  #parts: string[] = [];
  /** Record indices grouped by partition (in output order), and where each partition starts. */
  #order: { idx: Uint32Array; starts: Uint32Array } | undefined;

  constructor(
    readonly numPartitions: number,
    private readonly partitionOf: (key: string) => number,
    /** Output each partition in compareKeys order (stable); otherwise in arrival order. */
    readonly sorted: boolean,
    /**
     * Bytes of text the owner expects to hold at most (its memory budget): reserved up front.
     * Untouched memory costs no more than address space, and growing by copying costs a copy
     * and fresh pages each time.
     */
    private readonly expectedBytes = 1 << 20,
  ) {}

  get records(): number {
    return this.#count;
  }

  /** Memory held for the records: their text and index rows. */
  get bytes(): number {
    return this.#used + this.#count * ROW * 4;
  }

  /** The last `append` stopped because the buffer was full (spill, then append the rest). */
  get full(): boolean {
    return this.#full;
  }

  /**
   * Takes `batch[from…]` up to the first record it cannot hold (not a pair of strings, lone
   * surrogates, or no room left: see `full`); returns that record's index, or `batch.length`.
   * The buffer is full once `bytes` would pass `limit` (counting a character as a byte: exact
   * for ASCII), or its size limit; it takes one record beyond that only when empty.
   */
  append(batch: readonly Rec[], from = 0, limit = Infinity): number {
    this.#full = false;
    const end = batch.length;
    if (from >= end) return end;
    // Storage is only taken for records it can hold (the first of another shuffle's records is enough to tell).
    const head = batch[from]!;
    if (typeof head[0] !== 'string' || typeof head[1] !== 'string') return from;
    this.#ensureRecords(this.#count + (end - from));
    const index = this.#index;
    const partitionOf = this.partitionOf;
    const parts = this.#parts;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const room = (MAX_TEXT_BYTES - this.#used) / 3;
    const budget = limit - this.bytes;
    let chars = 0;
    let codes = 0;
    let row = this.#count * ROW;
    let i = from;
    for (; i < end; i++) {
      const rec = batch[i]!;
      const k = rec[0];
      const v = rec[1];
      if (typeof k !== 'string' || typeof v !== 'string') break;
      const kl = k.length;
      const vl = v.length;
      const taken = chars + kl + vl;
      if (taken > room || (taken + (row - this.#count * ROW + ROW) * 4 > budget && (row > this.#count * ROW || this.#count > 0))) {
        this.#full = true;
        break;
      }
      const c0 = kl > 0 ? k.charCodeAt(0) : 0;
      const c1 = kl > 1 ? k.charCodeAt(1) : 0;
      const c2 = kl > 2 ? k.charCodeAt(2) : 0;
      const c3 = kl > 3 ? k.charCodeAt(3) : 0;
      const c4 = kl > 4 ? k.charCodeAt(4) : 0;
      const c5 = kl > 5 ? k.charCodeAt(5) : 0;
      const c6 = kl > 6 ? k.charCodeAt(6) : 0;
      const c7 = kl > 7 ? k.charCodeAt(7) : 0;
      codes |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7;
      index[row + KEY_CHARS] = kl;
      index[row + VALUE_CHARS] = vl;
      index[row + PARTITION] = partitionOf(k);
      index[row + HI] = ((c0 << 24) | (c1 << 16) | (c2 << 8) | c3) >>> 0;
      index[row + LO] = ((c4 << 24) | (c5 << 16) | (c6 << 8) | c7) >>> 0;
      parts.push(k, v);
      chars += kl + vl;
      row += ROW;
    }
    if (i === from) return from;
    const joined = parts.join('');
    parts.length = 0;
    const first = this.#count;
    const last = first + (i - from);
    let at = this.#used;
    // Only ASCII takes one UTF-8 byte per UTF-16 unit; then the bytes are the Latin-1 ones.
    if (Buffer.byteLength(joined, 'utf8') === chars) {
      this.#ensureText(at + chars);
      (this.#mem as unknown as { latin1Write(s: string, at: number): number }).latin1Write(joined, at);
      for (let r = first * ROW; r < last * ROW; r += ROW) {
        const kb = index[r + KEY_CHARS]!;
        const vb = index[r + VALUE_CHARS]!;
        index[r + OFFSET] = at;
        index[r + KEY_BYTES] = kb;
        index[r + VALUE_BYTES] = vb;
        at += kb + vb;
      }
    } else {
      if (!(joined as unknown as { isWellFormed(): boolean }).isWellFormed()) return from;
      this.#ensureText(at + 3 * chars);
      this.#mem.write(joined, at, 'utf8');
      for (let q = first; q < last; q++) {
        const rec = batch[from + q - first]!;
        const kb = Buffer.byteLength(rec[0] as string, 'utf8');
        const vb = Buffer.byteLength(rec[1] as string, 'utf8');
        const r = q * ROW;
        index[r + OFFSET] = at;
        index[r + KEY_BYTES] = kb;
        index[r + VALUE_BYTES] = vb;
        at += kb + vb;
      }
    }
    if (codes > 0xff) this.#wide = true;
    this.#used = at;
    this.#count = last;
    this.#order = undefined;
    return i;
  }

  /**
   * Writes partition `r` as framed STRING_PAIRS blocks of at most `maxPayloadBytes` each (a
   * single larger record gets a block of its own); returns its record count.
   */
  writePartition(r: number, out: BlockFileWriter, maxPayloadBytes: number): number {
    const { idx, starts } = this.#ensureOrder();
    const first = starts[r]!;
    const end = starts[r + 1]!;
    const index = this.#index;
    let i = first;
    while (i < end) {
      let m = 0;
      let text = 0;
      while (i + m < end) {
        const row = idx[i + m]! * ROW;
        const b = index[row + KEY_BYTES]! + index[row + VALUE_BYTES]!;
        if (m > 0 && STRING_PAIRS_HEADER_BYTES + 8 * (m + 1) + text + b > maxPayloadBytes) break;
        text += b;
        m++;
      }
      const payload = STRING_PAIRS_HEADER_BYTES + 8 * m + text;
      // Staging starts 8-aligned after the text, so the lengths (at +24) can be a Uint32Array view.
      const at = (this.#used + 7) & ~7;
      this.#ensureText(at + FRAME_HEADER_BYTES + payload);
      const mem = this.#mem;
      const p = at + FRAME_HEADER_BYTES;
      mem[p] = STRING_PAIRS;
      mem[p + 2] = 0;
      mem[p + 3] = 0;
      mem.writeUInt32LE(m, p + 4);
      mem.writeUInt32LE(text, p + 8);
      const lengths = new Uint32Array(mem.buffer, mem.byteOffset + p + STRING_PAIRS_HEADER_BYTES, 2 * m);
      let t = p + STRING_PAIRS_HEADER_BYTES + 8 * m;
      let ascii = true;
      // Records adjacent in the text (arrival order, presorted input) are copied as one range.
      let runStart = 0;
      let runEnd = 0;
      for (let g = 0; g < m; g += TOUCH_GROUP) {
        const groupEnd = Math.min(m, g + TOUCH_GROUP);
        this.#touch(idx, i + g, i + groupEnd);
        for (let q = g; q < groupEnd; q++) {
          const row = idx[i + q]! * ROW;
          const kc = index[row + KEY_CHARS]!;
          const vc = index[row + VALUE_CHARS]!;
          const kb = index[row + KEY_BYTES]!;
          const vb = index[row + VALUE_BYTES]!;
          const o = index[row + OFFSET]!;
          lengths[2 * q] = kc;
          lengths[2 * q + 1] = vc;
          if (kb !== kc || vb !== vc) ascii = false;
          if (o !== runEnd) {
            mem.copyWithin(t, runStart, runEnd);
            t += runEnd - runStart;
            runStart = o;
          }
          runEnd = o + kb + vb;
        }
      }
      mem.copyWithin(t, runStart, runEnd);
      mem[p + 1] = ascii ? STRING_PAIRS_ASCII : 0;
      frameInPlace(mem, at, payload);
      out.appendTransient(mem.subarray(at, p + payload));
      i += m;
    }
    return end - first;
  }

  /**
   * Reads a byte at the start, middle and end of the text of records `idx[from, to)`: in sorted
   * order each is a cache miss, and a loop without calls has many of them in flight at once,
   * where the copies (a call each) would wait for them one by one.
   */
  #touch(idx: Uint32Array, from: number, to: number): void {
    const index = this.#index;
    const mem = this.#mem;
    let sink = 0;
    for (let q = from; q < to; q++) {
      const row = idx[q]! * ROW;
      const o = index[row + OFFSET]!;
      const length = index[row + KEY_BYTES]! + index[row + VALUE_BYTES]!;
      if (length > 0) sink |= mem[o]! | mem[o + (length >> 1)]! | mem[o + length - 1]!;
    }
    this.#touched = sink;
  }

  /** Partition `r`'s records as objects, in the order writePartition writes them. */
  *batches(r: number, batchSize: number): Generator<Rec[]> {
    const { idx, starts } = this.#ensureOrder();
    const end = starts[r + 1]!;
    for (let i = starts[r]!; i < end; i += batchSize) {
      const stop = Math.min(end, i + batchSize);
      const batch: Rec[] = [];
      for (let q = i; q < stop; q++) batch.push(this.#record(idx[q]!));
      yield batch;
    }
  }

  /** Every partition's records as objects, in arrival order. */
  toBuckets(): Rec[][] {
    const buckets: Rec[][] = [];
    for (let r = 0; r < this.numPartitions; r++) buckets.push([]);
    for (let j = 0; j < this.#count; j++) buckets[this.#index[j * ROW + PARTITION]!]!.push(this.#record(j));
    return buckets;
  }

  /** Drops every record, keeping the memory for the next ones. */
  clear(): void {
    this.#used = 0;
    this.#count = 0;
    this.#wide = false;
    this.#order = undefined;
  }

  /** Drops every record and hands the memory to the thread's next buffer; this one must not be used again. */
  release(): void {
    const storage = { mem: this.#mem, index: this.#index };
    this.#mem = EMPTY_TEXT;
    this.#index = EMPTY_INDEX;
    this.clear();
    if (storage.mem !== EMPTY_TEXT) keepSpare(storage);
  }

  #record(j: number): Rec {
    const row = j * ROW;
    const index = this.#index;
    const o = index[row + OFFSET]!;
    const k = o + index[row + KEY_BYTES]!;
    return [this.#decode(o, k, index[row + KEY_CHARS]!), this.#decode(k, k + index[row + VALUE_BYTES]!, index[row + VALUE_CHARS]!)];
  }

  #key(j: number): string {
    const row = j * ROW;
    const o = this.#index[row + OFFSET]!;
    return this.#decode(o, o + this.#index[row + KEY_BYTES]!, this.#index[row + KEY_CHARS]!);
  }

  #decode(start: number, end: number, chars: number): string {
    const fast = this.#mem as unknown as FastSlices;
    return end - start === chars ? fast.latin1Slice(start, end) : fast.utf8Slice(start, end);
  }

  #ensureOrder(): { idx: Uint32Array; starts: Uint32Array } {
    if (this.#order !== undefined) return this.#order;
    const n = this.#count;
    const index = this.#index;
    const numPartitions = this.numPartitions;
    const starts = new Uint32Array(numPartitions + 1);
    for (let j = 0; j < n; j++) starts[index[j * ROW + PARTITION]! + 1]!++;
    for (let r = 0; r < numPartitions; r++) starts[r + 1]! += starts[r]!;
    const next = starts.slice(0, numPartitions);
    const idx = new Uint32Array(n);
    for (let j = 0; j < n; j++) idx[next[index[j * ROW + PARTITION]!]!++] = j;
    if (this.sorted) {
      if (this.#wide) this.#widenPrefixes();
      const hi = new Uint32Array(n);
      const lo = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const row = idx[i]! * ROW;
        hi[i] = index[row + HI]!;
        lo[i] = index[row + LO]!;
      }
      for (let r = 0; r < numPartitions; r++) {
        const s = starts[r]!;
        const e = starts[r + 1]!;
        sortByPrefix(idx.subarray(s, e), hi.subarray(s, e), lo.subarray(s, e));
      }
      this.#orderTies(idx, hi, lo, starts);
    }
    this.#order = { idx, starts };
    return this.#order;
  }

  /** Prefixes of the first four UTF-16 units, 16 bits each, for keys beyond Latin-1. */
  #widenPrefixes(): void {
    const index = this.#index;
    for (let j = 0; j < this.#count; j++) {
      const key = this.#key(j);
      const kl = key.length;
      index[j * ROW + HI] = (((kl > 0 ? key.charCodeAt(0) : 0) << 16) | (kl > 1 ? key.charCodeAt(1) : 0)) >>> 0;
      index[j * ROW + LO] = (((kl > 2 ? key.charCodeAt(2) : 0) << 16) | (kl > 3 ? key.charCodeAt(3) : 0)) >>> 0;
    }
  }

  /** Orders each run of equal prefixes (within a partition) by whole keys, stably. */
  #orderTies(idx: Uint32Array, hi: Uint32Array, lo: Uint32Array, starts: Uint32Array): void {
    const index = this.#index;
    // Keys no longer than the prefix are told apart by their length alone ("a" < "a\0").
    const prefixChars = this.#wide ? 4 : 8;
    for (let r = 0; r < this.numPartitions; r++) {
      const end = starts[r + 1]!;
      let s = starts[r]!;
      while (s < end) {
        const h = hi[s]!;
        const l = lo[s]!;
        let e = s + 1;
        while (e < end && hi[e] === h && lo[e] === l) e++;
        if (e - s > 1) {
          const firstLength = index[idx[s]! * ROW + KEY_CHARS]!;
          let longest = 0;
          let sameLength = true;
          for (let q = s; q < e; q++) {
            const kc = index[idx[q]! * ROW + KEY_CHARS]!;
            if (kc !== firstLength) sameLength = false;
            if (kc > longest) longest = kc;
          }
          // Equal prefixes and lengths within the prefix: equal keys, already in arrival order.
          if (!(longest <= prefixChars && sameLength)) this.#sortRun(idx, s, e, longest <= prefixChars);
        }
        s = e;
      }
    }
  }

  #sortRun(idx: Uint32Array, s: number, e: number, byLength: boolean): void {
    const positions = Array.from({ length: e - s }, (_, q) => q);
    // Array.prototype.sort is stable, so equal keys keep their arrival order.
    if (byLength) {
      const lengths = positions.map((q) => this.#index[idx[s + q]! * ROW + KEY_CHARS]!);
      positions.sort((x, y) => lengths[x]! - lengths[y]!);
    } else {
      const keys = positions.map((q) => this.#key(idx[s + q]!));
      positions.sort((x, y) => {
        const a = keys[x]!;
        const b = keys[y]!;
        return a < b ? -1 : a > b ? 1 : 0;
      });
    }
    idx.set(positions.map((q) => idx[s + q]!), s);
  }

  #ensureRecords(n: number): void {
    if (n * ROW <= this.#index.length) return;
    if (this.#mem === EMPTY_TEXT) {
      const text = Math.min(this.expectedBytes, MAX_TEXT_BYTES) + STAGING_BYTES;
      // A guess at the records: ~100 bytes of text each (the index grows if they are more).
      const records = Math.max(MIN_RECORDS, Math.min(Math.floor(text / 100), 1 << 22));
      // A spare too small for this buffer is dropped.
      const storage =
        spare !== undefined && spare.mem.length >= text ? spare : { mem: Buffer.allocUnsafeSlow(text), index: new Uint32Array(records * ROW) };
      spare = undefined;
      this.#mem = storage.mem;
      this.#index = storage.index;
      if (n * ROW <= this.#index.length) return;
    }
    let capacity = Math.max(MIN_RECORDS, this.#index.length / ROW);
    while (capacity < n) capacity *= 2;
    const index = new Uint32Array(capacity * ROW);
    index.set(this.#index.subarray(0, this.#count * ROW));
    this.#index = index;
  }

  #ensureText(bytes: number): void {
    if (bytes <= this.#mem.length) return;
    // Half again rather than double: the buffer is most of the task's memory.
    const mem = Buffer.allocUnsafeSlow(Math.max(bytes, Math.floor(this.#mem.length * 1.5)));
    this.#mem.copy(mem, 0, 0, this.#used);
    this.#mem = mem;
  }
}
