#!/usr/bin/env node
// @ts-check
/**
 * Seeded, deterministic benchmark data generators (same parameters + seed → byte-identical file).
 *
 *   node bench/generate.js <kind> [--out <path>] [--bytes N | --records N] [--keys N] [--seed S] [--force]
 *
 * Kinds:
 *   words     Zipf(s=1.0) word corpus over a 100k-word vocabulary; lines of 10–20 words joined by
 *             single spaces, '\n' line ends. `--bytes` (default 1 GiB) is an upper bound: the file
 *             ends at the last whole line that fits (at most ~260 bytes short).
 *   kv        `key,value` CSV, `--records` (default 10M) lines; keys `k%07d` drawn UNIFORMLY from
 *             `--keys` (default 1M) distinct keys; values uniform integers 0–999.
 *   kv-small  `key,label` CSV: every key of `--keys` (default 1M) exactly once, in a seeded shuffled
 *             order; labels are 3–12 lowercase letters.
 *   sort      100-byte records like gensort -a: 10-byte key of random printable ASCII (' '..'~'),
 *             1 space, 88 bytes payload (16-digit record number + 72 filler letters), '\n'.
 *             `--bytes` (default 1 GiB → 10,737,418 records) or `--records`.
 *
 * Sizes accept k/m/g suffixes (binary): 64m, 1g. A `<out>.meta.json` sidecar records the
 * parameters and size; an existing file with a matching sidecar and size is not regenerated.
 *
 * PRNG: xoshiro128** seeded through splitmix32; default seed 42.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 42;
export const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');
const GiB = 1024 ** 3;
const CHUNK = 8 << 20;
const TWO_POW_M32 = 2.3283064365386963e-10; // 2^-32

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/**
 * splitmix32 step: a good 32-bit mix of a counter, used to seed and to hash ranks.
 * @param {number} x
 * @returns {number}
 */
