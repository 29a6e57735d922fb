// @ts-check
/**
 * Hand-written Node baselines on worker_threads (2 by default): what a competent engineer would
 * write for each workload without a framework — readSync in 8 MiB chunks, String.split, `Map`,
 * results returned to the main thread as arrays and merged there. kuberdd is measured against
 * these, so they are neither crippled nor tuned with exotic tricks.
 *
 * Every function resolves to `{ seconds, check }`. `seconds` runs from handing the work to
 * already-started workers until the merged answer is on the main thread (the sort: until the
 * output file is written); worker start-up (~25 ms) and computing `check` are not timed.
 * `check` is a small JSON-able answer signature (see check.js) to compare with kuberdd's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { joinCheck, keyedSumCheck, verifySortedFiles } from './check.js';

const WORKER_URL = new URL('./baseline-worker.js', import.meta.url);
export const DEFAULT_THREADS = 2;

/**
 * @typedef {{ seconds: number, check: any }} BaselineResult
 * @typedef {{ threads?: number }} BaselineOptions
 */

// ---------------------------------------------------------------------------------------------
// Worker plumbing
// ---------------------------------------------------------------------------------------------

/**
 * Start `n` workers and wait until each has loaded and said it is ready.
 * @param {number} n
 * @returns {Promise<Worker[]>}
 */
export async function startWorkers(n) {
  const workers = Array.from({ length: n }, () => new Worker(WORKER_URL));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise((resolve, reject) => {
          /** @param {any} m */
          const onMsg = (m) => {
            if (m && m.ready) {
              w.off('message', onMsg);
              w.off('error', reject);
              resolve(undefined);
            }
          };
          w.on('message', onMsg);
          w.once('error', reject);
        }),
    ),
  );
  return workers;
}

/** @param {Worker[]} workers */
async function stopWorkers(workers) {
  await Promise.all(workers.map((w) => w.terminate()));
}

/**
 * Send one task and wait for its single reply.
 * @param {Worker} w
 * @param {object} msg
 * @returns {Promise<any>}
 */
function runTask(w, msg) {
  return new Promise((resolve, reject) => {
    /** @param {any} m */
    const onMsg = (m) => {
      cleanup();
      if (m.ok) resolve(m.result);
      else reject(new Error(`baseline worker failed: ${m.error}`));
    };
    /** @param {Error} e */
    const onErr = (e) => {
      cleanup();
      reject(e);
    };
    /** @param {number} code */
    const onExit = (code) => {
      cleanup();
      reject(new Error(`baseline worker exited with code ${code}`));
    };
    const cleanup = () => {
      w.off('message', onMsg);
      w.off('error', onErr);
      w.off('exit', onExit);
    };
    w.on('message', onMsg);
    w.on('error', onErr);
    w.on('exit', onExit);
    w.postMessage(msg);
  });
}

/**
 * Split a file into `parts` byte ranges whose boundaries fall just after a '\n'.
 * @param {string} file
 * @param {number} parts
 * @returns {[number, number][]}
 */
export function lineAlignedRanges(file, parts) {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  const probe = Buffer.allocUnsafe(64 * 1024);
  /** @type {number[]} */
  const cuts = [0];
  try {
    for (let i = 1; i < parts; i++) {
      let pos = Math.max(Math.floor((size * i) / parts), /** @type {number} */ (cuts[cuts.length - 1]));
      // advance to just after the next '\n' at or after pos-1 (pos-1 == '\n' means pos is a line start)
      let cut = size;
      let p = Math.max(pos - 1, 0);
      if (pos === 0) cut = 0;
      else
        for (;;) {
          const n = fs.readSync(fd, probe, 0, probe.length, p);
          if (n === 0) break;
          const nl = probe.indexOf(10);
          if (nl !== -1 && nl < n) {
            cut = p + nl + 1;
            break;
          }
          p += n;
        }
      cuts.push(cut);
    }
  } finally {
    fs.closeSync(fd);
  }
  cuts.push(size);
  /** @type {[number, number][]} */
  const ranges = [];
  for (let i = 0; i < parts; i++) ranges.push([/** @type {number} */ (cuts[i]), /** @type {number} */ (cuts[i + 1])]);
  return ranges;
}

/**
 * Run one task per line-aligned range of `file` on fresh workers; time from dispatch to the
 * last reply, then `merge` (also timed) the replies.
 * @template R
 * @param {string} file
 * @param {number} threads
 * @param {(range: [number, number]) => object} makeMsg
 * @param {(results: any[]) => R} merge
 * @returns {Promise<{ seconds: number, merged: R }>}
 */
async function scatterGather(file, threads, makeMsg, merge) {
  const ranges = lineAlignedRanges(file, threads);
  const workers = await startWorkers(threads);
  try {
    const t0 = performance.now();
    const results = await Promise.all(workers.map((w, i) => runTask(w, makeMsg(/** @type {[number, number]} */ (ranges[i])))));
    const merged = merge(results);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, merged };
  } finally {
    await stopWorkers(workers);
  }
}

/**
 * Merge `{ keys, values }` replies into one Map by summing.
 * @param {{ keys: string[], values: Float64Array }[]} parts
 */
