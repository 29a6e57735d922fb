// serveBlocks + BlockFetcher against a real nats-server: sizes around the chunk boundary,
// a small max_payload, checksums, missing blocks, servers that vanish or hang, garbage
// requests, and the flow-control window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../../src/common/codec/codec.js';
import { BlockFetchError } from '../../../src/transport/BlockFetchError.js';
import { BlockFetcher } from '../../../src/transport/BlockFetcher.js';
import { BLOCK_REPLY_OVERHEAD, decodeBlockReply, encodeBlockRequest } from '../../../src/transport/blockProtocol.js';
import { type BlockSource, type OpenBlock, serveBlocks } from '../../../src/transport/BlockServer.js';
import { MessageBus } from '../../../src/transport/MessageBus.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';
import { eventually, recordingLogger } from './recordingLogger.js';

/** Deterministic bytes, different for every block. */
function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** In-memory blocks that count opens, reads and closes. */
class MemorySource implements BlockSource {
  opens = 0;
  reads = 0;
  closes = 0;
  readonly blocks = new Map<string, Uint8Array>();

  open(blockId: string): OpenBlock | undefined {
    const data = this.blocks.get(blockId);
    if (data === undefined) return undefined;
    this.opens++;
    return {
      size: data.length,
      read: (offset, length) => {
        this.reads++;
        return data.subarray(offset, offset + length);
      },
      close: () => void this.closes++,
    };
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

const failure = (p: Promise<unknown>): Promise<BlockFetchError> =>
  p.then(
    () => {
      throw new Error('expected the fetch to fail');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(BlockFetchError);
      return e as BlockFetchError;
    },
  );

describe('block fetch over NATS (default 1 MiB max_payload)', () => {
  let nats: NatsServerProcess;
  let serverBus: MessageBus;
  let clientBus: MessageBus;
  const log = recordingLogger();
  const source = new MemorySource();
  const subject = 'kuberdd.test.blocks.e1';
  let chunk: number;

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    serverBus = await MessageBus.connect({ servers: nats.url }, log.child({ side: 'server' }));
    clientBus = await MessageBus.connect({ servers: nats.url }, recordingLogger());
    chunk = clientBus.maxPayload - BLOCK_REPLY_OVERHEAD;
    for (const [id, size] of [
      ['empty', 0],
      ['one', 1],
      ['exact', chunk],
      ['exact+1', chunk + 1],
      ['5MiB', 5 * 1024 * 1024],
    ] as const) {
      source.blocks.set(id, pattern(size, id.length));
    }
    serveBlocks(serverBus, subject, source, log);
    await serverBus.flush();
  });
  afterAll(async () => {
    await clientBus?.close();
    await serverBus?.close();
    await nats?.stop();
  });

  it.each(['empty', 'one', 'exact', 'exact+1', '5MiB'])('fetches the %s block whole and in chunks no larger than max_payload minus overhead', async (id) => {
    const fetcher = new BlockFetcher(clientBus);
    const expected = source.blocks.get(id)!;
    const whole = await fetcher.fetchAll(subject, id);
    expect(whole.byteLength).toBe(expected.byteLength);
    // Buffer.equals: vitest's deep equality walks typed arrays element by element, far too slowly for MiBs.
    expect(Buffer.from(whole).equals(expected)).toBe(true);
    const chunks = await collect(fetcher.fetch(subject, id));
    expect(chunks.every((c) => c.byteLength > 0 && c.byteLength <= chunk)).toBe(true);
    expect(chunks.length).toBe(Math.ceil(expected.length / chunk));
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
  });

  it('fails with MISSING_BLOCK for a block the server does not have', async () => {
    const error = await failure(new BlockFetcher(clientBus).fetchAll(subject, 'shuffle_9_9_9'));
    expect(error.code).toBe('MISSING_BLOCK');
    expect(error.message).toBe(`Fetching block 'shuffle_9_9_9' from '${subject}': no block 'shuffle_9_9_9' here`);
    expect(error.blockId).toBe('shuffle_9_9_9');
  });

  it('fails with SERVER_GONE when nobody serves the subject', async () => {
    const error = await failure(new BlockFetcher(clientBus, { retries: 1 }).fetchAll('kuberdd.test.blocks.nobody', 'one'));
    expect(error.code).toBe('SERVER_GONE');
    expect(error.message).toMatch(/nobody serves blocks on this subject \(2 attempts\)/);
  });

  it('fails with TIMEOUT when the server does not answer', async () => {
    const hung = serverBus.subscribe('kuberdd.test.blocks.hung', () => {});
    await serverBus.flush();
    const started = Date.now();
    const error = await failure(new BlockFetcher(clientBus, { chunkTimeoutMs: 150, retries: 1 }).fetchAll('kuberdd.test.blocks.hung', 'one'));
    expect(error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    hung.unsubscribe();
  });

  it('keeps at most maxInFlightChunks reads outstanding for a slow consumer', async () => {
    const fetcher = new BlockFetcher(clientBus, { maxInFlightChunks: 2 });
    const total = Math.ceil(source.blocks.get('5MiB')!.length / chunk);
    const readsBefore = source.reads;
    // The open reads the block once for its CRC (in 4 MiB steps) and then the first chunk.
    const openReads = 2 + 1;
    let consumed = 0;
    for await (const c of fetcher.fetch(subject, '5MiB')) {
      expect(c.byteLength).toBeGreaterThan(0);
      consumed++;
      const chunkReads = (): number => source.reads - readsBefore - openReads;
      const window = Math.min(total - 1, consumed - 1 + 2);
      await eventually(() => chunkReads() >= window, `the window of reads was requested after ${consumed} chunks`);
      // Give the fetcher every chance to run further ahead of us: it must not.
      await new Promise((r) => setTimeout(r, 50));
      expect(chunkReads()).toBe(window);
    }
    expect(consumed).toBe(total);
  });

  it('runs at most maxConcurrentFetches fetches at once; the others wait their turn', async () => {
    const fetcher = new BlockFetcher(clientBus, { maxConcurrentFetches: 2 });
    const opensBefore = source.opens;
    const iterators = Array.from({ length: 3 }, () => fetcher.fetch(subject, 'exact+1')[Symbol.asyncIterator]());
    const firsts = iterators.map((it) => it.next());
    await Promise.race([Promise.all(firsts.slice(0, 2)), new Promise((r) => setTimeout(r, 5000))]);
    await new Promise((r) => setTimeout(r, 100));
    expect(source.opens - opensBefore).toBe(2);
    // Leaving the first fetch early frees its slot for the third.
    await iterators[0]!.return!();
    expect((await firsts[2]!).done).toBe(false);
    expect(source.opens - opensBefore).toBe(3);
    await Promise.all(iterators.slice(1).map((it) => it.return!()));
  });

  it('releases the server session when the consumer stops early or aborts', async () => {
    // A source of its own: sessions of earlier tests may still be closing on the shared one.
    const own = new MemorySource();
    own.blocks.set('5MiB', source.blocks.get('5MiB')!);
    const sub = serveBlocks(serverBus, 'kuberdd.test.blocks.e2', own, log);
    await serverBus.flush();
    const fetcher = new BlockFetcher(clientBus);
    for await (const c of fetcher.fetch('kuberdd.test.blocks.e2', '5MiB')) {
      expect(c.byteLength).toBe(chunk);
      break;
    }
    await eventually(() => own.closes === 1, 'the server closed the block');

    const controller = new AbortController();
    const error = await failure(
      (async () => {
        for await (const _ of fetcher.fetch('kuberdd.test.blocks.e2', '5MiB', { signal: controller.signal })) controller.abort(new Error('enough'));
      })(),
    );
    expect(error.code).toBe('ABORTED');
    await eventually(() => own.closes === 2, 'the server closed the aborted block');
    expect(own.opens).toBe(2);
    sub.unsubscribe();
  });

  it('answers garbage and bad requests with an error reply, drops garbage without a reply, and keeps serving', async () => {
    const ask = async (data: Uint8Array): Promise<unknown> => decodeBlockReply(await clientBus.request(subject, data, { timeoutMs: 5000 }));
    expect(await ask(new Uint8Array([0xde, 0xad, 0xbe, 0xef]))).toMatchObject({ kind: 'error', code: 'BAD_REQUEST', message: expect.stringMatching(/^malformed block request: /) });
    expect(await ask(encode({ op: 'open' }))).toMatchObject({ kind: 'error', code: 'BAD_REQUEST' });
    expect(await ask(encode([1, 'open', 'one', -5]))).toMatchObject({ kind: 'error', code: 'BAD_REQUEST', message: expect.stringMatching(/firstLength must be a non-negative integer/) });
    expect(await ask(encodeBlockRequest({ op: 'read', session: 'forged.1', offset: 0, length: 10 }))).toMatchObject({ kind: 'error', code: 'UNKNOWN_SESSION' });
    for (let i = 0; i < 50; i++) clientBus.publish(subject, pattern(i * 7, i));
    await clientBus.flush();
    await eventually(() => log.entries.filter((e) => e.message === 'block request dropped').length >= 50, 'the garbage was logged');
    expect(await new BlockFetcher(clientBus).fetchAll(subject, 'one')).toEqual(source.blocks.get('one'));
  });

  it('refuses reads outside the block or larger than a chunk', async () => {
    const opened = decodeBlockReply(await clientBus.request(subject, encodeBlockRequest({ op: 'open', blockId: 'exact+1', firstLength: 10 }), { timeoutMs: 5000 }));
    expect(opened).toMatchObject({ kind: 'opened', size: chunk + 1, first: source.blocks.get('exact+1')!.subarray(0, 10) });
    const session = (opened as { session: string }).session;
    const read = async (offset: number, length: number): Promise<unknown> =>
      decodeBlockReply(await clientBus.request(subject, encodeBlockRequest({ op: 'read', session, offset, length }), { timeoutMs: 5000 }));
    expect(await read(chunk, 2)).toMatchObject({ kind: 'error', code: 'OUT_OF_RANGE' });
    expect(await read(0, chunk + 1)).toMatchObject({ kind: 'error', code: 'OUT_OF_RANGE' });
    expect(await read(chunk, 1)).toEqual({ kind: 'data', bytes: source.blocks.get('exact+1')!.subarray(chunk) });
    clientBus.publish(subject, encodeBlockRequest({ op: 'close', session }));
    // Same connection, so the server sees the close before this read.
    expect(await read(0, 1)).toMatchObject({ kind: 'error', code: 'UNKNOWN_SESSION' });
  });
});

describe('block fetch through a server with a 64 KiB max_payload', () => {
  let nats: NatsServerProcess;
  let serverBus: MessageBus;
  let clientBus: MessageBus;
  const log = recordingLogger();

  beforeAll(async () => {
    nats = await NatsServerProcess.start({ maxPayload: 64 * 1024 });
    serverBus = await MessageBus.connect({ servers: nats.url }, log);
    clientBus = await MessageBus.connect({ servers: nats.url }, recordingLogger());
  });
  afterAll(async () => {
    await clientBus?.close();
    await serverBus?.close();
    await nats?.stop();
  });

  it('fetches a 3 MiB block in 64 KiB-sized chunks', async () => {
    const source = new MemorySource();
    const data = pattern(3 * 1024 * 1024 + 17, 5);
    source.blocks.set('big', data);
    const sub = serveBlocks(serverBus, 'blocks.small', source, log);
    await serverBus.flush();
    const chunks = await collect(new BlockFetcher(clientBus, { maxInFlightChunks: 8 }).fetch('blocks.small', 'big'));
    expect(chunks.length).toBe(Math.ceil(data.length / (64 * 1024 - BLOCK_REPLY_OVERHEAD)));
    expect(Math.max(...chunks.map((c) => c.byteLength))).toBe(64 * 1024 - BLOCK_REPLY_OVERHEAD);
    expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true);
    sub.unsubscribe();
  });

  it('detects bytes that changed after the server computed the CRC: CHECKSUM_MISMATCH', async () => {
    for (const size of [1000, 500_000]) {
      const data = pattern(size, 7);
      let reads = 0;
      // The first read is the CRC pass; every later read sees one byte flipped.
      const changing: BlockSource = {
        open: () => ({
          size,
          read: (offset, length) => {
            if (reads++ === 1) data[size - 1]! ^= 0xff;
            return data.slice(offset, offset + length);
          },
        }),
      };
      const sub = serveBlocks(serverBus, 'blocks.changing', changing, log);
      await serverBus.flush();
      const error = await failure(new BlockFetcher(clientBus).fetchAll('blocks.changing', 'b'));
      expect(error.code).toBe('CHECKSUM_MISMATCH');
      expect(error.message).toMatch(new RegExp(`CRC32 of the ${size} bytes received is 0x[0-9a-f]{8}, the server computed 0x[0-9a-f]{8}`));
      sub.unsubscribe();
    }
  });

  it('serves a self-checked block (CRC-framed content) without the block CRC: one read per chunk, no extra pass', async () => {
    const size = 2_500_000;
    const data = pattern(size, 3);
    let reads = 0;
    const framed: BlockSource = {
      open: () => ({
        size,
        selfChecked: true,
        read: (offset, length) => {
          reads++;
          return data.slice(offset, offset + length);
        },
      }),
    };
    const sub = serveBlocks(serverBus, 'blocks.framed', framed, log);
    await serverBus.flush();
    const chunks = await collect(new BlockFetcher(clientBus).fetch('blocks.framed', 'b'));
    expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true);
    // Only the chunks were read: no whole-block CRC pass before them.
    expect(reads).toBe(chunks.length);
    sub.unsubscribe();
  });

