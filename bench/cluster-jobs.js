// @ts-check
/**
 * The distributed-runtime benchmarks (`nats-shuffle`, `wordcount-cluster`, `emptytasks-nats` in
 * bench/run.js): a local-cluster[2] SparkContext, the shuffle-heavy job, and the raw nats.js
 * publish/subscribe baseline it is compared with (this process publishing, a second process,
 * bench/nats-raw-peer.js, subscribing) on the same nats-server.
 *
 * As in kuberdd-jobs.js, functions passed to RDD operations are self-contained (shipped as source).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { connect } from 'nats';
import { DIST_ENTRY } from './kuberdd-jobs.js';

/** @typedef {any} SparkContext */

/** Bytes of each generated record's value in the shuffle job: large, so the job moves bytes rather than records. */
export const SHUFFLE_RECORD_BYTES = 4096;
const SHUFFLE_PARTITIONS = 8;

/**
 * A local-cluster[2] SparkContext, started and warmed up (untimed): both executors have run tasks,
 * fetched shuffle blocks from each other and answered a collect.
 * @returns {Promise<SparkContext>}
 */
export async function createClusterContext() {
  const mod = await import(DIST_ENTRY.href);
  const sc = new mod.SparkContext({ master: 'local-cluster[2]', appName: 'bench-cluster' });
  await sc.range(0, 4000, 1, 8).map((/** @type {number} */ x) => [x % 16, x]).reduceByKey((/** @type {number} */ a, /** @type {number} */ b) => a + b, 4).collect();
  await sc.parallelize([], 200).foreachPartition(() => {});
  return sc;
}

/**
 * The shuffle-bound job: `records` generated records of SHUFFLE_RECORD_BYTES (one shared buffer per
 * map task, so generating them costs next to nothing), hash-partitioned into SHUFFLE_PARTITIONS
 * reduce partitions that only count them. Timed from submission to the counts on the driver;
 * `shuffleBytes` are the shuffle bytes the reduce tasks read (local and remote), from the
 * listener's task metrics. Throws when the counts are wrong.
 * @param {SparkContext} sc
 * @param {number} records
 * @returns {Promise<{ seconds: number, shuffleBytes: number, check: { records: number, payloadBytes: number } }>}
 */
export async function natsShuffle(sc, records) {
  let shuffleBytes = 0;
  const listener = (/** @type {any} */ e) => {
    if (e.type === 'taskEnd' && e.successful) shuffleBytes += e.metrics.shuffleBytesRead;
  };
  sc.addListener(listener);
  const t0 = performance.now();
  /** @type {[number, number][]} */
  let counts;
  try {
    counts = await sc
      .range(0, records, 1, SHUFFLE_PARTITIONS)
      .mapPartitions(
        (/** @type {Iterable<number>} */ it) => {
          const payload = new Uint8Array(SHUFFLE_RECORD_BYTES).fill(7);
          const out = [];
          for (const x of it) out.push([x, payload]);
          return out;
        },
        { SHUFFLE_RECORD_BYTES },
      )
      .partitionBy(SHUFFLE_PARTITIONS)
      .mapPartitions((/** @type {Iterable<[number, Uint8Array]>} */ it) => {
        let n = 0;
        let bytes = 0;
        for (const kv of it) {
          n++;
          bytes += kv[1].byteLength;
        }
        return [[n, bytes]];
      })
      .collect();
  } finally {
    sc.removeListener(listener);
  }
  const seconds = (performance.now() - t0) / 1000;
  const check = { records: 0, payloadBytes: 0 };
  for (const [n, b] of counts) {
    check.records += n;
    check.payloadBytes += b;
  }
  if (check.records !== records || check.payloadBytes !== records * SHUFFLE_RECORD_BYTES) {
    throw new Error(`the shuffle job counted ${check.records} records / ${check.payloadBytes} bytes, expected ${records} / ${records * SHUFFLE_RECORD_BYTES}`);
  }
  return { seconds, shuffleBytes, check };
}

/**
 * Raw nats.js publish/subscribe of `bytes` bytes on the server at `url`: this process publishes
 * chunks as large as the server allows (less 256 bytes, as block chunks), flushing every 16 so
 * the subscriber is never cut off as a slow consumer; nats-raw-peer.js, a second process,
 * receives them. Timed from the first publish until the peer reports every byte received.
 * @param {string} url
 * @param {number} bytes
 * @returns {Promise<{ seconds: number, check: { bytes: number } }>}
 */
export async function rawPubSub(url, bytes) {
  const subject = `bench.raw.${process.pid}.${Date.now()}`;
  const peer = spawn(process.execPath, [new URL('./nats-raw-peer.js', import.meta.url).pathname, url, subject, String(bytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: /** @type {import('node:stream').Readable} */ (peer.stdout) })[Symbol.asyncIterator]();
  const exited = new Promise((resolve) => peer.once('exit', resolve));
  const nc = await connect({ servers: url, name: 'bench-raw-publisher' });
  try {
    const ready = await lines.next();
    if (ready.done || ready.value !== 'ready') throw new Error(`the raw NATS peer did not start (said ${JSON.stringify(ready.value)})`);
    const chunkBytes = nc.info?.max_payload === undefined ? 1024 * 1024 - 256 : nc.info.max_payload - 256;
    const block = new Uint8Array(Math.min(chunkBytes, bytes));
    for (let i = 0; i < block.length; i++) block[i] = (i * 31) & 0xff;
    const t0 = performance.now();
    for (let offset = 0, n = 0; offset < bytes; offset += chunkBytes, n++) {
      nc.publish(subject, offset + chunkBytes <= bytes ? block : block.subarray(0, bytes - offset));
      if (n % 16 === 15) await nc.flush();
    }
    await nc.flush();
    const done = await lines.next();
    const seconds = (performance.now() - t0) / 1000;
    const m = done.done ? null : /^done (\d+)$/.exec(done.value);
    if (m === null || Number(m[1]) !== bytes) throw new Error(`the raw NATS peer ended with ${JSON.stringify(done.value)}, expected done ${bytes}`);
    return { seconds, check: { bytes } };
  } finally {
    await nc.close();
    if (peer.exitCode === null) peer.kill();
    await exited;
  }
}
