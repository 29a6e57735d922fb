// MessageBus against a real nats-server: publish/subscribe, request/reply and its failures,
// handlers that throw, payload limits, and surviving a server restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockFetcher } from '../../../src/transport/BlockFetcher.js';
import { serveBlocks } from '../../../src/transport/BlockServer.js';
import { MessageBus, type BusStatus } from '../../../src/transport/MessageBus.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';
import { TransportError } from '../../../src/transport/TransportError.js';
import { eventually, recordingLogger } from './recordingLogger.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('MessageBus', () => {
  let server: NatsServerProcess;
  let a: MessageBus;
  let b: MessageBus;
  const log = recordingLogger();

  beforeAll(async () => {
    server = await NatsServerProcess.start();
    a = await MessageBus.connect({ servers: server.url, name: 'test-a' }, log.child({ bus: 'a' }));
    b = await MessageBus.connect({ servers: server.url, name: 'test-b' }, log.child({ bus: 'b' }));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
  });

  it('delivers published messages to subscribers, and queue groups share them', async () => {
    const plain: string[] = [];
    const queued: string[] = [];
    const sub = a.subscribe('t.pub', (m) => void plain.push(text(m.data)));
    const q1 = a.subscribe('t.queue', (m) => void queued.push(`1:${text(m.data)}`), { queue: 'workers' });
    const q2 = b.subscribe('t.queue', (m) => void queued.push(`2:${text(m.data)}`), { queue: 'workers' });
    await a.flush();
    await b.flush();
    for (let i = 0; i < 10; i++) {
      b.publish('t.pub', bytes(`m${i}`));
      b.publish('t.queue', bytes(`q${i}`));
    }
    await eventually(() => plain.length === 10 && queued.length === 10, 'all messages arrived');
    expect(plain).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    // Each queued message went to exactly one member.
    expect(queued.map((q) => q.slice(2)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `q${i}`).sort());
    sub.unsubscribe();
    q1.unsubscribe();
    q2.unsubscribe();
  });

  it('answers requests, with the reply subject visible to the handler', async () => {
    const sub = a.subscribe('t.echo', (m) => {
      expect(m.reply).toMatch(/^_INBOX\./);
      m.respond(bytes(`echo:${text(m.data)}`));
    });
    await a.flush();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => b.request('t.echo', bytes(String(i)), { timeoutMs: 5000 })));
    expect(replies.map(text)).toEqual(Array.from({ length: 20 }, (_, i) => `echo:${i}`));
    sub.unsubscribe();
  });

  it('rejects a request nobody listens to with NO_RESPONDERS, and an unanswered one with TIMEOUT', async () => {
    await expect(b.request('t.nobody', bytes('x'), { timeoutMs: 5000 })).rejects.toMatchObject({ name: 'TransportError', code: 'NO_RESPONDERS' });
    const sub = a.subscribe('t.silent', () => {});
    await a.flush();
    const started = Date.now();
    await expect(b.request('t.silent', bytes('x'), { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT', message: "No reply from 't.silent' within 200 ms" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    sub.unsubscribe();
  });

  it('rejects an aborted request with ABORTED, before or while it waits', async () => {
    const sub = a.subscribe('t.slow', () => {});
    await a.flush();
    const controller = new AbortController();
    const pending = b.request('t.slow', bytes('x'), { timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(b.request('t.slow', bytes('x'), { timeoutMs: 10_000, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    sub.unsubscribe();
  });

  it('logs a handler that throws or rejects, and keeps delivering', async () => {
    let calls = 0;
    const sub = a.subscribe('t.faulty', (m) => {
      calls++;
      if (text(m.data) === 'throw') throw new Error('handler exploded');
      if (text(m.data) === 'reject') return Promise.reject(new Error('handler rejected'));
      m.respond(bytes('fine'));
      return undefined;
    });
    await a.flush();
    b.publish('t.faulty', bytes('throw'));
    b.publish('t.faulty', bytes('reject'));
    expect(text(await b.request('t.faulty', bytes('ok'), { timeoutMs: 5000 }))).toBe('fine');
    await eventually(() => log.entries.filter((e) => e.message === 'message handler failed; message dropped').length === 2, 'both failures were logged');
    const logged = log.entries.filter((e) => e.message === 'message handler failed; message dropped').map((e) => (e.fields['error'] as Error).message);
    expect(logged.sort()).toEqual(['handler exploded', 'handler rejected']);
    expect(calls).toBe(3);
    sub.unsubscribe();
  });

  it('refuses a payload over max_payload with PAYLOAD_TOO_LARGE, and bad subjects with BAD_SUBJECT', () => {
    expect(a.maxPayload).toBe(1024 * 1024);
    const tooBig = new Uint8Array(a.maxPayload + 1);
    expect(() => a.publish('t.big', tooBig)).toThrow(TransportError);
    expect(() => a.publish('t.big', tooBig)).toThrow(/Cannot publish 1048577 bytes to 't.big': the NATS server's max_payload is 1048576 bytes/);
    expect(() => a.publish('t.big', tooBig)).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
    expect(() => a.publish('has space', bytes('x'))).toThrow(expect.objectContaining({ code: 'BAD_SUBJECT' }));
    expect(() => a.subscribe('', () => {})).toThrow(expect.objectContaining({ code: 'BAD_SUBJECT' }));
    return expect(a.request('t.big', tooBig, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('fails to connect with CONNECT_FAILED when nothing listens, after retrying for connectTimeoutMs', async () => {
    const started = Date.now();
    const error = await MessageBus.connect({ servers: 'nats://127.0.0.1:1', connectTimeoutMs: 600 }, recordingLogger()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransportError', code: 'CONNECT_FAILED' });
    expect((error as Error).message).toMatch(/Cannot connect to NATS at nats:\/\/127\.0\.0\.1:1 .*Check the URL \(--nats \/ KUBERDD_NATS_URL\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('stops connecting when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await expect(MessageBus.connect({ servers: 'nats://127.0.0.1:1', connectTimeoutMs: 30_000 }, recordingLogger(), controller.signal)).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('closes idempotently, failing pending requests and later use with CLOSED', async () => {
    const c = await MessageBus.connect({ servers: server.url }, recordingLogger());
    const statuses: BusStatus[] = [];
    c.onStatus((s) => statuses.push(s));
    const sub = a.subscribe('t.never', () => {});
    await a.flush();
    const pending = expect(c.request('t.never', bytes('x'), { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'CLOSED' });
    await Promise.all([c.close(), c.close(), c[Symbol.asyncDispose]()]);
    await pending;
    expect(() => c.publish('t.x', bytes('x'))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    await expect(c.request('t.never', bytes('x'), { timeoutMs: 100 })).rejects.toMatchObject({ code: 'CLOSED' });
    await eventually(() => statuses.includes('closed'), "the 'closed' status was reported");
    sub.unsubscribe();
  });
});

describe('MessageBus across a NATS server restart', () => {
  it('reconnects and its subscriptions work again', async () => {
    await using server = await NatsServerProcess.start();
    await using responder = await MessageBus.connect({ servers: server.url }, recordingLogger());
    await using requester = await MessageBus.connect({ servers: server.url }, recordingLogger());
    const statuses: { responder: BusStatus[]; requester: BusStatus[] } = { responder: [], requester: [] };
    responder.onStatus((s) => statuses.responder.push(s));
    requester.onStatus((s) => statuses.requester.push(s));
    const received: string[] = [];
    responder.subscribe('t.restart', (m) => {
      received.push(text(m.data));
      m.respond(bytes(`ok:${text(m.data)}`));
    });
    await responder.flush();
    expect(text(await requester.request('t.restart', bytes('before'), { timeoutMs: 5000 }))).toBe('ok:before');

    const { pid, port } = server;
    await server.restart();
    expect(server.port).toBe(port);
    expect(server.pid).not.toBe(pid);
    await eventually(() => statuses.responder.includes('reconnected') && statuses.requester.includes('reconnected'), 'both buses reconnected');
    expect(statuses.responder[0]).toBe('disconnected');
    await responder.flush();
    expect(text(await requester.request('t.restart', bytes('after'), { timeoutMs: 5000 }))).toBe('ok:after');
    expect(received).toEqual(['before', 'after']);
  });

  it('serves blocks again after the restart', async () => {
    await using server = await NatsServerProcess.start();
    await using serving = await MessageBus.connect({ servers: server.url }, recordingLogger());
    await using fetching = await MessageBus.connect({ servers: server.url }, recordingLogger());
    const block = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    serveBlocks(serving, 'kuberdd.app.blocks.e1', { open: (id) => (id === 'b' ? { size: block.length, read: (o, l) => block.subarray(o, o + l) } : undefined) }, recordingLogger());
    await serving.flush();
    const fetcher = new BlockFetcher(fetching);
    expect(Buffer.from(await fetcher.fetchAll('kuberdd.app.blocks.e1', 'b')).equals(block)).toBe(true);
    let reconnected = 0;
    serving.onStatus((s) => void (s === 'reconnected' && reconnected++));
    fetching.onStatus((s) => void (s === 'reconnected' && reconnected++));
    await server.restart();
    await eventually(() => reconnected === 2, 'both buses reconnected');
    await serving.flush();
    expect(Buffer.from(await fetcher.fetchAll('kuberdd.app.blocks.e1', 'b')).equals(block)).toBe(true);
  });

  it('completes a block fetch that is in progress while the server restarts', async () => {
    await using server = await NatsServerProcess.start();
    await using serving = await MessageBus.connect({ servers: server.url }, recordingLogger());
    await using fetching = await MessageBus.connect({ servers: server.url }, recordingLogger());
    const block = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 7) % 253);
    serveBlocks(serving, 'kuberdd.app.blocks.e2', { open: () => ({ size: block.length, read: (o, l) => block.subarray(o, o + l) }) }, recordingLogger());
    await serving.flush();
    // Requests lost with the old server time out quickly and are retried.
    const fetcher = new BlockFetcher(fetching, { maxInFlightChunks: 2, chunkTimeoutMs: 1000, retries: 3 });
    const chunks: Uint8Array[] = [];
    for await (const c of fetcher.fetch('kuberdd.app.blocks.e2', 'b')) {
      chunks.push(c);
      if (chunks.length === 1) await server.restart();
    }
    expect(Buffer.concat(chunks).equals(block)).toBe(true);
  });
});
