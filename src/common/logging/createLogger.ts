import { inspect } from 'node:util';
import winston from 'winston';
import { UserInputError } from '../errors/UserInputError.js';
import type { Logger } from './Logger.js';

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
type Level = keyof typeof LEVELS;

export interface CreateLoggerOptions {
  /** `json`: one object per line, for pods and log collectors; `text`: short lines for people. */
  format: 'json' | 'text';
  /** `debug`, `info`, `warn` or `error`; defaults to env `KUBERDD_LOG_LEVEL`, then `info`. */
  level?: string;
  /** Where lines go; defaults to stderr so that a job's stdout stays its own. */
  stream?: NodeJS.WritableStream;
  /** Added to every line (e.g. `{ app, executorId }`). */
  fields?: Record<string, unknown>;
}

/**
 * Fields travel in their own property rather than as winston metadata: winston merges metadata
 * into the info object, where a field named `message` or `level` would corrupt the line.
 */
interface Entry {
  level: Level;
  message: string;
  fields: Record<string, unknown>;
  timestamp: Date;
}

/** A winston-backed `Logger` writing JSON lines or readable text lines. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const level = parseLevel(options.level ?? process.env['KUBERDD_LOG_LEVEL'] ?? 'info');
  const render = options.format === 'json' ? renderJson : renderText;
  const stream = options.stream ?? process.stderr;
  const transport = new winston.transports.Stream({ stream });
  const base = winston.createLogger({
    levels: LEVELS,
    level,
    format: winston.format.printf((info) => render(info as unknown as Entry)),
    transports: [transport],
  });

  const make = (fields: Record<string, unknown>): Logger => {
    const log = (lvl: Level) => (message: string, extra?: Record<string, unknown>) => {
      // Checked here too so that disabled debug calls cost no allocation in winston.
      if (LEVELS[lvl] > LEVELS[level]) return;
      const entry: Entry = { level: lvl, message, fields: extra ? { ...fields, ...extra } : fields, timestamp: new Date() };
      base.log(entry as unknown as winston.LogEntry);
    };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (more) => make({ ...fields, ...more }),
    };
  };
  return make({ ...options.fields });
}

function parseLevel(value: string): Level {
  const lower = value.trim().toLowerCase();
  if (Object.hasOwn(LEVELS, lower)) return lower as Level;
  throw new UserInputError(
    `Unknown log level '${value}' (from KUBERDD_LOG_LEVEL or the logger options); use one of: debug, info, warn, error.`,
  );
}

function renderJson(entry: Entry): string {
  const record: Record<string, unknown> = { timestamp: entry.timestamp.toISOString(), level: entry.level, message: entry.message };
  // A field named like a reserved key is kept under `_name` rather than overwriting it.
  for (const [k, v] of Object.entries(entry.fields)) record[Object.hasOwn(record, k) ? `_${k}` : k] = v;
  return stringify(record);
}

function renderText(entry: Entry): string {
  const t = entry.timestamp;
  const time = [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  const pairs = Object.entries(entry.fields).map(([k, v]) => `${k}=${formatTextValue(v)}`);
  return [time, entry.level.toUpperCase().padEnd(5), entry.message, ...pairs].join(' ');
}

function formatTextValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Error) return JSON.stringify(`${value.name}: ${value.message}`);
  if (value === null || typeof value !== 'object') return String(value);
  return inspect(value, { breakLength: Infinity, depth: 3, compact: true });
}

/** Errors and bigints would otherwise be lost or make JSON.stringify throw; cycles are cut. */
function stringify(value: unknown): string {
  const replace = (_key: string, v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
    return v;
  };
  try {
    return JSON.stringify(value, replace);
  } catch {
    // Only reached for cycles; marks every repeated object, which is acceptable in a log line.
    const seen = new WeakSet<object>();
    return JSON.stringify(value, (key, v: unknown) => {
      const r = replace(key, v);
      if (typeof r === 'object' && r !== null) {
        if (seen.has(r)) return '[Circular]';
        seen.add(r);
      }
      return r;
    });
  }
}
