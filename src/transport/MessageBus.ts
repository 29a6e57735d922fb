import { connect, createInbox, DebugEvents, ErrorCode, Events, NatsError } from 'nats';
import type { ConnectionOptions, Msg, NatsConnection, Subscription as NatsSubscription } from 'nats';
import type { Logger } from '../common/logging/Logger.js';
import type { NatsConnectOptions } from './NatsConnectOptions.js';
import { TransportError } from './TransportError.js';

/** A message delivered to a subscription handler. */
export interface IncomingMessage {
  readonly subject: string;
  /** Owned by the handler: not reused by the bus. */
  readonly data: Uint8Array;
  /** Where a reply goes (set for requests). */
  readonly reply: string | undefined;
  /** Publishes `data` to `reply`; false when there is no reply subject. Throws TransportError like publish. */
  respond(data: Uint8Array): boolean;
}

export interface Subscription {
  unsubscribe(): void;
}

export type BusStatus = 'disconnected' | 'reconnecting' | 'reconnected' | 'closed';

interface PendingRequest {
  readonly subject: string;
  resolve(data: Uint8Array): void;
  reject(error: TransportError): void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const CONNECT_RETRY_MS = 250;
/** How long close() lets a drain take before closing outright (e.g. while the server is down). */
const DRAIN_TIMEOUT_MS = 5_000;
/** NATS subjects are whitespace-free tokens; whitespace would corrupt the protocol line. */
const BAD_SUBJECT = /[\s]|^$/;

/**
 * The one wrapper of a nats.js connection the rest of kuberdd uses. Reconnects forever with a
 * short wait (subscriptions are re-established by nats.js), turns every failure into a
 * TransportError, and never lets a handler's exception reach the connection.
 */
export class MessageBus implements AsyncDisposable {
  /** Replies to our requests arrive on `<inbox>.<token>`, through one wildcard subscription. */
  private readonly inbox = createInbox();
  private readonly pending = new Map<string, PendingRequest>();
  private nextToken = 0;
  private readonly statusListeners: Array<(status: BusStatus) => void> = [];
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
  ) {
    this.nc.subscribe(`${this.inbox}.*`, { callback: (err, msg) => this.onReply(err, msg) });
    void this.watchStatus();
    void this.nc.closed().then((err) => {
      if (err) this.logger.error('NATS connection closed by an error', { error: err });
      this.failPending('CLOSED', 'the message bus closed');
      this.emit('closed');
    });
  }

  /**
   * Connects, retrying for `options.connectTimeoutMs` (default 30 s) while the server refuses
   * connections. Wrong credentials fail at once (AUTH_FAILED); so does an aborted `signal`.
   */
  static async connect(options: NatsConnectOptions, logger: Logger, signal?: AbortSignal): Promise<MessageBus> {
    const servers = options.servers.split(',').map((s) => s.trim());
    const where = servers.map(redact).join(',');
    const wantsTls = options.tls !== undefined || servers.some((s) => /^tls:\/\//i.test(s));
    const natsOptions: ConnectionOptions = {
      servers,
      ...(options.user !== undefined && { user: options.user }),
      ...(options.pass !== undefined && { pass: options.pass }),
      ...(options.token !== undefined && { token: options.token }),
      ...(wantsTls && { tls: { ...options.tls } }),
      ...(options.name !== undefined && { name: options.name }),
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: CONNECT_RETRY_MS,
      reconnectJitter: 100,
      reconnectJitterTLS: 250,
      timeout: 5_000,
      // A dead peer without a TCP reset is noticed within about a minute.
      pingInterval: 20_000,
      maxPingOut: 3,
    };
    const deadline = Date.now() + (options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signal, `connecting to NATS at ${where}`);
      try {
        const nc = await abortable(connect(natsOptions), signal, (late) => void late.close().catch(() => {}));
        logger.info('connected to NATS', { server: redact(nc.getServer()), maxPayload: nc.info?.max_payload });
        return new MessageBus(nc, logger);
      } catch (e) {
        if (e instanceof TransportError) throw e;
        if (e instanceof NatsError && e.isAuthError()) {
          throw new TransportError('AUTH_FAILED', `NATS at ${where} refused the credentials (${(e as Error).message}); check --nats-user/--nats-password or --nats-token.`, { cause: e });
        }
        const code = (e as { code?: unknown }).code;
        const retriable = code === ErrorCode.ConnectionRefused || code === ErrorCode.ConnectionTimeout || code === 'ECONNREFUSED';
        if (!retriable || Date.now() >= deadline) {
          const how = retriable ? `for ${Math.round((options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000)} s (${attempt} attempts)` : 'once';
          throw new TransportError(
            'CONNECT_FAILED',
            `Cannot connect to NATS at ${where} (tried ${how}): ${(e as Error).message}. Check the URL (--nats / KUBERDD_NATS_URL) and that the server is running.`,
            { cause: e },
          );
        }
        if (attempt === 1 || attempt % 20 === 0) logger.warn('NATS not reachable yet; retrying', { servers: where, error: (e as Error).message });
        await sleep(CONNECT_RETRY_MS, signal);
      }
    }
  }

