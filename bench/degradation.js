// @ts-check
/**
 * The RDD paper's §6.4 experiment: logistic-regression iteration time as a function of how
 * much of the cached dataset fits in memory. Each executor's storage budget
 * (`kuberdd.memory.storageBytes`) is set so that 0, 25, 50, 75 or 100% of the points'
 * partitions can stay cached (MEMORY_ONLY); partitions that do not fit are recomputed from
 * lineage (re-read and re-parsed from the text file) on every iteration.
 *
 *   npm run build && node bench/degradation.js [--mb 256] [--iterations 5]
 *
 * Prints one JSON line per fraction: {"workload":"lr-degradation","cached_fraction",
 * "cached_partitions","iteration_s","ratio_to_full_cache"}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DIST_ENTRY } from './kuberdd-jobs.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const targetMb = opt('mb', 256);
const iterations = opt('iterations', 5);
const dims = 10;
const partitions = 16;

const dataDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'data');
const file = path.join(dataDir, `lr-points-${targetMb}m.txt`);

/** Deterministic points: label ±1 and `dims` features around ±0.7, as text lines. */
function generate() {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(dataDir, { recursive: true });
  const fd = fs.openSync(`${file}.tmp`, 'w');
  let state = 7;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  let written = 0;
  const target = targetMb * 1024 * 1024;
  for (let i = 0; written < target; i++) {
    const lines = [];
    for (let j = 0; j < 10_000; j++, i++) {
      const y = i % 2 === 0 ? 1 : -1;
      const xs = Array.from({ length: dims }, () => (y * 0.7 + next() * 2).toFixed(6));
      lines.push(`${y} ${xs.join(' ')}`);
    }
    const buf = Buffer.from(lines.join('\n') + '\n');
    fs.writeSync(fd, buf);
    written += buf.length;
  }
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
}

async function run(fraction, partitionBytes) {
  const { SparkContext } = await import(DIST_ENTRY.href);
  // 2 executors share the partitions; each may keep `perExecutor` of them.
  const perExecutor = Math.round((fraction * partitions) / 2);
  const budget = Math.max(1, Math.floor(perExecutor * partitionBytes * 1.02));
  const sc = new SparkContext({ master: 'local[2]', appName: 'lr-degradation', conf: { 'kuberdd.memory.storageBytes': String(budget) } });
  try {
    const points = sc
      .textFile(file, partitions)
      .map((line) => {
        const nums = line.split(' ').map(Number);
        return { y: nums[0], x: nums.slice(1) };
      })
      .cache();
    let w = Array.from({ length: dims }, (_, d) => (d % 2 === 0 ? 0.5 : -0.5));
    const step = async () => {
      const gradient = await points
        .map(
          (p) => {
            let dot = 0;
            for (let d = 0; d < p.x.length; d++) dot += w[d] * p.x[d];
            const scale = (1 / (1 + Math.exp(-p.y * dot)) - 1) * p.y;
            return p.x.map((v) => v * scale);
          },
          { w },
        )
        .reduce((a, b) => a.map((v, d) => v + b[d]));
      w = w.map((v, d) => v - gradient[d] / 1e6);
    };
    await step(); // the first iteration fills the cache
    const t = performance.now();
    for (let i = 0; i < iterations; i++) await step();
    const perIteration = (performance.now() - t) / 1000 / iterations;
    return { perIteration, perExecutor };
  } finally {
    await sc.stop();
  }
}

async function main() {
  generate();
  const { SparkContext } = await import(DIST_ENTRY.href);
  const { encode } = await import(new URL('common/codec/codec.js', DIST_ENTRY).href);
  // The size one cached partition takes in the store (its encoded size), from one real partition.
  const sc = new SparkContext({ master: 'local[2]', appName: 'lr-size' });
  const sample = await sc
    .textFile(file, partitions)
    .map((line) => {
      const nums = line.split(' ').map(Number);
      return { y: nums[0], x: nums.slice(1) };
    })
    .glom()
    .take(1);
  await sc.stop();
  const partitionBytes = encode(sample[0]).byteLength;
  process.stderr.write(`[degradation] ${partitions} partitions of ~${(partitionBytes / 1048576).toFixed(1)} MiB encoded\n`);
  const results = [];
  for (const fraction of [1, 0.75, 0.5, 0.25, 0]) {
    const { perIteration, perExecutor } = await run(fraction, partitionBytes);
    results.push({ fraction, perIteration, cached: perExecutor * 2 });
    process.stderr.write(`[degradation] ${fraction * 100}% cached: ${perIteration.toFixed(2)} s/iteration\n`);
  }
  const full = results.find((r) => r.fraction === 1).perIteration;
  for (const r of results.sort((a, b) => a.fraction - b.fraction)) {
    console.log(
      JSON.stringify({
        workload: 'lr-degradation',
        cached_fraction: r.fraction,
        cached_partitions: `${r.cached}/${partitions}`,
        iteration_s: Number(r.perIteration.toFixed(3)),
        ratio_to_full_cache: Number((r.perIteration / full).toFixed(2)),
      }),
    );
  }
}

await main();
