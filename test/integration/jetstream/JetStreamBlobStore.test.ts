// JetStreamBlobStore against a real nats-server with JetStream: round trips of many sizes, byte
// ranges, replacement, listing, deletion, corruption detection, abort, and typed errors.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamBlobError } from '../../../src/transport/JetStreamBlobError.js';
import { JetStreamBlobStore } from '../../../src/transport/JetStreamBlobStore.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';

let server: NatsServerProcess;
let storeDir: string;

beforeAll(async () => {
  storeDir = mkdtempSync(path.join(tmpdir(), 'kuberdd-js-test-'));
  server = await NatsServerProcess.start({ jetstream: true, storeDir });
});

afterAll(async () => {
  await server?.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

const KiB = 1024;

describe('JetStreamBlobStore', () => {
  it('stores and reads back blobs of every size around the chunk boundaries', async () => {
    await using store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'sizes', chunkBytes: 64 * KiB });
    for (const size of [0, 1, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, 3 * 64 * KiB + 17, 2 * 1024 * KiB]) {
      const bytes = new Uint8Array(randomBytes(size));
      const info = await store.put(`blob-${size}`, bytes);
      expect(info).toEqual({ name: `blob-${size}`, size, chunkBytes: 64 * KiB, chunks: Math.max(1, Math.ceil(size / (64 * KiB))) });
      expect(Buffer.from((await store.get(`blob-${size}`))!).equals(Buffer.from(bytes))).toBe(true);
    }
    expect(await store.get('never-stored')).toBeUndefined();
    expect(await store.stat('never-stored')).toBeUndefined();
  });

  it('reads byte ranges across chunk boundaries, clipping the end to the size', async () => {
    await using store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'ranges', chunkBytes: 1000 });
    const bytes = new Uint8Array(randomBytes(10_500));
    await store.put('r', bytes);
    for (const [start, end] of [
      [0, 1],
      [999, 1001],
      [1000, 2000],
      [2500, 7777],
      [10_000, 10_500],
      [10_400, 99_999],
      [10_500, 10_500],
    ] as const) {
      const got = await store.getRange('r', start, end);
      expect(Buffer.from(got!).equals(Buffer.from(bytes.subarray(start, Math.min(end, bytes.length))))).toBe(true);
    }
    await expect(store.getRange('r', 20_000, 20_001)).rejects.toMatchObject({ name: 'JetStreamBlobError', code: 'BAD_RANGE' });
    await expect(store.getRange('r', -1, 5)).rejects.toMatchObject({ code: 'BAD_RANGE' });
  });

  it('replaces a blob, lists by prefix, deletes, and keeps names of any characters apart', async () => {
    await using store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'names' });
    await store.put('a/x/part-00000', new Uint8Array([1, 2, 3]));
    await store.put('a/x/part-00001', new Uint8Array([4]));
    await store.put('a/y/_metadata', new Uint8Array([5]));
    await store.put('naïve name with spaces.*>', new Uint8Array([6]));
    await store.put('a/x/part-00000', new Uint8Array(randomBytes(600 * KiB)));
    await store.put('a/x/part-00000', new Uint8Array([7, 7]));
    expect(await store.get('a/x/part-00000')).toEqual(new Uint8Array([7, 7]));
    expect(await store.list('a/x/')).toEqual(['a/x/part-00000', 'a/x/part-00001']);
    expect(await store.list()).toEqual(['a/x/part-00000', 'a/x/part-00001', 'a/y/_metadata', 'naïve name with spaces.*>']);
    expect(await store.delete('a/x/part-00001')).toBe(true);
    expect(await store.delete('a/x/part-00001')).toBe(false);
    expect(await store.deletePrefix('a/')).toBe(2);
    expect(await store.list()).toEqual(['naïve name with spaces.*>']);
    // The replaced generations' chunks are gone too: only the last blob's 2 messages remain.
    const info = await (await connect({ servers: server.url })).jetstreamManager().then(async (jsm) => {
      const i = await jsm.streams.info(store.stream);
      await jsm.nc.close();
      return i;
    });
    expect(info.state.messages).toBe(2);
  });

  it('detects a damaged or missing chunk and names the blob and the chunk', async () => {
    await using store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'damage', chunkBytes: 1000 });
    await store.put('victim', new Uint8Array(randomBytes(2500)));
    const nc = await connect({ servers: server.url });
    try {
      const js = nc.jetstream();
      const token = Buffer.from('victim').toString('base64url');
      const manifest = JSON.parse(new TextDecoder().decode((await (await nc.jetstreamManager()).direct.getMessage(store.stream, { last_by_subj: `kuberdd.blob.damage.${token}.m` })).data)) as { gen: string };
      await js.publish(`kuberdd.blob.damage.${token}.d.${manifest.gen}.1`, new Uint8Array(1000));
      await expect(store.get('victim')).rejects.toThrow(/Blob 'victim' in bucket 'damage' is corrupt: chunk 1 of 3/);
      await expect(store.getRange('victim', 0, 1000)).resolves.toHaveLength(1000);
      await (await nc.jetstreamManager()).streams.purge(store.stream, { filter: `kuberdd.blob.damage.${token}.d.${manifest.gen}.2` });
      await expect(store.getRange('victim', 2000, 2500)).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringMatching(/chunk 2 of 3 is missing/) });
    } finally {
      await nc.close();
    }
  });

  it('stops a put on abort and leaves no partial blob', async () => {
    await using store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'abort', chunkBytes: 16 * KiB, maxInFlight: 2 });
    const controller = new AbortController();
    const put = store.put('big', new Uint8Array(8 * 1024 * KiB), controller.signal);
    setTimeout(() => controller.abort(new Error('test')), 5);
    await expect(put).rejects.toMatchObject({ name: 'JetStreamBlobError', code: 'ABORTED' });
    expect(await store.get('big')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('gives typed errors for bad names, a server without JetStream, and use after close', async () => {
    await expect(JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'bad.bucket' })).rejects.toMatchObject({ code: 'BAD_NAME' });
    await expect(JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'b', chunkBytes: 1024 * KiB })).rejects.toMatchObject({ code: 'BAD_RANGE' });
    const plain = await NatsServerProcess.start();
    try {
      const error = await JetStreamBlobStore.connect({ servers: plain.url }, { bucket: 'b', requestTimeoutMs: 2000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JetStreamBlobError);
      expect(error).toMatchObject({ code: 'JETSTREAM_UNAVAILABLE', message: expect.stringMatching(/start nats-server with -js/) });
    } finally {
      await plain.stop();
    }
    const store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'closing' });
    await expect(store.put('', new Uint8Array(1))).rejects.toMatchObject({ code: 'BAD_NAME' });
    await store.close();
    await expect(store.get('x')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('keeps blobs across a restart of nats-server (file storage)', async () => {
    const bytes = new Uint8Array(randomBytes(700 * KiB));
    {
      await using store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'durable' });
      await store.put('kept', bytes);
    }
    await server.restart();
    await using store = await JetStreamBlobStore.connect({ servers: server.url }, { bucket: 'durable' });
    expect(Buffer.from((await store.get('kept'))!).equals(Buffer.from(bytes))).toBe(true);
  });
});