  /** The server's max_payload: the largest message (data plus headers) it accepts. */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  /** Publishes `data`; buffered while reconnecting. Throws TransportError (e.g. PAYLOAD_TOO_LARGE). */
  publish(subject: string, data: Uint8Array): void {
    this.send(subject, data, undefined);
  }

  /**
   * Calls `handler` for each message on `subject` (wildcards allowed). A handler that throws or
   * rejects is logged and the subscription goes on. With `queue`, each message goes to one
   * member of the queue group.
   */
  subscribe(subject: string, handler: (msg: IncomingMessage) => void | Promise<void>, opts?: { queue?: string }): Subscription {
    checkSubject(subject);
    let sub: NatsSubscription;
    try {
      sub = this.nc.subscribe(subject, {
        ...(opts?.queue !== undefined && { queue: opts.queue }),
        callback: (err, msg) => {
          if (err) {
            this.logger.warn('subscription error', { subject, error: err });
            return;
          }
          this.dispatch(subject, msg, handler);
        },
      });
    } catch (e) {
      throw this.toTransportError(e, subject, 0);
    }
    return {
      unsubscribe: () => {
        try {
          sub.unsubscribe();
        } catch (e) {
          // Already closed with the connection: nothing is left to undo.
          this.logger.debug('unsubscribe after close', { subject, error: e });
        }
      },
    };
  }

  /**
   * Sends a request and resolves with the first reply's data. Rejects with TransportError
   * TIMEOUT, NO_RESPONDERS (nobody subscribes to `subject`), ABORTED, CLOSED or a publish error.
   */
  request(subject: string, data: Uint8Array, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    const { signal, timeoutMs } = opts;
    if (signal?.aborted) return Promise.reject(new TransportError('ABORTED', `Request to '${subject}' aborted`, { cause: signal.reason }));
    if (this.closing !== undefined || this.nc.isClosed()) return Promise.reject(new TransportError('CLOSED', `Cannot send a request to '${subject}': the message bus is closed`));
    const token = (this.nextToken++).toString(36);
    return new Promise<Uint8Array>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(token);
      };
      const onAbort = (): void => {
        finish();
        reject(new TransportError('ABORTED', `Request to '${subject}' aborted`, { cause: signal?.reason }));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new TransportError('TIMEOUT', `No reply from '${subject}' within ${timeoutMs} ms`));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(token, {
        subject,
        resolve: (reply) => {
          finish();
          resolve(reply);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      try {
        this.send(subject, data, `${this.inbox}.${token}`);
      } catch (e) {
        finish();
        reject(e);
      }
    });
  }

  /** Resolves once the server has processed everything published so far. */
  async flush(): Promise<void> {
    try {
      await this.nc.flush();
    } catch (e) {
      throw this.toTransportError(e, '(flush)', 0);
    }
  }

  /** Connection state changes; 'reconnecting' is reported for every attempt. */
  onStatus(listener: (status: BusStatus) => void): void {
    this.statusListeners.push(listener);
  }

