// @ts-check
/**
 * Worker side of the hand-written Node baselines (see baseline.js). Plain, competent Node:
 * readSync in 8 MiB chunks, UTF-8 decoding of whole lines, String.split, Map.
 *
 * Protocol: on start the worker posts `{ ready: true }`; then it answers each task message
 * `{ op, ... }` with one reply message. `op: 'echo'` answers immediately (empty-task baseline).
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';

const CHUNK = 8 << 20;

/**
 * Call `onText(text)` with the decoded text of whole lines of `path` in `[start, end)`; `text`
 * holds complete lines separated by '\n' without the final '\n' (the last piece of the range
 * may lack a '\n' at end of file). `start` and `end` must be line boundaries.
 * @param {string} path
 * @param {number} start
 * @param {number} end
 * @param {(text: string) => void} onText
 */
export function forEachLinesChunk(path, start, end, onText) {
  const fd = fs.openSync(path, 'r');
  let buf = Buffer.allocUnsafe(CHUNK);
  let carry = 0;
  let pos = start;
  try {
    while (pos < end) {
      if (carry === buf.length) {
        const nb = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(nb, 0, 0, carry);
        buf = nb;
      }
      const want = Math.min(buf.length - carry, end - pos);
      const n = fs.readSync(fd, buf, carry, want, pos);
      if (n === 0) break;
      pos += n;
      const filled = carry + n;
      const nl = buf.lastIndexOf(10, filled - 1);
      if (nl === -1) {
        carry = filled;
        continue;
      }
      onText(buf.toString('utf8', 0, nl));
      carry = filled - nl - 1;
      buf.copy(buf, 0, nl + 1, filled);
    }
    if (carry > 0) onText(buf.toString('utf8', 0, carry));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * @param {Map<string, number>} m
 * @returns {{ keys: string[], values: Float64Array }}
 */
function mapToArrays(m) {
  const keys = new Array(m.size);
  const values = new Float64Array(m.size);
  let i = 0;
  for (const [k, v] of m) {
    keys[i] = k;
    values[i++] = v;
  }
  return { keys, values };
}

/** @param {{ path: string, start: number, end: number }} t */
function wordcount({ path, start, end }) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  forEachLinesChunk(path, start, end, (text) => {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const words = /** @type {string} */ (lines[i]).split(' ');
      for (let j = 0; j < words.length; j++) {
        const w = /** @type {string} */ (words[j]);
        counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    }
  });
  return mapToArrays(counts);
}

/** @param {{ path: string, start: number, end: number }} t */
function reduceByKey({ path, start, end }) {
  /** @type {Map<string, number>} */
  const sums = new Map();
  forEachLinesChunk(path, start, end, (text) => {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = /** @type {string} */ (lines[i]);
      const c = line.indexOf(',');
      const k = line.slice(0, c);
      const v = +line.slice(c + 1);
      sums.set(k, (sums.get(k) ?? 0) + v);
    }
  });
  return mapToArrays(sums);
}

/** @param {{ path: string, start: number, end: number, smallPath: string }} t */
function join({ path, start, end, smallPath }) {
  /** @type {Map<string, string>} */
  const small = new Map();
  const smallSize = fs.statSync(smallPath).size;
  forEachLinesChunk(smallPath, 0, smallSize, (text) => {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = /** @type {string} */ (lines[i]);
      const c = line.indexOf(',');
      small.set(line.slice(0, c), line.slice(c + 1));
    }
  });
  // per label length: joined records and sum of values
  /** @type {number[]} */
  const counts = [];
  /** @type {number[]} */
  const sums = [];
  forEachLinesChunk(path, start, end, (text) => {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = /** @type {string} */ (lines[i]);
      const c = line.indexOf(',');
      const label = small.get(line.slice(0, c));
      if (label === undefined) continue;
      const v = +line.slice(c + 1);
      const L = label.length;
      while (counts.length <= L) {
        counts.push(0);
        sums.push(0);
      }
      counts[L] = /** @type {number} */ (counts[L]) + 1;
      sums[L] = /** @type {number} */ (sums[L]) + v;
    }
  });
  /** @type {[number, number, number][]} */
  const rows = [];
  for (let L = 0; L < counts.length; L++) if (counts[L]) rows.push([L, /** @type {number} */ (counts[L]), /** @type {number} */ (sums[L])]);
  return { rows };
}

