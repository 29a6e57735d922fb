// Helpers for the local-cluster tests: a logger that keeps what it is told, and process checks by pid.
import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from '../../../src/common/logging/Logger.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

export interface CapturingLogger extends Logger {
  readonly entries: LogEntry[];
  /** Executor id → pid, from the driver's "executor registered" lines. */
  executorPids(): Map<string, number>;
  /** The pid of the nats-server the driver started, if it did. */
  natsServerPid(): number | undefined;
}

/** Keeps every entry; with KUBERDD_TEST_LOG=1 also prints warnings and errors. */
export function capturingLogger(): CapturingLogger {
  const entries: LogEntry[] = [];
  const echo = process.env['KUBERDD_TEST_LOG'] === '1';
  const make = (base: Record<string, unknown>): Logger => {
    const log = (level: LogEntry['level']) => (message: string, fields?: Record<string, unknown>) => {
      const entry = { level, message, fields: { ...base, ...fields } };
      entries.push(entry);
      if (echo && (level === 'warn' || level === 'error')) process.stderr.write(`${level} ${message} ${JSON.stringify(entry.fields)}\n`);
    };
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: (more) => make({ ...base, ...more }) };
  };
  return Object.assign(make({}), {
    entries,
    executorPids(): Map<string, number> {
      const pids = new Map<string, number>();
      for (const e of entries) {
        // The driver's own line has the pid; the executor's forwarded lines do not.
        if (e.message === 'executor registered' && typeof e.fields['pid'] === 'number') pids.set(String(e.fields['executorId']), e.fields['pid']);
      }
      return pids;
    },
    natsServerPid(): number | undefined {
      const e = entries.find((x) => x.message === 'started nats-server for local-cluster');
      return typeof e?.fields['pid'] === 'number' ? e.fields['pid'] : undefined;
    },
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  // A zombie (exited, not yet reaped by its parent) is gone for our purposes.
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Pids of the processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so parse after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

/** Resolves once `check()` is true; fails after `timeoutMs` saying what it waited for. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