  it('fails with SERVER_GONE or SESSION_LOST when the serving side goes away mid-fetch', async () => {
    const serving = await MessageBus.connect({ servers: nats.url }, recordingLogger());
    const source = new MemorySource();
    source.blocks.set('big', pattern(2 * 1024 * 1024, 9));
    serveBlocks(serving, 'blocks.vanishing', source, recordingLogger());
    await serving.flush();
    let received = 0;
    const error = await failure(
      (async () => {
        for await (const c of new BlockFetcher(clientBus, { maxInFlightChunks: 2, retries: 1 }).fetch('blocks.vanishing', 'big')) {
          received += c.byteLength;
          if (received === c.byteLength) await serving.close();
        }
      })(),
    );
    expect(['SERVER_GONE', 'SESSION_LOST']).toContain(error.code);
    expect(received).toBeLessThan(2 * 1024 * 1024);
  });

  it('closes idle sessions, and every session when it stops serving', async () => {
    const source = new MemorySource();
    source.blocks.set('big', pattern(200_000, 3));
    const sub = serveBlocks(serverBus, 'blocks.idle', source, log, { sessionIdleMs: 100 });
    await serverBus.flush();
    const open = async (): Promise<string> => {
      const opened = decodeBlockReply(await clientBus.request('blocks.idle', encodeBlockRequest({ op: 'open', blockId: 'big', firstLength: 100 }), { timeoutMs: 5000 }));
      return (opened as { session: string }).session;
    };
    const idle = await open();
    await eventually(() => source.closes === 1, 'the idle session was closed');
    const reply = decodeBlockReply(await clientBus.request('blocks.idle', encodeBlockRequest({ op: 'read', session: idle, offset: 100, length: 100 }), { timeoutMs: 5000 }));
    expect(reply).toMatchObject({ kind: 'error', code: 'UNKNOWN_SESSION' });
    await open();
    await open();
    sub.unsubscribe();
    expect(source.closes).toBe(3);
  });
});
