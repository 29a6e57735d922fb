import { randomBytes } from 'node:crypto';
import { crc32 } from '../common/codec/crc32.js';
import type { Logger } from '../common/logging/Logger.js';
import {
  BLOCK_REPLY_OVERHEAD,
  type BlockErrorCode,
  type BlockRequest,
  decodeBlockRequest,
  encodeDataReply,
  encodeErrorReply,
  encodeOpenedReply,
} from './blockProtocol.js';
import type { IncomingMessage, MessageBus, Subscription } from './MessageBus.js';

/** An open block: its size, and its bytes read on demand. */
export interface OpenBlock {
  readonly size: number;
  /** Exactly `length` bytes at `offset` (the bus copies them before the next read). */
  read(offset: number, length: number): Uint8Array;
  close?(): void;
  /**
   * The bytes carry their own checksums, verified by whoever decodes them (shuffle segments are
   * CRC-framed blocks): no block CRC is computed or checked, which spares the server a second
   * read of the block and both sides a pass over every byte.
   */
  readonly selfChecked?: boolean;
}

/** Where served blocks come from (shuffle files, the block manager, the driver's broadcasts). */
export interface BlockSource {
  /** The block, or undefined when there is no such block. */
  open(blockId: string): OpenBlock | undefined;
}

export interface ServeBlocksOptions {
  /** A fetch session idle this long is closed (its fetcher is gone); default 60 s. */
  readonly sessionIdleMs?: number;
  /** Open sessions kept at most; beyond it the least recently used is closed. Default 1024. */
  readonly maxSessions?: number;
}

interface Session {
  readonly blockId: string;
  readonly block: OpenBlock;
  readonly timer: NodeJS.Timeout;
}

/** Bytes read per step while computing a block's CRC, so huge blocks are never read whole. */
const CRC_STEP = 4 * 1024 * 1024;

/**
 * Serves `source`'s blocks on `subject` (protocol in blockProtocol.ts and docs/protocol.md):
 * an 'open' computes the block's CRC32 and returns its size and first bytes; further chunks
 * are read when requested, so the fetcher decides how much is in flight. A malformed request
 * gets an error reply (or, without a reply subject, is logged and dropped); nothing a client
 * sends can throw out of here. unsubscribe() also closes every open block.
 */
