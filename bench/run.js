#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench` — kuberdd against hand-written Node baselines, in one invocation.
 *
 *   node bench/run.js [--size small|full] [--only wordcount,reduceByKey,join,sort,emptytasks,
 *                                                   nats-shuffle,wordcount-cluster,emptytasks-nats]
 *                     [--repeat N] [--baseline-only] [--keep-output]
 *
 * --size full (default): words 1 GiB, kv 10M rows / 1M keys (+ 1M-row small side), sort 1 GiB,
 *                        20,000 empty tasks.
 * --size small:          words 64 MiB, kv 1M rows / 100k keys (+ 100k-row small side),
 *                        sort 64 MiB, 2,000 empty tasks.
 * --repeat N:            run each side N times (alternating) and report the medians.
 * --baseline-only:       skip kuberdd (no dist/ needed); kuberdd fields are null.
 *
 * The distributed runtime (a local-cluster[2] SparkContext, started and warmed up untimed; its
 * nats-server is the one local-cluster starts):
 *   nats-shuffle       a shuffle-bound job (8 × 8 partitions of 4 KiB records, counted) against raw
 *                      nats.js publish/subscribe of the same byte count between two processes on the
 *                      same nats-server; bytes = shuffle bytes read (about half of them cross between
 *                      the executors, the rest are read locally). Goal: throughput_ratio >= 0.5.
 *   wordcount-cluster  word count on the words file, local-cluster[2] against local[2].
 *   emptytasks-nats    empty tasks in local-cluster[2] against local[2]. Goal: >= 1,000 tasks/s.
 * (--size full: 512 MiB shuffled, 20,000 empty tasks; small: 64 MiB, 2,000.)
 *
 * The sort also runs GNU `sort` (LC_ALL=C, -S 4G --parallel=2): gnu_sort_s and ratio_vs_gnu_sort.
 * stdout: one JSON line per workload, e.g.
 *   {"workload":"wordcount","bytes":1073741737,"kuberdd_s":4.1,"baseline_s":11.3,"ratio":0.36,"check":"ok"}
 * `check` is "ok" when both answers agree, "MISMATCH" when not (both checks are then included
 * and the process exits 1 at the end), "ERROR" when a side threw (exit 1 as well).
 * Progress and logs go to stderr. Data is generated under bench/data/ when missing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as baseline from './baseline.js';
import { canonicalJSON, processTreeCpuSeconds, sameCheck } from './check.js';
import { DATA_DIR, ensureData } from './generate.js';

const WORKLOADS = ['wordcount', 'reduceByKey', 'join', 'sort', 'emptytasks', 'nats-shuffle', 'wordcount-cluster', 'emptytasks-nats'];
/** Workloads that run in a local-cluster[2] context. */
const CLUSTER_WORKLOADS = ['nats-shuffle', 'wordcount-cluster', 'emptytasks-nats'];
/** Workloads counted in tasks rather than input bytes. */
const TASK_WORKLOADS = ['emptytasks', 'emptytasks-nats'];
const MiB = 1 << 20;
const GiB = 1 << 30;

const SIZES = {
  full: { wordsBytes: GiB, kvRecords: 10_000_000, kvKeys: 1_000_000, sortBytes: GiB, emptyTasks: 20_000, shuffleBytes: 512 * MiB },
  small: { wordsBytes: 64 * MiB, kvRecords: 1_000_000, kvKeys: 100_000, sortBytes: 64 * MiB, emptyTasks: 2_000, shuffleBytes: 64 * MiB },
};

/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

function usage() {
  return 'usage: node bench/run.js [--size small|full] [--only a,b] [--repeat N] [--baseline-only] [--keep-output]\n' +
    `workloads: ${WORKLOADS.join(', ')}`;
}

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? /** @type {number} */ (s[m]) : (/** @type {number} */ (s[m - 1]) + /** @type {number} */ (s[m])) / 2;
}

/** @param {number} x */
const round3 = (x) => Math.round(x * 1000) / 1000;
/** @param {number} x seconds, kept to 0.1 ms */
const roundS = (x) => Math.round(x * 10000) / 10000;

