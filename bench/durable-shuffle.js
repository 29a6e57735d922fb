#!/usr/bin/env node
// @ts-check
/**
 * What durable shuffle (`kuberdd.shuffle.durable=true`: every map output also stored in JetStream)
 * costs against the default, in one invocation. Run against dist/ (`npm run build` first).
 *
 *   node bench/durable-shuffle.js [--mib 256] [--repeat 3]
 *
 * The job: `--mib` MiB of generated key/value text (8 map tasks, records of a numeric key and an
 * about 120-byte text value), hash-partitioned into 8 reduce partitions that count records and
 * value bytes: everything crosses the shuffle. It runs in local-cluster[2], each side in a fresh
 * SparkContext (its own nats-server, with JetStream for the durable side) warmed up untimed;
 * the sides alternate, `--repeat` times, and the medians are reported.
 *
 * stdout: one JSON line, e.g.
 *   {"workload":"durable-shuffle","bytes":268435456,"records":2236962,"default_s":9.1,"durable_s":11.8,"ratio":1.3,"runs":{...},"check":"ok"}
 * `ratio` is durable_s / default_s. Progress goes to stderr.
 */
import { parseArgs } from 'node:util';
import { DIST_ENTRY } from './kuberdd-jobs.js';

const RECORD_TEXT_BYTES = 120;
const PARTITIONS = 8;

/** @param {string} msg */
const log = (msg) => process.stderr.write(`[durable-shuffle] ${msg}\n`);

const { values } = parseArgs({ options: { mib: { type: 'string', default: '256' }, repeat: { type: 'string', default: '3' } } });
const mib = Number(values.mib);
const repeat = Number(values.repeat);
if (!(mib > 0) || !(Number.isInteger(repeat) && repeat > 0)) {
  process.stderr.write('usage: node bench/durable-shuffle.js [--mib N (> 0)] [--repeat N (whole number > 0)]\n');
  process.exit(2);
}
const bytes = Math.round(mib * 1024 * 1024);
// About 8 bytes of key and 120 of text per record.
const records = Math.floor(bytes / (RECORD_TEXT_BYTES + 8));

/** @param {boolean} durable */
async function oneRun(durable) {
  const mod = await import(DIST_ENTRY.href);
  const conf = { 'spark.speculation': 'false', 'kuberdd.shuffle.durable': String(durable) };
  const sc = new mod.SparkContext({ master: 'local-cluster[2]', appName: `bench-durable-${durable}`, conf });
  try {
    await sc.range(0, 4000, 1, 8).map((/** @type {number} */ x) => [x % 16, x]).reduceByKey((/** @type {number} */ a, /** @type {number} */ b) => a + b, 4).collect();
    const t0 = performance.now();
    /** @type {[number, number][]} */
    const counts = await sc
      .range(0, records, 1, PARTITIONS)
      .mapPartitions(
        (/** @type {Iterable<number>} */ it) => {
          const filler = 'x'.repeat(RECORD_TEXT_BYTES - 12);
          const out = [];
          for (const x of it) out.push([x, `${String(x).padStart(12, '0')}${filler}`]);
          return out;
        },
        { RECORD_TEXT_BYTES },
      )
      .partitionBy(PARTITIONS)
      .mapPartitions((/** @type {Iterable<[number, string]>} */ it) => {
        let n = 0;
        let chars = 0;
        for (const kv of it) {
          n++;
          chars += kv[1].length;
        }
        return [[n, chars]];
      })
      .collect();
    const seconds = (performance.now() - t0) / 1000;
    let n = 0;
    let chars = 0;
    for (const [a, b] of counts) {
      n += a;
      chars += b;
    }
    return { seconds, ok: n === records && chars === records * RECORD_TEXT_BYTES };
  } finally {
    await sc.stop();
  }
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const runs = { default: /** @type {number[]} */ ([]), durable: /** @type {number[]} */ ([]) };
let ok = true;
for (let i = 0; i < repeat; i++) {
  for (const durable of i % 2 === 0 ? [false, true] : [true, false]) {
    log(`run ${i + 1}/${repeat}, durable=${durable}, ${mib} MiB, ${records} records`);
    const r = await oneRun(durable);
    ok &&= r.ok;
    (durable ? runs.durable : runs.default).push(Number(r.seconds.toFixed(2)));
    log(`  ${r.seconds.toFixed(2)} s`);
  }
}
const defaultS = median(runs.default);
const durableS = median(runs.durable);
process.stdout.write(
  `${JSON.stringify({ workload: 'durable-shuffle', bytes, records, default_s: defaultS, durable_s: durableS, ratio: Number((durableS / defaultS).toFixed(2)), runs, check: ok ? 'ok' : 'MISMATCH' })}\n`,
);
process.exit(ok ? 0 : 1);
