// @ts-check
/**
 * The kuberdd side of the benchmarks: each job takes a SparkContext and input path(s) and
 * returns the same `check` shape as the matching baseline in baseline.js.
 *
 * Written against the Spark-like API (textFile, flatMap, map, reduceByKey, join, sortByKey,
 * values, mapPartitions, saveAsTextFile, parallelize, foreachPartition, collect, stop).
 *
 * IMPORTANT: the functions passed to RDD operations are shipped to executors as source text plus
 * their free variables, so every closure below is self-contained: it uses only its parameters,
 * literals and JS built-ins — no imports, no helper functions from this module.
 * Check signatures are computed on the driver from the (small) collected results.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { combineSortSummaries, joinCheck, keyedSumCheck, verifySortedFiles } from './check.js';

/** @typedef {any} SparkContext */
/** @typedef {any} RDD */

/** The engine entry point: `../dist/index.js`, or the module named by $KUBERDD_ENTRY. */
export const DIST_ENTRY = process.env.KUBERDD_ENTRY
  ? pathToFileURL(path.resolve(process.env.KUBERDD_ENTRY))
  : new URL('../dist/index.js', import.meta.url);

/**
 * Import the built engine and create a local[2] SparkContext.
 * @param {object} [conf] extra SparkContext options
 * @returns {Promise<SparkContext>}
 */
export async function createContext(conf = {}) {
  const mod = await import(DIST_ENTRY.href);
  return new mod.SparkContext({ master: 'local[2]', appName: 'bench', ...conf });
}

/**
 * Parse `key,value` CSV lines into `[key, number]` pairs.
 * @param {SparkContext} sc
 * @param {string} file
 * @returns {RDD}
 */
function kvPairs(sc, file) {
  return sc.textFile(file).map((/** @type {string} */ l) => {
    const i = l.indexOf(',');
    return [l.slice(0, i), +l.slice(i + 1)];
  });
}

/**
 * Word count. check: `{ distinct, total, sig }`.
 * @param {SparkContext} sc
 * @param {string} file
 */
export async function wordcount(sc, file) {
  /** @type {[string, number][]} */
  const counts = await sc
    .textFile(file)
    .flatMap((/** @type {string} */ line) => line.split(' '))
    .map((/** @type {string} */ w) => [w, 1])
    .reduceByKey((/** @type {number} */ a, /** @type {number} */ b) => a + b)
    .collect();
  return { check: () => keyedSumCheck(counts) };
}

/**
 * Sum of value per key over the kv CSV. check: `{ distinct, total, sig }`.
 * @param {SparkContext} sc
 * @param {string} file
 */
export async function reduceByKey(sc, file) {
  /** @type {[string, number][]} */
  const sums = await kvPairs(sc, file)
    .reduceByKey((/** @type {number} */ a, /** @type {number} */ b) => a + b)
    .collect();
  return { check: () => keyedSumCheck(sums) };
}

/**
 * big (key,value) ⋈ small (key,label), aggregated per label length.
 * check: `{ count, total, byLabelLen: [len, count, sum][] }`.
 * @param {SparkContext} sc
 * @param {string} kvPath
 * @param {string} smallPath
 */
export async function join(sc, kvPath, smallPath) {
  const big = kvPairs(sc, kvPath);
  const small = sc.textFile(smallPath).map((/** @type {string} */ l) => {
    const i = l.indexOf(',');
    return [l.slice(0, i), l.slice(i + 1)];
  });
  /** @type {[number, [number, number]][]} */
  const rows = await big
    .join(small)
    .map((/** @type {[string, [number, string]]} */ kv) => [kv[1][1].length, [1, kv[1][0]]])
    .reduceByKey((/** @type {[number, number]} */ a, /** @type {[number, number]} */ b) => [a[0] + b[0], a[1] + b[1]])
    .collect();
  return { check: () => joinCheck(rows.map(([len, [c, s]]) => /** @type {[number, number, number]} */ ([len, c, s]))) };
}

/**
 * Sort 100-byte records by their 10-byte key into 2 partitions.
 * If the engine has `saveAsTextFile`, the sorted lines are written to `outDir` and the check is
 * computed afterwards (untimed) by reading the part files in order — the same way as for the
 * baseline's output file. Otherwise each partition is summarized with `mapPartitions` (count,
 * checksum, first/last key, sorted-within flag) and the driver verifies the order across
 * partitions; then `mode` is `'mapPartitions'`.
 * check: `{ count, sum, xor, sorted }`.
 * @param {SparkContext} sc
 * @param {string} file
 * @param {{ outDir: string }} opts
 */
export async function sort(sc, file, { outDir }) {
  const sorted = sc
    .textFile(file)
    .map((/** @type {string} */ l) => [l.slice(0, 10), l])
    .sortByKey(true, 2)
    .values();
  if (typeof sorted.saveAsTextFile === 'function') {
    fs.rmSync(outDir, { recursive: true, force: true });
    await sorted.saveAsTextFile(outDir);
    return {
      mode: 'saveAsTextFile',
      check: () => verifySortedFiles(partFiles(outDir), 10),
    };
  }
  /** @type {[number, number, number, string|null, string|null, boolean][]} */
  const parts = await sorted
    .mapPartitions((/** @type {Iterable<string>} */ it) => {
      let count = 0;
      let sum = 0;
      let xor = 0;
      /** @type {string|null} */
      let first = null;
      /** @type {string|null} */
      let last = null;
      let ok = true;
      for (const line of it) {
        let h = 0x811c9dc5;
        for (let i = 0; i < line.length; i++) h = Math.imul(h ^ line.charCodeAt(i), 16777619);
        h >>>= 0;
        count++;
        sum = (sum + h) >>> 0;
        xor = (xor ^ h) >>> 0;
        const k = line.slice(0, 10);
        if (first === null) first = k;
        else if (last !== null && k < last) ok = false;
        last = k;
      }
      return [[count, sum, xor, first, last, ok]];
    })
    .collect();
  return { mode: 'mapPartitions', check: () => combineSortSummaries(parts) };
}

/**
 * Output part files of a saveAsTextFile directory in order (Hadoop/Spark naming `part-00000`…;
 * hidden files, `_SUCCESS` and `.crc` files skipped).
 * @param {string} dir
 * @returns {string[]}
 */
export function partFiles(dir) {
  return fs
    .readdirSync(dir)
    .filter((f) => !f.startsWith('.') && !f.startsWith('_') && !f.endsWith('.crc'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Empty tasks: one job of `n` empty partitions. check: `{ tasks }`.
 * @param {SparkContext} sc
 * @param {number} n
 */
export async function emptytasks(sc, n) {
  await sc.parallelize([], n).foreachPartition(() => {});
  return { check: () => ({ tasks: n }) };
}

/**
 * Run one kuberdd job, timed from submission until its result is on the driver (the sort: until
 * the output is written); the answer's check signature is computed afterwards, untimed.
 * Same `{ seconds, check }` shape as the baselines, plus `mode` for the sort.
 * @param {(sc: SparkContext, ...args: any[]) => Promise<{ check: () => any, mode?: string }>} job
 * @param {SparkContext} sc
 * @param {...any} args
 * @returns {Promise<{ seconds: number, check: any, mode?: string }>}
 */
export async function timed(job, sc, ...args) {
  const t0 = performance.now();
  const r = await job(sc, ...args);
  const seconds = (performance.now() - t0) / 1000;
  return r.mode === undefined ? { seconds, check: r.check() } : { seconds, check: r.check(), mode: r.mode };
}
