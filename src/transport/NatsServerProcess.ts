import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { Logger } from '../common/logging/Logger.js';
import { nullLogger } from '../common/logging/nullLogger.js';
import { NatsServerNotFoundError } from './NatsServerNotFoundError.js';
import { NatsServerStartError } from './NatsServerStartError.js';
import { TransportError } from './TransportError.js';

export interface NatsServerProcessOptions {
  /** Default: a free loopback port. */
  readonly port?: number;
  readonly jetstream?: boolean;
  /** JetStream storage; default a temporary directory removed by stop(). */
  readonly storeDir?: string;
  /** The server's max_payload in bytes (written to a config file: there is no flag for it). */
  readonly maxPayload?: number;
  /** More nats-server arguments, e.g. ['--user', 'u', '--pass', 'p'] or ['--auth', 'token']. */
  readonly extraArgs?: readonly string[];
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_LINES = 30;

/** Children still running; killed when this process exits, so none outlives it. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * A `nats-server` child process on 127.0.0.1, for `local-cluster[N]` and tests. start()
 * resolves once it accepts connections; restart() brings it back on the same port.
 */
export class NatsServerProcess implements AsyncDisposable {
  private child: ChildProcess | undefined;
  private stderrTail: string[] = [];
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly binary: string,
    private readonly args: readonly string[],
    readonly port: number,
    private readonly tempDir: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts nats-server and waits until it accepts connections. Throws NatsServerNotFoundError
   * when it is not on PATH, NatsServerStartError (with its stderr) when it exits or hangs.
   */
  static async start(opts: NatsServerProcessOptions = {}): Promise<NatsServerProcess> {
    const binary = findOnPath('nats-server');
    const logger = opts.logger ?? nullLogger;
    // A port we picked can be taken by someone else before the server binds it: pick again.
    const attempts = opts.port === undefined ? 3 : 1;
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freeLoopbackPort());
      const tempDir = mkdtempSync(path.join(tmpdir(), 'kuberdd-nats-'));
      const args = ['-a', '127.0.0.1', '-p', String(port)];
      if (opts.maxPayload !== undefined) {
        if (!Number.isSafeInteger(opts.maxPayload) || opts.maxPayload <= 0) {
          rmSync(tempDir, { recursive: true, force: true });
          throw new UserInputError(`NatsServerProcess: maxPayload must be a positive integer number of bytes (got ${opts.maxPayload}).`);
        }
        const config = path.join(tempDir, 'nats-server.conf');
        writeFileSync(config, `max_payload: ${opts.maxPayload}\n`);
        args.push('-c', config);
      }
      if (opts.jetstream === true) args.push('-js', '-sd', opts.storeDir ?? path.join(tempDir, 'jetstream'));
      args.push(...(opts.extraArgs ?? []));
      const server = new NatsServerProcess(binary, args, port, tempDir, logger);
      try {
        await server.launch(opts.signal);
        return server;
      } catch (e) {
        await server.stop();
        const portTaken = e instanceof NatsServerStartError && /address already in use/i.test(e.stderrTail);
        if (!portTaken || attempt >= attempts) throw e;
      }
    }
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The current child's pid (it changes on restart()). */
  get pid(): number {
    return this.child?.pid ?? -1;
  }

  /** SIGTERM, then SIGKILL after a grace period. Idempotent; removes temporary files. */
  async stop(): Promise<void> {
    this.stopping ??= this.stopChild().finally(() => rmSync(this.tempDir, { recursive: true, force: true }));
    return this.stopping;
  }

  /** Stops the server and starts it again on the same port, with the same arguments. */
  async restart(signal?: AbortSignal): Promise<void> {
    if (this.stopping !== undefined) throw new TransportError('CLOSED', 'NatsServerProcess.restart() after stop()');
    await this.stopChild();
    await this.launch(signal);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  private async launch(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw new TransportError('ABORTED', 'Aborted before starting nats-server', { cause: signal.reason });
    this.stderrTail = [];
    const child = spawn(this.binary, this.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    track(child);
    let partial = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        this.stderrTail.push(line);
        this.logger.debug('nats-server', { line });
      }
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.splice(0, this.stderrTail.length - STDERR_TAIL_LINES);
    });

    const exited = new Promise<never>((_, reject) => {
      child.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'ENOENT' ? new NatsServerNotFoundError({ cause: e }) : new NatsServerStartError(`Cannot run ${this.binary}: ${e.message}`, this.tail(), { cause: e })),
      );
      child.once('exit', (code, sig) => {
        // Let the last stderr lines arrive: they usually say why.
        setTimeout(() => reject(new NatsServerStartError(`nats-server exited while starting (${sig ?? `exit code ${code}`}), args: ${this.args.join(' ')}`, this.tail())), 50);
      });
    });
    const ready = waitUntilAccepting(this.port, READY_TIMEOUT_MS, signal);
    try {
      await Promise.race([ready, exited]);
    } catch (e) {
      if (e instanceof TransportError && e.code === 'TIMEOUT') {
        throw new NatsServerStartError(`nats-server did not accept connections on port ${this.port} within ${READY_TIMEOUT_MS / 1000} s`, this.tail(), { cause: e });
      }
      throw e;
    } finally {
      exited.catch(() => {});
      ready.catch(() => {});
    }
    this.logger.debug('nats-server started', { pid: child.pid, port: this.port });
  }

  private tail(): string {
    return this.stderrTail.filter((l) => l.trim() !== '').join('\n');
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_GRACE_MS)));
    if (await Promise.race([exited.then(() => false), graceOver])) {
      this.logger.warn('nats-server did not stop on SIGTERM; killing it', { pid: child.pid });
      child.kill('SIGKILL');
      await exited;
    }
    clearTimeout(timer);
    running.delete(child);
  }
}

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Best effort: 'exit' runs on normal exits and process.exit(), not when killed by a signal.
    process.on('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
}

/** The absolute path of an executable on PATH, or NatsServerNotFoundError. */
function findOnPath(name: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  throw new NatsServerNotFoundError();
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

/**
 * Resolves once a TCP connection to the port gets a NATS INFO line (a plain connect could
 * reach some other program that holds the port).
 */
async function waitUntilAccepting(port: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new TransportError('ABORTED', 'Aborted while waiting for nats-server to start', { cause: signal.reason });
    if (await greetsLikeNats(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new TransportError('TIMEOUT', `nats-server not accepting connections on port ${port}`);
}

function greetsLikeNats(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let received = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.length >= 5) done(received.startsWith('INFO '));
    });
    socket.once('end', () => done(false));
  });
}