/**
 * Flush dirty pages (untimed) before each timed run: the previous side's output (1 GiB for the
 * sort) is otherwise written back while the next side runs, and slows whichever comes next.
 */
function settleDisk() {
  spawnSync('sync', [], { stdio: 'ignore' });
}

/**
 * Read files once (readSync, 8 MiB chunks) so both sides start from the page cache.
 * @param {string[]} files
 */
function prewarm(files) {
  const buf = Buffer.allocUnsafe(8 * MiB);
  for (const f of files) {
    const fd = fs.openSync(f, 'r');
    try {
      while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      fs.closeSync(fd);
    }
  }
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: {
        size: { type: 'string', default: 'full' },
        only: { type: 'string' },
        repeat: { type: 'string', default: '1' },
        'baseline-only': { type: 'boolean', default: false },
        'keep-output': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : e}\n${usage()}`);
    process.exit(2);
  }
  if (args.help) {
    console.error(usage());
    return;
  }
  const sizeName = /** @type {string} */ (args.size);
  if (sizeName !== 'full' && sizeName !== 'small') {
    console.error(`--size must be small or full\n${usage()}`);
    process.exit(2);
  }
  const size = SIZES[sizeName];
  const repeat = Math.max(1, Number(args.repeat) | 0);
  /** @type {string[]} */
  let selected = WORKLOADS;
  if (args.only) {
    const want = args.only.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const bad = want.filter((w) => !WORKLOADS.some((x) => x.toLowerCase() === w));
    if (bad.length) {
      console.error(`unknown workload(s): ${bad.join(', ')}\n${usage()}`);
      process.exit(2);
    }
    selected = WORKLOADS.filter((x) => want.includes(x.toLowerCase()));
  }
  const baselineOnly = /** @type {boolean} */ (args['baseline-only']);
  const keepOutput = /** @type {boolean} */ (args['keep-output']);

  // kuberdd must be built before anything expensive happens.
  /** @type {typeof import('./kuberdd-jobs.js') | null} */
  let jobs = null;
  if (!baselineOnly) {
    jobs = await import('./kuberdd-jobs.js');
    if (!fs.existsSync(fileURLToPath(jobs.DIST_ENTRY))) {
      console.error(
        `error: ${fileURLToPath(jobs.DIST_ENTRY)} is missing — kuberdd is not built.\n` +
          'Run `npm run build` first (or pass --baseline-only to measure only the hand-written baselines).',
      );
      process.exit(1);
    }
  }

  log(`size=${sizeName} workloads=${selected.join(',')} repeat=${repeat} node=${process.version} cpus=${os.cpus().length} loadavg=${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  // ---- data
  const genLog = (/** @type {string} */ m) => log(m);
  /** @type {Record<string, string>} */
  const data = {};
  if (selected.includes('wordcount') || selected.includes('wordcount-cluster')) data.words = (await ensureData('words', { bytes: size.wordsBytes, log: genLog })).path;
  if (selected.includes('reduceByKey') || selected.includes('join'))
    data.kv = (await ensureData('kv', { records: size.kvRecords, keys: size.kvKeys, log: genLog })).path;
  if (selected.includes('join')) data.kvSmall = (await ensureData('kv-small', { keys: size.kvKeys, log: genLog })).path;
  if (selected.includes('sort')) data.sort = (await ensureData('sort', { bytes: size.sortBytes, log: genLog })).path;
  const outRoot = path.join(DATA_DIR, 'out');
  fs.mkdirSync(outRoot, { recursive: true });

  // ---- kuberdd context (created once, warmed up untimed so executor start-up is not measured)
  /** @type {any} */
  let sc = null;
  if (jobs) {
    log('starting SparkContext local[2]');
    sc = await jobs.createContext();
    await sc.parallelize([0, 1], 2).foreachPartition(() => {});
  }
  /** @type {typeof import('./cluster-jobs.js') | null} */
  let cluster = null;
  /** @type {any} */
  let clusterSc = null;
  if (jobs && selected.some((w) => CLUSTER_WORKLOADS.includes(w))) {
    cluster = await import('./cluster-jobs.js');
    log('starting SparkContext local-cluster[2] (and warming it up)');
    clusterSc = await cluster.createClusterContext();
    log(`local-cluster[2] is up; its nats-server: ${clusterSc.natsUrl}`);
  }

  let failed = false;
  try {
    for (const w of selected) {
      /** @type {string[]} */
      let inputs = [];
      /** @type {() => Promise<{ seconds: number, check: any, mode?: string, tasksPerSecond?: number }>} */
      let runBaseline;
      /** @type {(() => Promise<{ seconds: number, check: any, mode?: string }>) | null} */
      let runKuberdd = null;
      /** A second reference for the sort: GNU sort, as the storage issue measures against. */
      /** @type {(() => Promise<{ seconds: number, check: any }>) | null} */
      let runGnuSort = null;
      /** Both sides check their own answers (throwing when wrong) and their answers differ in kind. */
      let selfChecked = false;
      /** What the baseline is, when it is not a hand-written program. */
      /** @type {string | undefined} */
      let baselineName;
      /** nats-shuffle: shuffle bytes of each kuberdd run, the byte count the following baseline run publishes. */
      /** @type {number[]} */
      const shuffledBytes = [];
      const J = jobs;
      const C = cluster;
      switch (w) {
        case 'wordcount': {
          const f = /** @type {string} */ (data.words);
          inputs = [f];
          runBaseline = () => baseline.wordcount(f);
          if (J) runKuberdd = () => J.timed(J.wordcount, sc, f);
          break;
        }
        case 'reduceByKey': {
          const f = /** @type {string} */ (data.kv);
          inputs = [f];
          runBaseline = () => baseline.reduceByKey(f);
          if (J) runKuberdd = () => J.timed(J.reduceByKey, sc, f);
          break;
        }
        case 'join': {
          const f = /** @type {string} */ (data.kv);
          const g = /** @type {string} */ (data.kvSmall);
          inputs = [f, g];
          runBaseline = () => baseline.join(f, g);
          if (J) runKuberdd = () => J.timed(J.join, sc, f, g);
          break;
        }
        case 'sort': {
          const f = /** @type {string} */ (data.sort);
          inputs = [f];
          const bOut = path.join(outRoot, 'sort-baseline.txt');
          const kOut = path.join(outRoot, 'sort-kuberdd');
          runBaseline = () => baseline.sort(f, { outPath: bOut, keepOutput });
          runGnuSort = () => gnuSort(f, path.join(outRoot, 'sort-gnu.txt'), keepOutput);
          if (J)
            runKuberdd = async () => {
              try {
                return await J.timed(J.sort, sc, f, { outDir: kOut });
              } finally {
                if (!keepOutput) fs.rmSync(kOut, { recursive: true, force: true });
              }
            };
          break;
        }
        case 'emptytasks': {
          const n = size.emptyTasks;
          runBaseline = () => baseline.emptytasks(n);
          if (J)
            runKuberdd = async () => {
              await sc.parallelize([], Math.min(1000, n)).foreachPartition(() => {}); // warm-up, untimed
              return J.timed(J.emptytasks, sc, n);
            };
          break;
        }
        case 'nats-shuffle': {
          const records = Math.floor(size.shuffleBytes / 4096);
          selfChecked = true;
          baselineName = 'raw nats.js publish/subscribe, two processes, same nats-server';
          if (!C) {
            runBaseline = async () => {
              throw new Error('nats-shuffle needs kuberdd (its local-cluster nats-server and shuffle byte count)');
            };
            break;
          }
          runKuberdd = async () => {
            const res = await C.natsShuffle(clusterSc, records);
            shuffledBytes.push(res.shuffleBytes);
            return res;
          };
          runBaseline = () => {
            const n = shuffledBytes[shuffledBytes.length - 1];
            if (n === undefined) throw new Error('no kuberdd run measured the shuffle bytes to publish');
            return C.rawPubSub(/** @type {string} */ (clusterSc.natsUrl), n);
          };
          break;
        }
        case 'wordcount-cluster': {
          const f = /** @type {string} */ (data.words);
          inputs = [f];
          baselineName = 'kuberdd local[2]';
          runBaseline = J ? () => J.timed(J.wordcount, sc, f) : () => baseline.wordcount(f);
          if (J) runKuberdd = () => J.timed(J.wordcount, clusterSc, f);
          break;
        }
        case 'emptytasks-nats': {
          const n = size.emptyTasks;
          baselineName = 'kuberdd local[2]';
          runBaseline = J ? () => J.timed(J.emptytasks, sc, n) : () => baseline.emptytasks(n);
          if (J)
            runKuberdd = async () => {
              await clusterSc.parallelize([], Math.min(1000, n)).foreachPartition(() => {}); // warm-up, untimed
              return J.timed(J.emptytasks, clusterSc, n);
            };
          break;
        }
        default:
          throw new Error(`unknown workload ${w}`);
      }
      const bytes = inputs.reduce((s, f) => s + fs.statSync(f).size, 0);
      if (inputs.length) prewarm(inputs);

      /** @type {number[]} */
      const kTimes = [];
      /** @type {number[]} */
      const bTimes = [];
      /** @type {number[]} */
      const kCpu = [];
      /** @type {number[]} */
      const bCpu = [];
      const load = os.loadavg()[0] ?? 0;
      /** @type {any} */
      let kCheck;
      /** @type {any} */
      let bCheck;
      /** @type {string|undefined} */
      let kMode;
      /** @type {string[]} */
      const errors = [];
      /** @type {number[]} */
      const gTimes = [];
      /** @type {any} */
      let gCheck;
      for (let r = 0; r < repeat; r++) {
        if (runGnuSort) {
          log(`${w}: GNU sort run ${r + 1}/${repeat}`);
          try {
            settleDisk();
            const res = await runGnuSort();
            gTimes.push(res.seconds);
            gCheck = res.check;
            log(`${w}: GNU sort ${res.seconds.toFixed(3)} s`);
          } catch (e) {
            errors.push(`GNU sort: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        if (runKuberdd) {
          log(`${w}: kuberdd run ${r + 1}/${repeat} (loadavg ${os.loadavg()[0]?.toFixed(2)})`);
          try {
            const c0 = processTreeCpuSeconds();
            settleDisk();
            const res = await runKuberdd();
            kCpu.push(processTreeCpuSeconds() - c0);
            kTimes.push(res.seconds);
            if (kCheck !== undefined && !sameCheck(kCheck, res.check)) errors.push('kuberdd answers differ between runs');
            kCheck = res.check;
            kMode = res.mode;
            log(`${w}: kuberdd ${res.seconds.toFixed(3)} s`);
          } catch (e) {
            errors.push(`kuberdd: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
            log(`${w}: kuberdd FAILED: ${e instanceof Error ? e.stack ?? e.message : e}`);
          }
        }
        log(`${w}: baseline run ${r + 1}/${repeat} (loadavg ${os.loadavg()[0]?.toFixed(2)})`);
        try {
          const c0 = processTreeCpuSeconds();
          settleDisk();
          const res = await runBaseline();
          bCpu.push(processTreeCpuSeconds() - c0);
          bTimes.push(res.seconds);
          bCheck = res.check;
          log(`${w}: baseline ${res.seconds.toFixed(3)} s`);
        } catch (e) {
          errors.push(`baseline: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
          log(`${w}: baseline FAILED: ${e instanceof Error ? e.stack ?? e.message : e}`);
        }
      }

      const ksRaw = kTimes.length ? median(kTimes) : null;
      const bsRaw = bTimes.length ? median(bTimes) : null;
      const ks = ksRaw === null ? null : roundS(ksRaw);
      const bs = bsRaw === null ? null : roundS(bsRaw);
      /** @type {Record<string, unknown>} */
      const line = { workload: w };
      if (TASK_WORKLOADS.includes(w)) line.tasks = size.emptyTasks;
      else if (w === 'nats-shuffle') line.bytes = shuffledBytes.length ? median(shuffledBytes) : null;
      else line.bytes = bytes;
      if (baselineName) line.baseline = baselineName;
      line.kuberdd_s = ks;
      line.baseline_s = bs;
      line.ratio = ksRaw !== null && bsRaw !== null && bsRaw > 0 ? round3(ksRaw / bsRaw) : null;
      // CPU seconds of the whole run of each side (incl. untimed parts such as computing the check):
      // a steadier efficiency signal than wall time when the machine is shared.
      line.kuberdd_cpu_s = kCpu.length ? round3(median(kCpu)) : null;
      line.baseline_cpu_s = bCpu.length ? round3(median(bCpu)) : null;
      line.loadavg = round3(load);
      if (gTimes.length) {
        const gs = median(gTimes);
        line.gnu_sort_s = roundS(gs);
        line.ratio_vs_gnu_sort = ksRaw !== null && gs > 0 ? round3(ksRaw / gs) : null;
        line.gnu_sort_runs = gTimes.map(roundS);
        if (kCheck !== undefined && !sameCheck(kCheck, gCheck)) errors.push(`kuberdd and GNU sort outputs differ: ${canonicalJSON(kCheck)} vs ${canonicalJSON(gCheck)}`);
      }
      if (w === 'nats-shuffle' && ksRaw !== null && bsRaw !== null && shuffledBytes.length) {
        const mib = median(shuffledBytes) / MiB;
        line.kuberdd_mib_per_s = Math.round((mib / ksRaw) * 10) / 10;
        line.baseline_mib_per_s = Math.round((mib / bsRaw) * 10) / 10;
        line.throughput_ratio = round3(bsRaw / ksRaw);
      }
      if (TASK_WORKLOADS.includes(w)) {
        line.kuberdd_tasks_per_s = ksRaw ? Math.round(size.emptyTasks / ksRaw) : null;
        line.baseline_tasks_per_s = bsRaw ? Math.round(size.emptyTasks / bsRaw) : null;
      }
      if (errors.length) {
        line.check = 'ERROR';
        line.error = errors.join(' | ').slice(0, 2000);
        failed = true;
      } else if (!runKuberdd) {
        line.check = 'baseline-only';
        line.baseline_check = bCheck;
      } else if (selfChecked || sameCheck(kCheck, bCheck)) {
        line.check = 'ok';
      } else {
        line.check = 'MISMATCH';
        line.kuberdd_check = kCheck;
        line.baseline_check = bCheck;
        failed = true;
        log(`${w}: MISMATCH\n  kuberdd:  ${canonicalJSON(kCheck)}\n  baseline: ${canonicalJSON(bCheck)}`);
      }
      if (kMode) line.mode = kMode;
      if (repeat > 1) {
        line.kuberdd_runs = kTimes.map(roundS);
        line.baseline_runs = bTimes.map(roundS);
      }
      process.stdout.write(JSON.stringify(line) + '\n');
    }
  } finally {
    if (clusterSc) {
      try {
        await clusterSc.stop();
      } catch (e) {
        log(`local-cluster sc.stop() failed: ${e instanceof Error ? e.message : e}`);
      }
    }
    if (sc) {
      try {
        await sc.stop();
      } catch (e) {
        log(`sc.stop() failed: ${e instanceof Error ? e.message : e}`);
      }
    }
  }
  if (failed) process.exitCode = 1;
}

/**
 * `LC_ALL=C sort -S 4G --parallel=2` (bytewise order: the order kuberdd sorts strings in, for
 * these ASCII records) from the page cache to a file; checked like the other outputs.
 * @param {string} file
 * @param {string} out
 * @param {boolean} keep
 */
async function gnuSort(file, out, keep) {
  const t0 = performance.now();
  const r = spawnSync('sort', ['-S', '4G', '--parallel=2', '-o', out, file], { env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sort exited with ${r.status}: ${r.stderr}`);
  try {
    const { verifySortedFiles } = await import('./check.js');
    return { seconds, check: verifySortedFiles([out], 10) };
  } finally {
    if (!keep) fs.rmSync(out, { force: true });
  }
}

main().then(
  () => {
    // If something (e.g. an engine handle not closed by sc.stop()) keeps the loop alive, exit anyway.
    setTimeout(() => {
      log('warning: handles still open 10 s after the last workload; exiting');
      process.exit(process.exitCode ?? 0);
    }, 10_000).unref();
  },
  (e) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  },
);
