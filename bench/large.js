#!/usr/bin/env node
// @ts-check
/**
 * Data larger than memory: groupByKey and sortByKey over generated 100-byte records (default
 * 5 GiB) in local[2], with every isolate's heap (driver and both executor threads) capped by
 * --max-old-space-size (default 512 MiB) and kuberdd's budgets inside it (shuffle buffers
 * `kuberdd.shuffle.spillBytes`, cache `kuberdd.memory.storageBytes`).
 *
 *   npm run build && node bench/large.js [--gib 5] [--heap-mib 512] [--spill-mib 64] [--storage-mib 64] [--only sortByKey,groupByKey]
 *
 * stdout: one JSON line per job: seconds, peak RSS of the whole process (driver + executors),
 * bytes spilled, and the check (sort: count/checksum of the output equal the input's and the
 * output is sorted; group: group count, record count, checksum equal the input's).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { canonicalJSON, fnv1aBytes } from './check.js';
import { DATA_DIR, ensureData } from './generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    gib: { type: 'string', default: '5' },
    'heap-mib': { type: 'string', default: '512' },
    'spill-mib': { type: 'string', default: '64' },
    'storage-mib': { type: 'string', default: '64' },
    only: { type: 'string', default: 'sortByKey,groupByKey' },
  },
});
const MiB = 1 << 20;
const bytes = Math.round(Number(args.gib) * 1024 * MiB);
const log = (/** @type {string} */ m) => process.stderr.write(`[large] ${m}\n`);
const { path: input } = await ensureData('sort', { bytes, log });

/** Input facts, to check both outputs against: record count, checksum, and 3-byte-prefix groups. */
function inputFacts() {
  const fd = fs.openSync(input, 'r');
  const buf = Buffer.allocUnsafe(100 * 80000);
  const prefixes = new Set();
  let count = 0;
  let sum = 0;
  let xor = 0;
  let groupSum = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    for (let s = 0; s < n; s += 100) {
      const h = fnv1aBytes(buf, s, s + 99);
      count++;
      sum = (sum + h) >>> 0;
      xor = (xor ^ h) >>> 0;
      groupSum = (groupSum + h) >>> 0;
      prefixes.add(buf.latin1Slice(s, s + 3));
    }
  }
  fs.closeSync(fd);
  const hex = (/** @type {number} */ x) => x.toString(16).padStart(8, '0');
  // Shaped as verifySortedFiles reports it.
  return { sort: { count, sum: hex(sum), xor: hex(xor), sorted: true }, group: { groups: prefixes.size, records: count, sum: groupSum } };
}

log(`input ${input} (${(fs.statSync(input).size / 2 ** 30).toFixed(2)} GiB); computing its checksums`);
const facts = inputFacts();
let failed = false;
for (const op of args.only.split(',')) {
  const out = path.join(DATA_DIR, 'out', `large-${op}`);
  log(`${op}: heap cap ${args['heap-mib']} MiB per isolate, spill ${args['spill-mib']} MiB, storage ${args['storage-mib']} MiB`);
  const r = spawnSync(
    process.execPath,
    [`--max-old-space-size=${args['heap-mib']}`, path.join(here, 'large-job.js'), op, input, out, String(Number(args['spill-mib']) * MiB), String(Number(args['storage-mib']) * MiB)],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (r.status !== 0) {
    log(`${op} failed with exit ${r.status} ${r.signal ?? ''}`);
    process.stdout.write(JSON.stringify({ workload: `large-${op}`, error: `exit ${r.status} ${r.signal ?? ''}` }) + '\n');
    failed = true;
    continue;
  }
  const res = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
  const expected = op === 'sortByKey' ? facts.sort : facts.group;
  const ok = canonicalJSON(res.check) === canonicalJSON(expected);
  if (!ok) failed = true;
  process.stdout.write(
    JSON.stringify({
      workload: `large-${op}`,
      bytes: fs.statSync(input).size,
      heap_cap_mib: Number(args['heap-mib']),
      seconds: res.seconds,
      peak_rss_mib: Math.round(res.maxRssKiB / 1024),
      spill_gib: Math.round((res.spillBytes / 2 ** 30) * 100) / 100,
      check: ok ? 'ok' : 'MISMATCH',
      ...(ok ? {} : { got: res.check, expected }),
    }) + '\n',
  );
}
if (failed) process.exitCode = 1;