export function splitmix32(x) {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * xoshiro128** generator. Returns a function yielding unsigned 32-bit integers.
 * @param {number} seed any integer
 * @returns {() => number}
 */
export function xoshiro128ss(seed) {
  let s = seed >>> 0;
  let a = (s = splitmix32(s));
  let b = (s = splitmix32(s));
  let c = (s = splitmix32(s));
  let d = (s = splitmix32(s));
  if ((a | b | c | d) === 0) a = 1;
  return function next() {
    const m = Math.imul(b, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return r;
  };
}

/**
 * Uniform integer in [0, n) from one 32-bit draw (n ≤ 2^21 keeps the bias below 2^-11; exact
 * enough for benchmark data).
 * @param {number} u32
 * @param {number} n
 */
function below(u32, n) {
  return Math.floor(u32 * n * TWO_POW_M32);
}

// ---------------------------------------------------------------------------------------------
// Vocabulary and Zipf sampling
// ---------------------------------------------------------------------------------------------

/**
 * The vocabulary: `n` distinct lowercase words of 2–12 letters, word `r` made deterministically
 * from rank `r` (a hash of the rank picks a length uniform in 2..12 and the letters; on a
 * collision with a more frequent word the next attempt's hash is used). Independent of the seed.
 * @param {number} n
 * @returns {string[]} words in rank order (index 0 = most frequent)
 */
export function makeVocabulary(n) {
  /** @type {string[]} */
  const words = new Array(n);
  const seen = new Set();
  const letters = new Array(12);
  for (let r = 0; r < n; r++) {
    for (let attempt = 0; ; attempt++) {
      let h = splitmix32(Math.imul(r, 0x2545f491) ^ Math.imul(attempt + 1, 0x6c8e9cf5));
      const len = 2 + (h % 11);
      for (let i = 0; i < len; i++) {
        h = splitmix32(h + i);
        letters[i] = String.fromCharCode(97 + (h % 26));
      }
      letters.length = len;
      const w = letters.join('');
      if (!seen.has(w)) {
        seen.add(w);
        words[r] = w;
        break;
      }
    }
  }
  return words;
}

/**
 * Walker/Vose alias table for Zipf(s) over ranks 1..n (index 0 = rank 1).
 * Sample: `i = floor(u1 * n / 2^32); i = u2 < threshold[i] ? i : alias[i]`.
 * @param {number} n
 * @param {number} s exponent
 * @returns {{ threshold: Float64Array, alias: Int32Array, probs: Float64Array }}
 */
export function zipfAliasTable(n, s) {
  const probs = new Float64Array(n);
  let z = 0;
  for (let i = 0; i < n; i++) z += 1 / Math.pow(i + 1, s);
  for (let i = 0; i < n; i++) probs[i] = 1 / Math.pow(i + 1, s) / z;
  const scaled = new Float64Array(n);
  for (let i = 0; i < n; i++) scaled[i] = probs[i] * n;
  const alias = new Int32Array(n);
  const threshold = new Float64Array(n);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let ns = 0;
  let nl = 0;
  for (let i = n - 1; i >= 0; i--) {
    if (scaled[i] < 1) small[ns++] = i;
    else large[nl++] = i;
  }
  while (ns > 0 && nl > 0) {
    const l = small[--ns];
    const g = large[--nl];
    threshold[l] = scaled[l] * 4294967296;
    alias[l] = g;
    scaled[g] = scaled[g] + scaled[l] - 1;
    if (scaled[g] < 1) small[ns++] = g;
    else large[nl++] = g;
  }
  while (nl > 0) {
    const g = large[--nl];
    threshold[g] = 4294967296;
    alias[g] = g;
  }
  while (ns > 0) {
    const l = small[--ns];
    threshold[l] = 4294967296;
    alias[l] = l;
  }
  return { threshold, alias, probs };
}

// ---------------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------------

/**
 * Write a file through a temp file (renamed at the end, so a crash never leaves a plausible
 * file), double-buffered: `fill(buf)` generates the next chunk in JS while the previous chunk
 * is written by the libuv thread pool. `fill` returns the number of bytes it put at the start
 * of `buf`; 0 ends the file.
 * @param {string} out
 * @param {number} bufSize
 * @param {(buf: Buffer) => number} fill
 * @returns {Promise<number>} bytes written
 */
async function writeFileDoubleBuffered(out, bufSize, fill) {
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const fh = await fs.promises.open(tmp, 'w');
  const bufs = [Buffer.allocUnsafe(bufSize), Buffer.allocUnsafe(bufSize)];
  /** @param {Buffer} buf @param {number} len */
  const writeAll = async (buf, len) => {
    let off = 0;
    while (off < len) off += (await fh.write(buf, off, len - off)).bytesWritten;
  };
  let total = 0;
  /** @type {Promise<void>} */
  let pending = Promise.resolve();
  try {
    for (let i = 0; ; i ^= 1) {
      const buf = /** @type {Buffer} */ (bufs[i]);
      const len = fill(buf);
      await pending;
      if (len === 0) break;
      pending = writeAll(buf, len);
      total += len;
    }
    await fh.close();
  } catch (e) {
    await pending.catch(() => {});
    await fh.close().catch(() => {});
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.renameSync(tmp, out);
  return total;
}

/**
 * @typedef {object} WordsOptions
 * @property {string} out
 * @property {number} [bytes] upper bound on the file size (default 1 GiB)
 * @property {number} [seed]
 * @property {number} [vocab] distinct words (default 100,000)
 * @property {number} [exponent] Zipf exponent (default 1.0)
 */

/**
 * Seed state of xoshiro128** (same sequence as `xoshiro128ss(seed)`), for hot loops that keep
 * the state in locals.
 * @param {number} seed
 * @returns {Int32Array} [a, b, c, d, spare]
 */
function xoshiroState(seed) {
  let s = seed >>> 0;
  const st = new Int32Array(5);
  for (let i = 0; i < 4; i++) st[i] = s = splitmix32(s);
  if ((st[0] | st[1] | st[2] | st[3]) === 0) st[0] = 1;
  return st;
}

/**
 * Fill `buf` with whole lines from position 0 while there is room for a maximal line, stopping
 * (and setting `st[4] = 1`) before the first line that would end beyond `budget` bytes.
 * The xoshiro128** step is inlined; words are written as 4-byte little-endian groups from
 * 16-byte slots (word + ' ' + padding), so each write may run up to 15 bytes past the word.
 * @param {Buffer} buf
 * @param {DataView} dv view of buf
 * @param {Int32Array} st PRNG state (updated)
 * @param {Int32Array} tbl interleaved alias table [threshold_u32, alias] per column
 * @param {Int32Array} slots32 16-byte word slots as int32
 * @param {Uint8Array} lens word length + 1 (the space)
 * @param {number} n vocabulary size
 * @param {number} budget bytes still allowed in the file
 * @returns {number} bytes filled
 */
function fillWordLines(buf, dv, st, tbl, slots32, lens, n, budget) {
  let a = st[0];
  let b = st[1];
  let c = st[2];
  let d = st[3];
  let pos = 0;
  const lim = buf.length - 20 * 16 - 16;
  const scale = n * TWO_POW_M32;
  while (pos <= lim) {
    const lineStart = pos;
    let m = Math.imul(b, 5);
    let r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    let t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = (d << 11) | (d >>> 21);
    const nw = 10 + Math.floor(r * 11 * TWO_POW_M32);
    for (let k = 0; k < nw; k++) {
      m = Math.imul(b, 5);
      r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = (d << 11) | (d >>> 21);
      const col = Math.floor(r * scale);
      m = Math.imul(b, 5);
      r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = (d << 11) | (d >>> 21);
      const w = r < tbl[2 * col] >>> 0 ? col : tbl[2 * col + 1];
      const sl = w << 2;
      dv.setInt32(pos, slots32[sl], true);
      dv.setInt32(pos + 4, slots32[sl + 1], true);
      const len = lens[w];
      if (len > 8) {
        dv.setInt32(pos + 8, slots32[sl + 2], true);
        if (len > 12) dv.setInt32(pos + 12, slots32[sl + 3], true);
      }
      pos += len;
    }
    buf[pos - 1] = 10;
    if (pos > budget) {
      pos = lineStart;
      st[4] = 1;
      break;
    }
  }
  st[0] = a;
  st[1] = b;
  st[2] = c;
  st[3] = d;
  return pos;
}

/** @type {Map<string, { tbl: Int32Array, slots32: Int32Array, lens: Uint8Array }>} */
const wordTablesCache = new Map();

/**
 * Sampling and copy tables for the word corpus (cached per vocabulary size and exponent).
 * @param {number} vocab
 * @param {number} exponent
 */
function wordTables(vocab, exponent) {
  const key = `${vocab}/${exponent}`;
  const hit = wordTablesCache.get(key);
  if (hit) return hit;
  const words = makeVocabulary(vocab);
  const { threshold, alias } = zipfAliasTable(vocab, exponent);
  const tbl = new Int32Array(vocab * 2);
  for (let i = 0; i < vocab; i++) {
    tbl[2 * i] = Math.min(/** @type {number} */ (threshold[i]), 4294967295) | 0;
    tbl[2 * i + 1] = /** @type {number} */ (alias[i]);
  }
  const slots32 = new Int32Array(vocab * 4);
  const slots = new Uint8Array(slots32.buffer);
  const lens = new Uint8Array(vocab);
  for (let i = 0; i < vocab; i++) {
    const w = /** @type {string} */ (words[i]);
    for (let j = 0; j < w.length; j++) slots[i * 16 + j] = w.charCodeAt(j);
    slots[i * 16 + w.length] = 32;
    lens[i] = w.length + 1;
  }
  const t = { tbl, slots32, lens };
  wordTablesCache.set(key, t);
  return t;
}

/**
 * Generate the Zipf word corpus.
 * @param {WordsOptions} opts
 * @returns {Promise<number>} file size
 */
export function generateWords({ out, bytes = GiB, seed = DEFAULT_SEED, vocab = 100_000, exponent = 1.0 }) {
  const { tbl, slots32, lens } = wordTables(vocab, exponent);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('big-endian host not supported');
  const st = xoshiroState(seed);
  let written = 0;
  return writeFileDoubleBuffered(out, CHUNK, (buf) => {
    if (st[4] !== 0) return 0;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const pos = fillWordLines(buf, dv, st, tbl, slots32, lens, vocab, bytes - written);
    written += pos;
    return pos;
  });
}

/**
 * Write `v` (non-negative integer) in decimal, zero-padded to `width`, at `pos`; returns new pos.
 * @param {Uint8Array} buf
 * @param {number} pos
 * @param {number} v
 * @param {number} width
 */
function writeDigits(buf, pos, v, width) {
  let len = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) len++;
  if (len < width) len = width;
  for (let i = len - 1; i >= 0; i--) {
    buf[pos + i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
  return pos + len;
}

/** @param {number} keys */
function keyWidth(keys) {
  return Math.max(7, String(Math.max(0, keys - 1)).length);
}

/**
 * @typedef {object} KvOptions
 * @property {string} out
 * @property {number} [records] default 10,000,000
 * @property {number} [keys] default 1,000,000
 * @property {number} [seed]
 */

/**
 * Generate `key,value` CSV: uniformly distributed keys `k%07d`, values 0–999.
 * @param {KvOptions} opts
 * @returns {Promise<number>} file size
 */
export function generateKv({ out, records = 10_000_000, keys = 1_000_000, seed = DEFAULT_SEED }) {
  const next = xoshiro128ss(seed ^ 0x6b76);
  const width = keyWidth(keys);
  let r = 0;
  return writeFileDoubleBuffered(out, CHUNK, (buf) => {
    let pos = 0;
    const lim = buf.length - 64;
    for (; r < records && pos <= lim; r++) {
      buf[pos++] = 107; // 'k'
      pos = writeDigits(buf, pos, below(next(), keys), width);
      buf[pos++] = 44; // ','
      pos = writeDigits(buf, pos, below(next(), 1000), 1);
      buf[pos++] = 10;
    }
    return pos;
  });
}

/**
 * Generate `key,label` CSV with every key once (shuffled), labels of 3–12 lowercase letters.
 * @param {{ out: string, keys?: number, seed?: number }} opts
 * @returns {Promise<number>} file size
 */
export function generateKvSmall({ out, keys = 1_000_000, seed = DEFAULT_SEED }) {
  const next = xoshiro128ss(seed ^ 0x736d);
  const width = keyWidth(keys);
  const order = new Int32Array(keys);
  for (let i = 0; i < keys; i++) order[i] = i;
  for (let i = keys - 1; i > 0; i--) {
    const j = below(next(), i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  let r = 0;
  return writeFileDoubleBuffered(out, CHUNK, (buf) => {
    let pos = 0;
    const lim = buf.length - 64;
    for (; r < keys && pos <= lim; r++) {
      buf[pos++] = 107;
      pos = writeDigits(buf, pos, order[r], width);
      buf[pos++] = 44;
      const len = 3 + below(next(), 10);
      for (let i = 0; i < len; i++) buf[pos++] = 97 + below(next(), 26);
      buf[pos++] = 10;
    }
    return pos;
  });
}

export const SORT_RECORD_BYTES = 100;
export const SORT_KEY_BYTES = 10;

/**
 * Generate gensort-like 100-byte records.
 * @param {{ out: string, records?: number, bytes?: number, seed?: number }} opts
 * @returns {Promise<number>} file size
 */
export function generateSort({ out, records, bytes = GiB, seed = DEFAULT_SEED }) {
  const n = records ?? Math.floor(bytes / SORT_RECORD_BYTES);
  const next = xoshiro128ss(seed ^ 0x736f7274);
  // 72 filler letters per record: a window into a repeating alphabet pattern picked by record number.
  const pattern = Buffer.alloc(72 + 26);
  for (let i = 0; i < pattern.length; i++) pattern[i] = 65 + (i % 26);
  const perChunk = Math.floor(CHUNK / SORT_RECORD_BYTES);
  let r = 0;
  return writeFileDoubleBuffered(out, perChunk * SORT_RECORD_BYTES, (buf) => {
    let pos = 0;
    for (; r < n && pos < buf.length; r++) {
      for (let i = 0; i < SORT_KEY_BYTES; i++) buf[pos + i] = 32 + below(next(), 95);
      buf[pos + 10] = 32;
      writeDigits(buf, pos + 11, r, 16);
      const p = r % 26;
      for (let i = 0; i < 72; i++) buf[pos + 27 + i] = pattern[p + i];
      buf[pos + 99] = 10;
      pos += SORT_RECORD_BYTES;
    }
    return pos;
  });
}

// ---------------------------------------------------------------------------------------------
// Ensure (generate unless an identical file exists)
// ---------------------------------------------------------------------------------------------

/** @typedef {'words' | 'kv' | 'kv-small' | 'sort'} Kind */

/**
 * Canonical parameters of a kind (defaults filled in), used for the sidecar and file name.
 * @param {Kind} kind
 * @param {{ bytes?: number, records?: number, keys?: number, seed?: number }} o
 * @returns {Record<string, number>}
 */
export function canonicalParams(kind, o) {
  const seed = o.seed ?? DEFAULT_SEED;
  switch (kind) {
    case 'words':
      return { bytes: o.bytes ?? GiB, vocab: 100_000, exponent: 1.0, seed };
    case 'kv':
      return { records: o.records ?? 10_000_000, keys: o.keys ?? 1_000_000, seed };
    case 'kv-small':
      return { keys: o.keys ?? o.records ?? 1_000_000, seed };
    case 'sort':
      return { records: o.records ?? Math.floor((o.bytes ?? GiB) / SORT_RECORD_BYTES), seed };
    default:
      throw new Error(`unknown kind ${kind}; expected words | kv | kv-small | sort`);
  }
}

/** @param {number} n */
function human(n) {
  if (n % GiB === 0) return `${n / GiB}g`;
  if (n % (1 << 20) === 0) return `${n / (1 << 20)}m`;
  if (n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

/**
 * Default output path for a kind and parameters, under bench/data/.
 * @param {Kind} kind
 * @param {Record<string, number>} p canonical params
 */
export function defaultPath(kind, p) {
  const seedPart = p.seed === DEFAULT_SEED ? '' : `-s${p.seed}`;
  switch (kind) {
    case 'words':
      return path.join(DATA_DIR, `words-${human(p.bytes)}${seedPart}.txt`);
    case 'kv':
      return path.join(DATA_DIR, `kv-${human(p.records)}-${human(p.keys)}keys${seedPart}.csv`);
    case 'kv-small':
      return path.join(DATA_DIR, `kv-small-${human(p.keys)}keys${seedPart}.csv`);
    case 'sort':
      return path.join(DATA_DIR, `sort-${human(p.records)}rec${seedPart}.txt`);
  }
  throw new Error(`unknown kind ${kind}`);
}

/**
 * Generate a data file unless it already exists with a matching `.meta.json` and size.
 * @param {Kind} kind
 * @param {{ out?: string, bytes?: number, records?: number, keys?: number, seed?: number, force?: boolean, log?: (msg: string) => void }} [opts]
 * @returns {Promise<{ path: string, size: number, generated: boolean, seconds: number }>}
 */
export async function ensureData(kind, opts = {}) {
  const params = canonicalParams(kind, opts);
  const out = opts.out ?? defaultPath(kind, params);
  const metaPath = `${out}.meta.json`;
  const log = opts.log ?? (() => {});
  if (!opts.force) {
    try {
      const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8'));
      const st = fs.statSync(out);
      if (
        meta.kind === kind &&
        meta.generatorVersion === GENERATOR_VERSION &&
        JSON.stringify(meta.params) === JSON.stringify(params) &&
        meta.size === st.size
      ) {
        return { path: out, size: st.size, generated: false, seconds: 0 };
      }
    } catch {
      // missing or unreadable: regenerate
    }
  }
  fs.rmSync(metaPath, { force: true });
  log(`generating ${kind} ${JSON.stringify(params)} → ${out}`);
  const t0 = performance.now();
  let size;
  switch (kind) {
    case 'words':
      size = await generateWords({ out, bytes: params.bytes, seed: params.seed, vocab: params.vocab, exponent: params.exponent });
      break;
    case 'kv':
      size = await generateKv({ out, records: params.records, keys: params.keys, seed: params.seed });
      break;
    case 'kv-small':
      size = await generateKvSmall({ out, keys: params.keys, seed: params.seed });
      break;
    case 'sort':
      size = await generateSort({ out, records: params.records, seed: params.seed });
      break;
  }
  const seconds = (performance.now() - t0) / 1000;
  fs.writeFileSync(metaPath, JSON.stringify({ kind, generatorVersion: GENERATOR_VERSION, params, size }, null, 2) + '\n');
  log(`generated ${out}: ${size} bytes in ${seconds.toFixed(2)} s (${(size / 1e6 / seconds).toFixed(0)} MB/s)`);
  return { path: out, size, generated: true, seconds };
}

/**
 * Parse sizes like `1073741824`, `64m`, `1g`, `10M`, `64MiB`: lowercase k/m/g or an `iB`
 * suffix are binary (1024-based), uppercase K/M/G without `iB` are decimal.
 * @param {string} s
 */
export function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)([kmgKMG]?)(i?[bB])?$/.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  const v = Number(m[1]);
  const unit = m[3] && m[3].startsWith('i') ? m[2].toLowerCase() : m[2];
  const bin = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  const dec = { K: 1e3, M: 1e6, G: 1e9 };
  const mult = unit === '' ? 1 : unit in bin ? bin[/** @type {'k'|'m'|'g'} */ (unit)] : dec[/** @type {'K'|'M'|'G'} */ (unit)];
  return Math.round(v * mult);
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

function usage() {
  return 'usage: node bench/generate.js <words|kv|kv-small|sort> [--out <path>] [--bytes N | --records N] [--keys N] [--seed S] [--force]\n' +
    '  sizes: 64m / 1g (binary), 10M / 1K (decimal)';
}

/** @param {string[]} argv */
async function main(argv) {
  const kind = /** @type {Kind} */ (argv[0]);
  if (!kind || kind.startsWith('-') || !['words', 'kv', 'kv-small', 'sort'].includes(kind)) {
    console.error(usage());
    process.exit(2);
  }
  /** @type {{ out?: string, bytes?: number, records?: number, keys?: number, seed?: number, force?: boolean }} */
  const o = {};
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--out') o.out = val();
    else if (a === '--bytes') o.bytes = parseSize(val());
    else if (a === '--records') o.records = parseSize(val());
    else if (a === '--keys') o.keys = parseSize(val());
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--force') o.force = true;
    else {
      console.error(`unknown argument ${a}\n${usage()}`);
      process.exit(2);
    }
  }
  const r = await ensureData(kind, { ...o, log: (m) => console.error(m) });
  if (!r.generated) console.error(`${r.path} is up to date (${r.size} bytes)`);
  console.log(r.path);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
