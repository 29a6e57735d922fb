#!/usr/bin/env node
// @ts-check
/**
 * The receiving process of the `nats-shuffle` baseline (bench/cluster-jobs.js): subscribes to a
 * subject on the given server with raw nats.js, prints `ready` once the subscription reached the
 * server, counts the bytes of the messages that arrive and prints `done <bytes>` once `total`
 * bytes arrived, then exits.
 *
 *   node bench/nats-raw-peer.js <nats url> <subject> <total bytes>
 */
import { connect } from 'nats';

const [url, subject, totalText] = process.argv.slice(2);
const total = Number(totalText);
if (url === undefined || subject === undefined || !Number.isSafeInteger(total) || total <= 0) {
  process.stderr.write('usage: node bench/nats-raw-peer.js <nats url> <subject> <total bytes>\n');
  process.exit(2);
}
const nc = await connect({ servers: url, name: 'bench-raw-peer' });
let received = 0;
nc.subscribe(subject, {
  callback: (error, msg) => {
    if (error) {
      process.stderr.write(`subscription failed: ${error.message}\n`);
      process.exit(1);
    }
    received += msg.data.byteLength;
    if (received >= total) {
      process.stdout.write(`done ${received}\n`);
      void nc.close().then(() => process.exit(0));
    }
  },
});
await nc.flush();
process.stdout.write('ready\n');
