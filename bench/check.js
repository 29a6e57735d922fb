// @ts-check
/**
 * Shared, order-independent answer signatures for the benchmarks. Both the hand-written
 * baselines and the kuberdd jobs reduce their answers to the same small JSON-able `check`
 * objects through these helpers, so `run.js` can compare them with `sameCheck`.
 *
 * Everything here runs on the driver/main thread only (never inside an engine closure).
 */
import fs from 'node:fs';

/**
 * 32-bit FNV-1a of a string's UTF-16 code units (equals the byte hash for ASCII text).
 * @param {string} s
 * @returns {number} unsigned 32-bit hash
 */
export function fnv1aString(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * 32-bit FNV-1a of `bytes[start, end)`.
 * @param {Uint8Array} bytes
 * @param {number} start
 * @param {number} end
 * @returns {number}
 */
export function fnv1aBytes(bytes, start, end) {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 16777619);
  return h >>> 0;
}

/**
 * murmur3 finalizer.
 * @param {number} x
 * @returns {number}
 */
export function fmix32(x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Hash of one (string key, non-negative integer value) pair; values up to 2^53 are exact.
 * @param {string} key
 * @param {number} value
 */
export function pairHash(key, value) {
  const lo = value >>> 0;
  const hi = Math.floor(value / 4294967296) >>> 0;
  return fmix32(fnv1aString(key) ^ Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi ^ 0x5bd1e995, 0x27d4eb2f));
}