/**
 * Read `[start, end)` whole and sort its lines by their first `keyLen` (≤ 12) bytes: the key
 * bytes are packed into two exact doubles (bytes 0–5 and 6–11, big-endian; bytes past the end
 * of a short line count as 0 and the key length breaks ties, which is plain byte/string order),
 * then an index array is sorted with a numeric comparator. Returns the sorted run as one
 * transferable buffer (records in order, each with its '\n'), the record start offsets in it
 * (`offsets[n]` = total length) and the packed keys in sorted order for the merge.
 * @param {{ path: string, start: number, end: number, keyLen: number }} t
 */
function sortRun({ path, start, end, keyLen }) {
  if (keyLen > 12) throw new Error('baseline sort supports keys of at most 12 bytes');
  const size = end - start;
  const data = Buffer.allocUnsafe(size);
  const fd = fs.openSync(path, 'r');
  try {
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, data, off, Math.min(CHUNK, size - off), start + off);
      if (n === 0) throw new Error(`short read of ${path}`);
      off += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  // Line starts / ends (records without the '\n').
  /** @type {number[]} */
  const starts = [];
  /** @type {number[]} */
  const ends = [];
  let s = 0;
  while (s < size) {
    let nl = data.indexOf(10, s);
    if (nl === -1) nl = size;
    starts.push(s);
    ends.push(nl);
    s = nl + 1;
  }
  const n = starts.length;
  const hi = new Float64Array(n);
  const lo = new Float64Array(n);
  const kl = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = /** @type {number} */ (starts[i]);
    const e = Math.min(/** @type {number} */ (ends[i]), a + keyLen);
    let h = 0;
    let l = 0;
    for (let j = 0; j < 6; j++) h = h * 256 + (a + j < e ? /** @type {number} */ (data[a + j]) : 0);
    for (let j = 6; j < 12; j++) l = l * 256 + (a + j < e ? /** @type {number} */ (data[a + j]) : 0);
    hi[i] = h;
    lo[i] = l;
    kl[i] = e - a;
  }
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((x, y) => hi[x] - hi[y] || lo[x] - lo[y] || kl[x] - kl[y] || x - y);
  // Lay the records out in sorted order, each followed by '\n'.
  const out = Buffer.allocUnsafe(size + 1);
  const offsets = new Float64Array(n + 1);
  const shi = new Float64Array(n);
  const slo = new Float64Array(n);
  const skl = new Uint8Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const r = /** @type {number} */ (idx[i]);
    offsets[i] = p;
    p += data.copy(out, p, /** @type {number} */ (starts[r]), /** @type {number} */ (ends[r]));
    out[p++] = 10;
    shi[i] = /** @type {number} */ (hi[r]);
    slo[i] = /** @type {number} */ (lo[r]);
    skl[i] = /** @type {number} */ (kl[r]);
  }
  offsets[n] = p;
  return { buffer: out.buffer, byteOffset: out.byteOffset, length: p, offsets, hi: shi, lo: slo, kl: skl };
}

/** @param {any} msg */
function handle(msg) {
  switch (msg.op) {
    case 'echo':
      return { id: msg.id };
    case 'wordcount':
      return wordcount(msg);
    case 'reduceByKey':
      return reduceByKey(msg);
    case 'join':
      return join(msg);
    case 'sort':
      return sortRun(msg);
    default:
      throw new Error(`unknown op ${msg.op}`);
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (msg) => {
    if (msg.op === 'echo') {
      port.postMessage({ id: msg.id });
      return;
    }
    try {
      const r = handle(msg);
      // Hand over the big typed arrays instead of copying them.
      /** @type {any[]} */
      const transfer = [];
      if (r && typeof r === 'object') {
        if ('values' in r && r.values instanceof Float64Array) transfer.push(r.values.buffer);
        if ('buffer' in r && r.buffer instanceof ArrayBuffer) transfer.push(r.buffer, r.offsets.buffer, r.hi.buffer, r.lo.buffer, r.kl.buffer);
      }
      port.postMessage({ ok: true, result: r }, transfer);
    } catch (e) {
      port.postMessage({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) });
    }
  });
  port.postMessage({ ready: true });
}