export function serveBlocks(bus: MessageBus, subject: string, source: BlockSource, logger: Logger, options: ServeBlocksOptions = {}): Subscription {
  const idleMs = options.sessionIdleMs ?? 60_000;
  const maxSessions = options.maxSessions ?? 1024;
  const log = logger.child({ blockSubject: subject });
  // A fresh prefix per server: a restarted server never mistakes an old session id for its own.
  const sessionPrefix = randomBytes(6).toString('base64url');
  let nextSession = 0;
  /** In least-recently-used order (re-inserted on every use). */
  const sessions = new Map<string, Session>();

  const maxChunk = (): number => Math.max(1, bus.maxPayload - BLOCK_REPLY_OVERHEAD);

  const closeSession = (id: string, why: string): void => {
    const session = sessions.get(id);
    if (session === undefined) return;
    sessions.delete(id);
    clearTimeout(session.timer);
    try {
      session.block.close?.();
    } catch (e) {
      log.warn('closing a served block failed', { blockId: session.blockId, error: e });
    }
    if (why !== 'done') log.debug('block session closed', { blockId: session.blockId, why });
  };

  const reply = (msg: IncomingMessage, data: Uint8Array): void => {
    try {
      msg.respond(data);
    } catch (e) {
      log.warn('cannot send a block reply', { error: e });
    }
  };
  const refuse = (msg: IncomingMessage, code: BlockErrorCode, message: string): void => {
    if (msg.reply === undefined) log.warn('block request dropped', { code, reason: message });
    else reply(msg, encodeErrorReply(code, message));
  };

  const open = (msg: IncomingMessage, request: Extract<BlockRequest, { op: 'open' }>): void => {
    if (msg.reply === undefined) return refuse(msg, 'BAD_REQUEST', `'open' of '${request.blockId}' without a reply subject`);
    let block: OpenBlock | undefined;
    try {
      block = source.open(request.blockId);
    } catch (e) {
      log.error('block source failed to open a block', { blockId: request.blockId, error: e });
      return refuse(msg, 'SOURCE_FAILED', `cannot open block '${request.blockId}': ${e instanceof Error ? e.message : String(e)}`);
    }
    if (block === undefined) return refuse(msg, 'MISSING', `no block '${request.blockId}' here`);
    let keep = false;
    try {
      const size = block.size;
      if (!Number.isSafeInteger(size) || size < 0) throw new Error(`the source reported an invalid size ${String(size)}`);
      let crc: number | null = null;
      if (block.selfChecked !== true) {
        crc = 0;
        for (let offset = 0; offset < size; offset += CRC_STEP) crc = crc32(readExactly(block, offset, Math.min(CRC_STEP, size - offset)), crc);
      }
      const chunk = maxChunk();
      const firstLength = Math.min(request.firstLength, chunk, size);
      const first = readExactly(block, 0, firstLength);
      let session: string | null = null;
      if (firstLength < size) {
        session = `${sessionPrefix}.${(nextSession++).toString(36)}`;
        const id = session;
        sessions.set(id, { blockId: request.blockId, block, timer: setTimeout(() => closeSession(id, 'idle'), idleMs).unref() });
        keep = true;
        if (sessions.size > maxSessions) {
          const oldest = sessions.keys().next();
          if (oldest.done !== true) closeSession(oldest.value, 'too many open sessions');
        }
      }
      reply(msg, encodeOpenedReply({ session, size, crc, maxChunk: chunk }, first));
    } catch (e) {
      log.error('block source failed to read a block', { blockId: request.blockId, error: e });
      refuse(msg, 'SOURCE_FAILED', `cannot read block '${request.blockId}': ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      if (!keep) closeQuietly(block, log, request.blockId);
    }
  };

  const read = (msg: IncomingMessage, request: Extract<BlockRequest, { op: 'read' }>): void => {
    const session = sessions.get(request.session);
    if (session === undefined) return refuse(msg, 'UNKNOWN_SESSION', `no open session '${request.session}' (closed after being idle, or the server restarted)`);
    sessions.delete(request.session);
    sessions.set(request.session, session);
    session.timer.refresh();
    const { size } = session.block;
    const chunk = maxChunk();
    if (request.length === 0 || request.length > chunk || request.offset + request.length > size) {
      return refuse(msg, 'OUT_OF_RANGE', `cannot read ${request.length} bytes at ${request.offset} of a ${size}-byte block in chunks of at most ${chunk}`);
    }
    let bytes: Uint8Array;
    try {
      bytes = readExactly(session.block, request.offset, request.length);
    } catch (e) {
      log.error('block source failed to read a chunk', { blockId: session.blockId, offset: request.offset, error: e });
      closeSession(request.session, 'read failed');
      return refuse(msg, 'SOURCE_FAILED', `cannot read block '${session.blockId}': ${e instanceof Error ? e.message : String(e)}`);
    }
    reply(msg, encodeDataReply(bytes));
  };

  const handle = (msg: IncomingMessage): void => {
    const request = decodeBlockRequest(msg.data);
    if ('error' in request) return refuse(msg, 'BAD_REQUEST', `malformed block request: ${request.error}`);
    switch (request.op) {
      case 'open':
        return open(msg, request);
      case 'read':
        return read(msg, request);
      case 'close':
        return closeSession(request.session, 'done');
    }
  };

  const sub = bus.subscribe(subject, (msg) => {
    try {
      handle(msg);
    } catch (e) {
      // Unreachable by design; kept so that no request can ever take the server down.
      log.error('block request failed', { error: e });
    }
  });
  return {
    unsubscribe: () => {
      sub.unsubscribe();
      for (const id of [...sessions.keys()]) closeSession(id, 'server stopped');
    },
  };
}

function readExactly(block: OpenBlock, offset: number, length: number): Uint8Array {
  if (length === 0) return new Uint8Array(0);
  const bytes = block.read(offset, length);
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== length) {
    throw new Error(`read(${offset}, ${length}) returned ${bytes instanceof Uint8Array ? `${bytes.byteLength} bytes` : typeof bytes}`);
  }
  return bytes;
}

function closeQuietly(block: OpenBlock, log: Logger, blockId: string): void {
  try {
    block.close?.();
  } catch (e) {
    log.warn('closing a served block failed', { blockId, error: e });
  }
}