function mergeSums(parts) {
  /** @type {Map<string, number>} */
  const m = new Map();
  for (const { keys, values } of parts) {
    for (let i = 0; i < keys.length; i++) {
      const k = /** @type {string} */ (keys[i]);
      m.set(k, (m.get(k) ?? 0) + /** @type {number} */ (values[i]));
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------------

/**
 * Word count: words are `line.split(' ')` over '\n'-separated lines.
 * @param {string} file
 * @param {BaselineOptions} [opts]
 * @returns {Promise<BaselineResult>} check: `{ distinct, total, sig }`
 */
export async function wordcount(file, { threads = DEFAULT_THREADS } = {}) {
  const { seconds, merged } = await scatterGather(file, threads, ([start, end]) => ({ op: 'wordcount', path: file, start, end }), mergeSums);
  return { seconds, check: keyedSumCheck(merged) };
}

/**
 * Sum of the integer value per key over `key,value` CSV lines.
 * @param {string} file
 * @param {BaselineOptions} [opts]
 * @returns {Promise<BaselineResult>} check: `{ distinct, total, sig }`
 */
export async function reduceByKey(file, { threads = DEFAULT_THREADS } = {}) {
  const { seconds, merged } = await scatterGather(file, threads, ([start, end]) => ({ op: 'reduceByKey', path: file, start, end }), mergeSums);
  return { seconds, check: keyedSumCheck(merged) };
}

/**
 * Hash join of `key,value` lines (big side, split between workers) with `key,label` lines
 * (small side, loaded into a Map by every worker). Aggregates per label length.
 * @param {string} kvPath
 * @param {string} smallPath
 * @param {BaselineOptions} [opts]
 * @returns {Promise<BaselineResult>} check: `{ count, total, byLabelLen: [len, count, sum][] }`
 */
export async function join(kvPath, smallPath, { threads = DEFAULT_THREADS } = {}) {
  const { seconds, merged } = await scatterGather(
    kvPath,
    threads,
    ([start, end]) => ({ op: 'join', path: kvPath, start, end, smallPath }),
    (results) => results.flatMap((r) => r.rows),
  );
  return { seconds, check: joinCheck(merged) };
}

/**
 * Sort lines by their first `keyLen` (10) bytes: each worker reads its half of the file, sorts
 * an index array by the keys (packed into numbers) and returns its run laid out in order; the
 * main thread merges the two sorted runs and writes `outPath` in 8 MiB chunks.
 * @param {string} file
 * @param {BaselineOptions & { outPath?: string, keyLen?: number, keepOutput?: boolean }} [opts]
 * @returns {Promise<BaselineResult>} check: `{ count, sum, xor, sorted }` read back from the output
 */
export async function sort(file, { threads = DEFAULT_THREADS, outPath, keyLen = 10, keepOutput = false } = {}) {
  const out = outPath ?? path.join(os.tmpdir(), `kuberdd-bench-sort-${process.pid}.txt`);
  const { seconds } = await scatterGather(
    file,
    threads,
    ([start, end]) => ({ op: 'sort', path: file, start, end, keyLen }),
    (runs) => {
      mergeRunsToFile(runs, out);
      return null;
    },
  );
  try {
    return { seconds, check: verifySortedFiles([out], keyLen) };
  } finally {
    if (!keepOutput) fs.rmSync(out, { force: true });
  }
}

/**
 * Merge two sorted runs (from `sortRun`) into a file, copying maximal blocks of consecutive
 * records from one run at a time and writing in 8 MiB chunks. Ties go to the first run.
 * @param {{ buffer: ArrayBuffer, byteOffset: number, length: number, offsets: Float64Array, hi: Float64Array, lo: Float64Array, kl: Uint8Array }[]} runs
 * @param {string} out
 */
function mergeRunsToFile(runs, out) {
  if (runs.length === 0) {
    fs.writeFileSync(out, '');
    return;
  }
  // More than two runs: merge pairwise in memory first (only happens with threads > 2).
  while (runs.length > 2) {
    const [a, b, ...rest] = runs;
    runs = [mergeTwoInMemory(/** @type {any} */ (a), /** @type {any} */ (b)), ...rest];
  }
  const fd = fs.openSync(out, 'w');
  const CHUNK = 8 << 20;
  const outBuf = Buffer.allocUnsafe(CHUNK);
  let pos = 0;
  /** @param {Uint8Array} b @param {number} s @param {number} e */
  const emit = (b, s, e) => {
    if (pos + (e - s) > outBuf.length) {
      for (let o = 0; o < pos; ) o += fs.writeSync(fd, outBuf, o, pos - o);
      pos = 0;
      if (e - s > outBuf.length) {
        while (s < e) s += fs.writeSync(fd, b, s, e - s);
        return;
      }
    }
    outBuf.set(b.subarray(s, e), pos);
    pos += e - s;
  };
  try {
    const A = /** @type {(typeof runs)[0]} */ (runs[0]);
    const B = runs[1];
    const da = new Uint8Array(A.buffer, A.byteOffset, A.length);
    if (!B) emit(da, 0, A.length);
    else {
      const db = new Uint8Array(B.buffer, B.byteOffset, B.length);
      const oa = A.offsets, ob = B.offsets;
      const ha = A.hi, la = A.lo, ka = A.kl, hb = B.hi, lb = B.lo, kb = B.kl;
      const na = oa.length - 1, nb = ob.length - 1;
      /** a[i] <= b[j] */
      const le = (/** @type {number} */ i, /** @type {number} */ j) => (ha[i] - hb[j] || la[i] - lb[j] || ka[i] - kb[j]) <= 0;
      let i = 0;
      let j = 0;
      while (i < na && j < nb) {
        if (le(i, j)) {
          let i2 = i + 1;
          while (i2 < na && le(i2, j)) i2++;
          emit(da, /** @type {number} */ (oa[i]), /** @type {number} */ (oa[i2]));
          i = i2;
        } else {
          let j2 = j + 1;
          while (j2 < nb && !le(i, j2)) j2++;
          emit(db, /** @type {number} */ (ob[j]), /** @type {number} */ (ob[j2]));
          j = j2;
        }
      }
      if (i < na) emit(da, /** @type {number} */ (oa[i]), /** @type {number} */ (oa[na]));
      if (j < nb) emit(db, /** @type {number} */ (ob[j]), /** @type {number} */ (ob[nb]));
    }
    for (let o = 0; o < pos; ) o += fs.writeSync(fd, outBuf, o, pos - o);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Merge two sorted runs into a new in-memory run (used only when there are more than 2 runs).
 * @param {{ buffer: ArrayBuffer, byteOffset: number, length: number, offsets: Float64Array, hi: Float64Array, lo: Float64Array, kl: Uint8Array }} A
 * @param {{ buffer: ArrayBuffer, byteOffset: number, length: number, offsets: Float64Array, hi: Float64Array, lo: Float64Array, kl: Uint8Array }} B
 */
function mergeTwoInMemory(A, B) {
  const da = new Uint8Array(A.buffer, A.byteOffset, A.length);
  const db = new Uint8Array(B.buffer, B.byteOffset, B.length);
  const na = A.offsets.length - 1, nb = B.offsets.length - 1;
  const n = na + nb;
  const data = new Uint8Array(A.length + B.length);
  const offsets = new Float64Array(n + 1), hi = new Float64Array(n), lo = new Float64Array(n), kl = new Uint8Array(n);
  let i = 0, j = 0, p = 0;
  for (let k = 0; k < n; k++) {
    const takeA =
      j >= nb ||
      (i < na && ((/** @type {number} */ (A.hi[i]) - /** @type {number} */ (B.hi[j]) || /** @type {number} */ (A.lo[i]) - /** @type {number} */ (B.lo[j]) || /** @type {number} */ (A.kl[i]) - /** @type {number} */ (B.kl[j])) <= 0));
    const R = takeA ? A : B;
    const d = takeA ? da : db;
    const r = takeA ? i++ : j++;
    const s = /** @type {number} */ (R.offsets[r]), e = /** @type {number} */ (R.offsets[r + 1]);
    offsets[k] = p;
    data.set(d.subarray(s, e), p);
    p += e - s;
    hi[k] = /** @type {number} */ (R.hi[r]);
    lo[k] = /** @type {number} */ (R.lo[r]);
    kl[k] = /** @type {number} */ (R.kl[r]);
  }
  offsets[n] = p;
  return { buffer: data.buffer, byteOffset: 0, length: p, offsets, hi, lo, kl };
}

/**
 * Empty-task throughput: the main thread posts `n` tiny task messages to the workers, keeping
 * `inFlight` outstanding per worker (each reply releases the next task to that worker), and
 * waits for all `n` replies. A short untimed warm-up runs first.
 * @param {number} n
 * @param {BaselineOptions & { inFlight?: number, warmup?: number }} [opts]
 * @returns {Promise<BaselineResult & { tasksPerSecond: number }>} check: `{ tasks }`
 */
export async function emptytasks(n, { threads = DEFAULT_THREADS, inFlight = 2, warmup = Math.min(1000, n) } = {}) {
  const workers = await startWorkers(threads);
  /**
   * @param {number} total
   * @returns {Promise<number>} replies received
   */
  const round = (total) =>
    new Promise((resolve) => {
      let sent = 0;
      let done = 0;
      if (total === 0) return resolve(0);
      workers.forEach((w, wi) => {
        const onMsg = () => {
          done++;
          if (sent < total) w.postMessage({ op: 'echo', id: sent++, stage: 0, partition: wi });
          if (done === total) {
            for (const x of workers) x.removeAllListeners('message');
            resolve(done);
          }
        };
        w.on('message', onMsg);
      });
      for (let f = 0; f < inFlight; f++)
        for (let wi = 0; wi < workers.length && sent < total; wi++)
          /** @type {Worker} */ (workers[wi]).postMessage({ op: 'echo', id: sent++, stage: 0, partition: wi });
    });
  try {
    await round(warmup);
    const t0 = performance.now();
    const done = await round(n);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, tasksPerSecond: n / seconds, check: { tasks: done } };
  } finally {
    await stopWorkers(workers);
  }
}