/** @param {number} n */
function hex8(n) {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * Signature of a `key → count/sum` answer: number of distinct keys, total of the values and
 * an order-independent hash of all pairs (sum mod 2^32 of `pairHash`).
 * @param {Iterable<readonly [string, number]>} entries
 * @returns {{ distinct: number, total: number, sig: string }}
 */
export function keyedSumCheck(entries) {
  let distinct = 0;
  let total = 0;
  let sig = 0;
  for (const [k, v] of entries) {
    distinct++;
    total += v;
    sig = (sig + pairHash(k, v)) >>> 0;
  }
  return { distinct, total, sig: hex8(sig) };
}

/**
 * Signature of the join answer from per-label-length aggregates.
 * @param {Iterable<readonly [number, number, number]>} rows `[labelLength, joinedRecords, sumOfValues]`
 * @returns {{ count: number, total: number, byLabelLen: [number, number, number][] }}
 */
export function joinCheck(rows) {
  /** @type {Map<number, [number, number, number]>} */
  const m = new Map();
  for (const [len, c, s] of rows) {
    const e = m.get(len);
    if (e) {
      e[1] += c;
      e[2] += s;
    } else m.set(len, [len, c, s]);
  }
  const byLabelLen = [...m.values()].sort((a, b) => a[0] - b[0]);
  let count = 0;
  let total = 0;
  for (const [, c, s] of byLabelLen) {
    count += c;
    total += s;
  }
  return { count, total, byLabelLen };
}

/**
 * Per-record hash used by the sort check: FNV-1a over the record without its `\n`.
 * The same function over a JS string (ASCII) is `fnv1aString(line)`.
 */
export const recordHashBytes = fnv1aBytes;
export const recordHashString = fnv1aString;

/**
 * Combine per-partition sort summaries (in partition order) into a sort check.
 * A summary is `[count, sumOfHashes, xorOfHashes, firstKey|null, lastKey|null, sortedWithin]`.
 * @param {ReadonlyArray<readonly [number, number, number, string|null, string|null, boolean]>} parts
 * @returns {{ count: number, sum: string, xor: string, sorted: boolean }}
 */
export function combineSortSummaries(parts) {
  let count = 0;
  let sum = 0;
  let xor = 0;
  let sorted = true;
  /** @type {string|null} */
  let prevLast = null;
  for (const [c, s, x, first, last, ok] of parts) {
    count += c;
    sum = (sum + s) >>> 0;
    xor = (xor ^ x) >>> 0;
    if (!ok) sorted = false;
    if (c > 0) {
      if (prevLast !== null && first !== null && first < prevLast) sorted = false;
      prevLast = last;
    }
  }
  return { count, sum: hex8(sum), xor: hex8(xor), sorted };
}

/**
 * Read sorted output files in order and compute the sort check: record count, sum and xor of
 * record hashes, and whether keys (first `keyLen` bytes of each line) never decrease.
 * Reads with readSync in 8 MiB chunks.
 * @param {string[]} files in output order
 * @param {number} [keyLen]
 * @returns {{ count: number, sum: string, xor: string, sorted: boolean }}
 */
export function verifySortedFiles(files, keyLen = 10) {
  const CHUNK = 8 << 20;
  let buf = Buffer.allocUnsafe(CHUNK);
  let count = 0;
  let sum = 0;
  let xor = 0;
  let sorted = true;
  const prev = Buffer.alloc(keyLen);
  let prevLen = -1; // -1: no previous record
  /**
   * @param {Buffer} b
   * @param {number} s
   * @param {number} e record end (exclusive, without \n)
   */
  const record = (b, s, e) => {
    const h = fnv1aBytes(b, s, e);
    count++;
    sum = (sum + h) >>> 0;
    xor = (xor ^ h) >>> 0;
    const kl = Math.min(keyLen, e - s);
    if (prevLen >= 0) {
      // compare key with prev
      let c = 0;
      const n = Math.min(kl, prevLen);
      for (let i = 0; i < n && c === 0; i++) c = b[s + i] - prev[i];
      if (c === 0) c = kl - prevLen;
      if (c < 0) sorted = false;
    }
    b.copy(prev, 0, s, s + kl);
    prevLen = kl;
  };
  for (const f of files) {
    const fd = fs.openSync(f, 'r');
    try {
      let carry = 0;
      for (;;) {
        if (carry === buf.length) {
          const nb = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(nb, 0, 0, carry);
          buf = nb;
        }
        const n = fs.readSync(fd, buf, carry, buf.length - carry, null);
        const end = carry + n;
        if (n === 0) {
          if (carry > 0) record(buf, 0, carry);
          break;
        }
        let s = 0;
        let nl;
        while ((nl = buf.indexOf(10, s)) !== -1 && nl < end) {
          record(buf, s, nl);
          s = nl + 1;
        }
        buf.copy(buf, 0, s, end);
        carry = end - s;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  return { count, sum: hex8(sum), xor: hex8(xor), sorted };
}

/**
 * JSON with object keys sorted, for comparing checks.
 * @param {unknown} v
 * @returns {string}
 */
export function canonicalJSON(v) {
  if (Array.isArray(v)) return '[' + v.map(canonicalJSON).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    const o = /** @type {Record<string, unknown>} */ (v);
    return '{' + Object.keys(o).sort().map((k) => JSON.stringify(k) + ':' + canonicalJSON(o[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}

/**
 * @param {unknown} a
 * @param {unknown} b
 */
export function sameCheck(a, b) {
  return canonicalJSON(a) === canonicalJSON(b);
}

/**
 * CPU seconds (user + system) used so far by this process (all its threads) plus its live
 * descendant processes (forked executors), read from /proc on Linux; elsewhere only this
 * process (`process.cpuUsage`). Take the difference of two readings around a job. Descendants
 * that exit between the readings are not counted.
 * @returns {number}
 */
export function processTreeCpuSeconds() {
  const self = process.cpuUsage();
  let total = (self.user + self.system) / 1e6;
  if (process.platform !== 'linux') return total;
  try {
    const tick = 100; // USER_HZ on Linux
    /** @type {Map<number, number[]>} */
    const children = new Map();
    /** @type {Map<number, number>} */
    const cpu = new Map();
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let stat;
      try {
        stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      } catch {
        continue;
      }
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(name);
      const ppid = Number(rest[1]);
      cpu.set(pid, (Number(rest[11]) + Number(rest[12])) / tick);
      const list = children.get(ppid);
      if (list) list.push(pid);
      else children.set(ppid, [pid]);
    }
    const stack = [...(children.get(process.pid) ?? [])];
    while (stack.length) {
      const pid = /** @type {number} */ (stack.pop());
      total += cpu.get(pid) ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
  } catch {
    // /proc unreadable: this process only
  }
  return total;
}
