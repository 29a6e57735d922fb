import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../common/logging/Logger.js';
import type { ExecutorLauncher } from './ExecutorLauncher.js';

export interface LocalClusterLauncherOptions {
  /** Task slots each executor offers (`--cores`). */
  readonly cores: number;
  /** Heap limit of each executor's task thread, in MiB (`--memory`). */
  readonly memoryMiB?: number | undefined;
  /** Where executors make their directories. */
  readonly localDir: string;
  /** Executors' log lines are re-logged here, tagged with their executor id. */
  readonly logger: Logger;
  /** The executors' working directory (relative input paths resolve against it); default this process's. */
  readonly cwd?: string;
}

interface Child {
  readonly id: string;
  readonly process: ChildProcess;
  /** The last lines it wrote to stderr that were not log lines (a crash's stack), for the exit reason. */
  readonly tail: string[];
  /** Exited, or asked to: its exit is not news. */
  expected: boolean;
  readonly exited: Promise<void>;
}

const STOP_GRACE_MS = 5_000;
const TAIL_LINES = 20;
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/** Children alive, across launchers: killed when this process exits, so none outlives it. */
const alive = new Set<ChildProcess>();
let exitHookInstalled = false;

const fromSources = new URL(import.meta.url).pathname.endsWith('.ts');

/**
 * `local-cluster[N]`: executors as `kuberdd executor` child processes on this machine, talking
 * to the driver only through NATS, exactly as pods will. Each child is in a process group of
 * its own (Ctrl-C in a terminal reaches the driver, which stops them in order) and is told its
 * executor id, cores, memory and directory on the command line and how to reach the driver in
 * its environment. A child that exits unexpectedly is reported at once; stop() ends them all
 * (SIGTERM, then SIGKILL after a grace period).
 */
export class LocalClusterLauncher implements ExecutorLauncher {
  readonly #o: LocalClusterLauncherOptions;
  readonly #children = new Map<string, Child>();
  readonly #exitListeners: ((executorId: string, reason: string) => void)[] = [];
  #next = 0;
  #stopped = false;

  constructor(options: LocalClusterLauncherOptions) {
    this.#o = options;
  }

  async launch(count: number, env: Readonly<Record<string, string>>): Promise<void> {
    if (this.#stopped) return;
    const started: Promise<void>[] = [];
    for (let i = 0; i < count; i++) started.push(this.#spawn(`exec-${this.#next++}`, env));
    await Promise.all(started);
  }

  onExecutorExit(listener: (executorId: string, reason: string) => void): void {
    this.#exitListeners.push(listener);
  }

  killExecutor(executorId: string): void {
    const child = this.#children.get(executorId);
    if (child === undefined) return;
    child.expected = true;
    child.process.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const children = [...this.#children.values()];
    for (const c of children) {
      c.expected = true;
      c.process.kill('SIGTERM');
    }
    const all = Promise.all(children.map((c) => c.exited));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_GRACE_MS)));
    if (await Promise.race([all.then(() => false), grace])) {
      for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
      await all;
    }
    clearTimeout(timer);
    this.#children.clear();
  }

  #spawn(id: string, env: Readonly<Record<string, string>>): Promise<void> {
    const args = ['executor', '--executor-id', id, '--cores', String(this.#o.cores), '--local-dir', this.#o.localDir, '--log-format', 'json'];
    if (this.#o.memoryMiB !== undefined) args.push('--memory', String(this.#o.memoryMiB));
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv['NODE_OPTIONS']; // a test runner's loader hooks must not leak into executors
    const proc = spawn(process.execPath, [...entryArgs(), ...args], {
      cwd: this.#o.cwd ?? process.cwd(),
      env: childEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    track(proc);
    let resolveExit: () => void = () => {};
    const child: Child = { id, process: proc, tail: [], expected: false, exited: new Promise((r) => (resolveExit = r)) };
    this.#children.set(id, child);
    this.#forwardLogs(child);
    return new Promise((resolve, reject) => {
      proc.once('spawn', () => resolve());
      proc.once('error', (error) => {
        this.#children.delete(id);
        resolveExit();
        reject(error);
      });
      proc.once('exit', (code, signal) => {
        resolveExit();
        this.#children.delete(id);
        if (child.expected || this.#stopped) return;
        const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = child.tail.length > 0 ? `; its last output: ${child.tail.slice(-5).join(' | ')}` : '';
        for (const listener of this.#exitListeners) listener(id, `executor process ${proc.pid} ${how}${tail}`);
      });
    });
  }

  /** Executors write JSON log lines: re-logged through the driver's logger (info as debug), tagged with the executor id. */
  #forwardLogs(child: Child): void {
    const log = this.#o.logger.child({ executorId: child.id });
    let partial = '';
    child.process.stderr?.setEncoding('utf8');
    child.process.stderr?.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        const entry = parseLogLine(line);
        if (entry === undefined) {
          child.tail.push(line);
          if (child.tail.length > TAIL_LINES) child.tail.shift();
          log.debug('executor output', { line });
        } else {
          // What an executor says in passing is detail for the driver's log; its warnings and errors are not.
          log[entry.level === 'info' ? 'debug' : entry.level](entry.message, entry.fields);
        }
      }
    });
  }
}

/** How to run `kuberdd`: the built CLI, or (tests running from sources) src/cli/main.ts through tsx. */
function entryArgs(): string[] {
  if (!fromSources) return [fileURLToPath(new URL('../../bin/kuberdd.js', import.meta.url))];
  const tsxApi = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  const main = new URL('../cli/main.ts', import.meta.url).href;
  const bootstrap =
    `const { tsImport } = await import(${JSON.stringify(tsxApi)});` +
    `const { main } = await tsImport(${JSON.stringify(main)}, ${JSON.stringify(import.meta.url)});` +
    `process.exitCode = await main(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });`;
  return ['--input-type=module', '--eval', bootstrap, '--'];
}

function parseLogLine(line: string): { level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields: Record<string, unknown> } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const { level, message, timestamp: _timestamp, ...fields } = parsed;
    if (typeof level !== 'string' || !LEVELS.has(level) || typeof message !== 'string') return undefined;
    return { level: level as 'debug' | 'info' | 'warn' | 'error', message, fields };
  } catch {
    return undefined;
  }
}

function track(child: ChildProcess): void {
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  child.once('error', () => alive.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Best effort: runs on normal exits and process.exit(), not when this process is killed.
    process.on('exit', () => {
      for (const c of alive) c.kill('SIGKILL');
    });
  }
}
