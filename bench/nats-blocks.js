#!/usr/bin/env node
// @ts-check
/**
 * Block fetch throughput over NATS (serveBlocks + BlockFetcher: pull-based, one request per
 * chunk, at most --window chunks in flight, CRC32 checked) against raw publish/subscribe of
 * the same bytes in chunks of the same size on the same server (no requests, no checksum;
 * the publisher flushes every 16 chunks so that the server does not cut the subscriber off as
 * a slow consumer). Both sides run in this process, over two connections.
 *
 *   npm run build && node bench/nats-blocks.js [--mb 64] [--runs 3] [--window 4] [--nats nats://host:4222]
 *
 * Without --nats a nats-server child is started (it must be on PATH). stdout: one JSON line per
 * measurement, best of --runs:
 *   {"workload":"nats-block-fetch","bytes","seconds","mib_per_s","chunk_bytes","window"}
 *   {"workload":"nats-raw-pubsub","bytes","seconds","mib_per_s","chunk_bytes"}
 *   {"workload":"nats-blocks","bytes","kuberdd_s","baseline_s","ratio"}
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
    window: { type: 'string', default: '4' },
    nats: { type: 'string' },
  },
});
const bytes = Number(values.mb) * 1024 * 1024;
const runs = Number(values.runs);
const window = Number(values.window);

const dist = new URL('../dist/', import.meta.url);
/** @param {string} file */
const load = (file) => import(new URL(file, dist).href);
const { NatsServerProcess } = await load('transport/NatsServerProcess.js');
const { MessageBus } = await load('transport/MessageBus.js');
const { serveBlocks } = await load('transport/BlockServer.js');
const { BlockFetcher } = await load('transport/BlockFetcher.js');
const { BLOCK_REPLY_OVERHEAD } = await load('transport/blockProtocol.js');
const { nullLogger } = await load('common/logging/nullLogger.js');

const server = values.nats === undefined ? await NatsServerProcess.start() : undefined;
const url = values.nats ?? server.url;
const serving = await MessageBus.connect({ servers: url, name: 'bench-server' }, nullLogger);
const fetching = await MessageBus.connect({ servers: url, name: 'bench-client' }, nullLogger);

try {
  const block = new Uint8Array(bytes);
  for (let i = 0, x = 1; i < bytes; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    block[i] = x >>> 24;
  }
  const chunkBytes = fetching.maxPayload - BLOCK_REPLY_OVERHEAD;

  serveBlocks(serving, 'bench.blocks', { open: () => ({ size: block.length, read: (/** @type {number} */ o, /** @type {number} */ l) => block.subarray(o, o + l) }) }, nullLogger);
  await serving.flush();
  const fetcher = new BlockFetcher(fetching, { maxInFlightChunks: window });

  const fetchOnce = async () => {
    const started = performance.now();
    let received = 0;
    for await (const chunk of fetcher.fetch('bench.blocks', 'b')) received += chunk.byteLength;
    if (received !== bytes) throw new Error(`fetched ${received} of ${bytes} bytes`);
    return (performance.now() - started) / 1000;
  };

  const pubsubOnce = async () => {
    let received = 0;
    /** @type {() => void} */
    let done = () => {};
    const all = new Promise((resolve) => (done = () => resolve(undefined)));
    const sub = fetching.subscribe('bench.raw', (/** @type {{ data: Uint8Array }} */ m) => {
      received += m.data.byteLength;
      if (received === bytes) done();
    });
    await fetching.flush();
    const started = performance.now();
    for (let offset = 0, n = 0; offset < bytes; offset += chunkBytes, n++) {
      serving.publish('bench.raw', block.subarray(offset, Math.min(bytes, offset + chunkBytes)));
      if (n % 16 === 15) await serving.flush();
    }
    await all;
    const seconds = (performance.now() - started) / 1000;
    sub.unsubscribe();
    return seconds;
  };

  // One unmeasured round each, so both sides run warm (JIT, socket buffers).
  await fetchOnce();
  await pubsubOnce();
  let fetchBest = Infinity;
  let pubsubBest = Infinity;
  for (let r = 0; r < runs; r++) {
    fetchBest = Math.min(fetchBest, await fetchOnce());
    pubsubBest = Math.min(pubsubBest, await pubsubOnce());
  }
  const mibPerS = (/** @type {number} */ s) => Math.round((bytes / 1024 / 1024 / s) * 10) / 10;
  const round = (/** @type {number} */ s) => Math.round(s * 1000) / 1000;
  console.log(JSON.stringify({ workload: 'nats-block-fetch', bytes, seconds: round(fetchBest), mib_per_s: mibPerS(fetchBest), chunk_bytes: chunkBytes, window }));
  console.log(JSON.stringify({ workload: 'nats-raw-pubsub', bytes, seconds: round(pubsubBest), mib_per_s: mibPerS(pubsubBest), chunk_bytes: chunkBytes }));
  console.log(JSON.stringify({ workload: 'nats-blocks', bytes, kuberdd_s: round(fetchBest), baseline_s: round(pubsubBest), ratio: Math.round((fetchBest / pubsubBest) * 100) / 100 }));
} finally {
  await fetching.close();
  await serving.close();
  await server?.stop();
}
