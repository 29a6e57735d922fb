#!/usr/bin/env node
// @ts-check
/**
 * One large job under a memory cap, run by bench/large.js as its own process (so its peak RSS is
 * its own):  node --max-old-space-size=<MiB> bench/large-job.js <sortByKey|groupByKey> <input> <outDir> <spillBytes> <storageBytes>
 * Prints one JSON line: { op, seconds, maxRssKiB, spillBytes, check }.
 */
import fs from 'node:fs';
import { verifySortedFiles } from './check.js';
import { createContext, partFiles } from './kuberdd-jobs.js';

const [op, input, outDir, spillBytes, storageBytes] = process.argv.slice(2);
if (!op || !input || !outDir || !spillBytes || !storageBytes) {
  console.error('usage: node bench/large-job.js <sortByKey|groupByKey> <input> <outDir> <spillBytes> <storageBytes>');
  process.exit(2);
}
const sc = await createContext({ conf: { 'kuberdd.shuffle.spillBytes': spillBytes, 'kuberdd.memory.storageBytes': storageBytes } });
let spilled = 0;
sc.addListener((/** @type {any} */ e) => {
  if (e.type === 'taskEnd') spilled += e.metrics.spillBytes;
});
fs.rmSync(outDir, { recursive: true, force: true });
const t0 = performance.now();
/** @type {unknown} */
let check;
if (op === 'sortByKey') {
  await sc
    .textFile(input)
    .map((/** @type {string} */ l) => [l.slice(0, 10), l])
    .sortByKey(true, 16)
    .values()
    .saveAsTextFile(outDir);
  check = () => verifySortedFiles(partFiles(outDir), 10);
} else if (op === 'groupByKey') {
  // Groups by the first 3 key bytes (95^3 ≈ 857k groups of about 63 records): every record is
  // held in some group, so the reduce side must spill; each group is reduced to its size and a
  // checksum of its members, written as text.
  await sc
    .textFile(input)
    .map((/** @type {string} */ l) => [l.slice(0, 3), l])
    .groupByKey(16)
    .map((/** @type {[string, string[]]} */ [k, vs]) => {
      let sum = 0;
      for (const v of vs) {
        let h = 0x811c9dc5;
        for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 16777619);
        sum = (sum + (h >>> 0)) >>> 0;
      }
      return `${k}\t${vs.length}\t${sum}`;
    })
    .saveAsTextFile(outDir);
  check = () => {
    let groups = 0;
    let records = 0;
    let sum = 0;
    for (const f of partFiles(outDir)) {
      for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
        if (line === '') continue;
        const [, n, s] = line.split('\t');
        groups++;
        records += Number(n);
        sum = (sum + Number(s)) >>> 0;
      }
    }
    return { groups, records, sum };
  };
} else {
  console.error(`unknown op ${op}`);
  process.exit(2);
}
const seconds = (performance.now() - t0) / 1000;
await sc.stop();
const result = /** @type {() => unknown} */ (check)();
fs.rmSync(outDir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({ op, seconds: Math.round(seconds * 1000) / 1000, maxRssKiB: process.resourceUsage().maxRSS, spillBytes: spilled, check: result }) + '\n',
);
