// JetStreamBlobSyncClient: the blocking front of JetStreamBlobStore used inside tasks, from the
// main thread and from a worker thread, with typed errors carried across the helper thread.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamBlobError } from '../../../src/transport/JetStreamBlobError.js';
import { JetStreamBlobSyncClient } from '../../../src/transport/JetStreamBlobSyncClient.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';

let server: NatsServerProcess;
let storeDir: string;

beforeAll(async () => {
  storeDir = mkdtempSync(path.join(tmpdir(), 'kuberdd-js-sync-'));
  server = await NatsServerProcess.start({ jetstream: true, storeDir });
});

afterAll(async () => {
  await server?.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

describe('JetStreamBlobSyncClient', () => {
  it('puts, gets, lists and deletes synchronously', async () => {
    const client = new JetStreamBlobSyncClient({ servers: server.url }, { bucket: 'sync' });
    try {
      const bytes = new Uint8Array(randomBytes(1_500_000));
      client.put('dir/a', bytes);
      client.put('dir/b', new Uint8Array(0));
      expect(Buffer.from(client.get('dir/a')!).equals(Buffer.from(bytes))).toBe(true);
      expect(client.get('dir/b')).toEqual(new Uint8Array(0));
      expect(client.get('dir/none')).toBeUndefined();
      expect(client.list('dir/')).toEqual(['dir/a', 'dir/b']);
      expect(client.delete('dir/a')).toBe(true);
      expect(client.delete('dir/a')).toBe(false);
      expect(client.list('')).toEqual(['dir/b']);
    } finally {
      await client.close();
    }
  });

  it('rethrows the store’s typed errors, and CLOSED after close()', async () => {
    const client = new JetStreamBlobSyncClient({ servers: server.url }, { bucket: 'sync-errors' });
    let error: unknown;
    try {
      client.put('', new Uint8Array(1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JetStreamBlobError);
    expect(error).toMatchObject({ code: 'BAD_NAME' });
    await client.close();
    expect(() => client.get('x')).toThrow(expect.objectContaining({ code: 'CLOSED' }));

    const nowhere = new JetStreamBlobSyncClient({ servers: 'nats://127.0.0.1:1' }, { bucket: 'b' }, { timeoutMs: 20_000 });
    try {
      expect(() => nowhere.list('')).toThrow(expect.objectContaining({ name: 'JetStreamBlobError', code: 'CONNECT_FAILED', message: expect.stringMatching(/Cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/) }));
    } finally {
      await nowhere.close();
    }
  });

  it('works from a worker thread that blocks at once (as a task thread does)', async () => {
    const entry = new URL('../../../src/transport/JetStreamBlobSyncClient.ts', import.meta.url).href;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)})).then(({ JetStreamBlobSyncClient }) => {
        const client = new JetStreamBlobSyncClient({ servers: workerData.url }, { bucket: 'sync-worker' });
        client.put('w', new Uint8Array([9, 8, 7]));
        parentPort.postMessage(Array.from(client.get('w')));
        return client.close();
      }, (e) => parentPort.postMessage(String(e)));`;
    const worker = new Worker(code, { eval: true, workerData: { url: server.url } });
    const answer = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(answer).toEqual([9, 8, 7]);
    await worker.terminate();
  });
});
