import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import type { UserInputError } from '../common/errors/UserInputError.js';
import { parseNatsConnectOptions, type NatsConnectOptions } from '../transport/NatsConnectOptions.js';
import { usageError } from './usageError.js';

/** What `kuberdd executor` was asked to do. */
export interface ExecutorArgs {
  readonly help: false;
  readonly nats: NatsConnectOptions;
  readonly appId: string;
  readonly executorId: string;
  readonly cores: number;
  readonly secret: Uint8Array;
  readonly localDir: string;
  readonly memoryMiB: number | undefined;
  readonly logFormat: 'json' | 'text';
}

const NATS_OPTIONS = ['--nats', '--nats-user', '--nats-password', '--nats-token', '--nats-tls-ca', '--nats-tls-cert', '--nats-tls-key'];
const VALUE_OPTIONS = new Set([...NATS_OPTIONS, '--app', '--executor-id', '--cores', '--secret-file', '--local-dir', '--memory', '--log-format']);
const ID = /^[A-Za-z0-9_-]{1,128}$/;
const MIN_SECRET_BYTES = 16;

/**
 * Parses the arguments after `executor`. Settings given to every executor of an application
 * also come from the environment: KUBERDD_APP_ID, KUBERDD_SECRET (hex), KUBERDD_NATS_URL and
 * the other NATS variables, KUBERDD_EXECUTOR_ID, KUBERDD_LOCAL_DIR; a flag wins.
 */
export function parseExecutorArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ExecutorArgs | { readonly help: true } {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { help: true };
    const eq = arg.indexOf('=');
    const option = eq === -1 ? arg : arg.slice(0, eq);
    if (!VALUE_OPTIONS.has(option)) throw fail(arg.startsWith('-') ? `Unknown option '${option}'.` : `Unexpected argument '${arg}'.`);
    let value: string | undefined;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw fail(`${option} needs a value.`);
      i++;
    }
    if (value === '') throw fail(`${option} needs a value.`);
    values.set(option, value);
  }

  const natsFlags: Record<string, string | undefined> = {};
  for (const o of NATS_OPTIONS) if (values.has(o)) natsFlags[o] = values.get(o);
  const nats = parseNatsConnectOptions(natsFlags, env as NodeJS.ProcessEnv);

  const appId = values.get('--app') ?? nonEmpty(env['KUBERDD_APP_ID']);
  if (appId === undefined) throw fail('No application given: pass --app <id> (or set KUBERDD_APP_ID), the id the driver printed.');
  if (!ID.test(appId)) throw fail(`--app '${appId}' is not an application id: use letters, digits, '-' and '_' only.`);

  const executorId = values.get('--executor-id') ?? nonEmpty(env['KUBERDD_EXECUTOR_ID']) ?? defaultExecutorId();
  if (!ID.test(executorId)) throw fail(`--executor-id '${executorId}' is not valid: use 1-128 letters, digits, '-' and '_'.`);

  const cores = positiveInteger(values.get('--cores') ?? '1', '--cores');
  const memory = values.get('--memory');
  const memoryMiB = memory === undefined ? undefined : positiveInteger(memory, '--memory');
  if (memoryMiB !== undefined && memoryMiB < 64) throw fail(`--memory ${memoryMiB}: an executor needs at least 64 MiB.`);

  const logFormat = values.get('--log-format') ?? 'text';
  if (logFormat !== 'json' && logFormat !== 'text') throw fail(`--log-format must be json or text, not '${logFormat}'.`);

  return {
    help: false,
    nats,
    appId,
    executorId,
    cores,
    secret: readSecret(values.get('--secret-file'), env),
    localDir: values.get('--local-dir') ?? nonEmpty(env['KUBERDD_LOCAL_DIR']) ?? tmpdir(),
    memoryMiB,
    logFormat,
  };
}

/** The application's secret, hex-encoded in a file or in KUBERDD_SECRET. */
function readSecret(file: string | undefined, env: Readonly<Record<string, string | undefined>>): Uint8Array {
  let text: string;
  let from: string;
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw fail(`--secret-file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
    }
    from = `--secret-file ${file}`;
  } else {
    const value = nonEmpty(env['KUBERDD_SECRET']);
    if (value === undefined) throw fail("No secret given: the driver's secret comes in KUBERDD_SECRET or a file named by --secret-file.");
    text = value;
    from = 'KUBERDD_SECRET';
  }
  const hex = text.trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex) || hex.length < 2 * MIN_SECRET_BYTES) {
    throw fail(`The secret in ${from} must be at least ${MIN_SECRET_BYTES} bytes written as hex digits.`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function positiveInteger(value: string, option: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw fail(`${option} must be a whole number >= 1, not '${value}'.`);
  return n;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function defaultExecutorId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
  return `${host}-${randomBytes(3).toString('hex')}`;
}

const HINT = "Usage: kuberdd executor --nats <url> --app <id> [options]; see 'kuberdd executor --help'.";

function fail(problem: string): UserInputError {
  return usageError(problem, HINT);
}