  /** Drains subscriptions and pending publishes, then closes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.drainAndClose();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async drainAndClose(): Promise<void> {
    this.failPending('CLOSED', 'the message bus was closed');
    if (this.nc.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    const drained = this.nc.drain().then(
      () => true,
      () => false,
    );
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS)));
    const ok = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    if (!ok && !this.nc.isClosed()) await this.nc.close().catch(() => {});
    await this.nc.closed();
  }

  private send(subject: string, data: Uint8Array, reply: string | undefined): void {
    checkSubject(subject);
    try {
      this.nc.publish(subject, data, reply === undefined ? undefined : { reply });
    } catch (e) {
      throw this.toTransportError(e, subject, data.byteLength);
    }
  }

  private dispatch(subject: string, msg: Msg, handler: (msg: IncomingMessage) => void | Promise<void>): void {
    const reply = msg.reply === undefined || msg.reply === '' ? undefined : msg.reply;
    const incoming: IncomingMessage = {
      subject: msg.subject,
      data: plain(msg.data),
      reply,
      respond: (data) => {
        if (reply === undefined) return false;
        this.send(reply, data, undefined);
        return true;
      },
    };
    const failed = (e: unknown): void => this.logger.error('message handler failed; message dropped', { subject, messageSubject: msg.subject, error: e });
    try {
      const result = handler(incoming);
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') (result as Promise<void>).then(undefined, failed);
    } catch (e) {
      failed(e);
    }
  }

  private onReply(err: Error | null, msg: Msg): void {
    if (err) {
      this.logger.warn('reply subscription error', { error: err });
      return;
    }
    const token = msg.subject.slice(this.inbox.length + 1);
    const request = this.pending.get(token);
    // A reply after the request timed out or was aborted.
    if (request === undefined) return;
    if (msg.headers !== undefined && msg.headers.code === 503) {
      request.reject(new TransportError('NO_RESPONDERS', `Nobody is subscribed to '${request.subject}' (no responders)`));
    } else {
      request.resolve(plain(msg.data));
    }
  }

  private failPending(code: 'CLOSED', why: string): void {
    for (const request of [...this.pending.values()]) request.reject(new TransportError(code, `Request to '${request.subject}' failed: ${why}`));
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      switch (s.type) {
        case Events.Disconnect:
          this.logger.warn('disconnected from NATS; reconnecting', { server: redact(String(s.data)) });
          this.emit('disconnected');
          break;
        case DebugEvents.Reconnecting:
          this.emit('reconnecting');
          break;
        case Events.Reconnect:
          this.logger.info('reconnected to NATS', { server: redact(String(s.data)) });
          this.emit('reconnected');
          break;
        case Events.Error:
          this.logger.warn('NATS reported an error', { error: s.data });
          break;
        case Events.LDM:
          this.logger.info('NATS server entering lame duck mode; will move to another server', { server: redact(String(s.data)) });
          break;
        default:
          break;
      }
    }
  }

  private emit(status: BusStatus): void {
    for (const listener of this.statusListeners) {
      try {
        listener(status);
      } catch (e) {
        this.logger.error('bus status listener failed', { status, error: e });
      }
    }
  }

  private toTransportError(e: unknown, subject: string, bytes: number): TransportError {
    if (e instanceof TransportError) return e;
    const code = (e as { code?: unknown }).code;
    if (code === ErrorCode.MaxPayloadExceeded) {
      return new TransportError(
        'PAYLOAD_TOO_LARGE',
        `Cannot publish ${bytes} bytes to '${subject}': the NATS server's max_payload is ${this.maxPayload} bytes. Send large data as a block (BlockFetcher), or raise max_payload in the server configuration.`,
        { cause: e },
      );
    }
    if (code === ErrorCode.ConnectionClosed || code === ErrorCode.ConnectionDraining) {
      return new TransportError('CLOSED', `Cannot use '${subject}': the message bus is closed`, { cause: e });
    }
    if (code === ErrorCode.BadSubject) return new TransportError('BAD_SUBJECT', `Invalid NATS subject '${subject}'`, { cause: e });
    return new TransportError('PUBLISH_FAILED', `NATS operation on '${subject}' failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function checkSubject(subject: string): void {
  if (typeof subject !== 'string' || BAD_SUBJECT.test(subject)) {
    throw new TransportError('BAD_SUBJECT', `Invalid NATS subject ${JSON.stringify(subject)}: it must be non-empty and contain no whitespace.`);
  }
}

/** nats.js hands out Buffer views of the socket's reads; callers get plain Uint8Arrays (no copy). */
function plain(data: Uint8Array): Uint8Array {
  return data.constructor === Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Hides credentials written into a server URL (nats://user:pass@host) before it is logged. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new TransportError('ABORTED', `Aborted while ${what}`, { cause: signal.reason });
}

/** Races `promise` against `signal`; a value that arrives after the abort goes to `dispose`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, dispose: (late: T) => void): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(new TransportError('ABORTED', 'Aborted while connecting to NATS', { cause: signal.reason }));
      promise.then(dispose, () => {});
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return;
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new TransportError('ABORTED', 'Aborted while connecting to NATS', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
