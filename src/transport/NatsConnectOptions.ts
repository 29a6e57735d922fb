import { accessSync, constants, statSync } from 'node:fs';
import { UserInputError } from '../common/errors/UserInputError.js';

/** How to reach and authenticate to NATS; made by parseNatsConnectOptions, used by MessageBus.connect. */
export interface NatsConnectOptions {
  /** "nats://127.0.0.1:4222"; a comma-separated list of nats:// or tls:// URLs is allowed. */
  readonly servers: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  /** Connection name shown by the server (e.g. in its monitoring endpoints). */
  readonly name?: string;
  /**
   * How long MessageBus.connect keeps retrying while the server refuses connections (it may
   * still be starting, as in a fresh pod); default 30 s. Once connected, reconnects never give up.
   */
  readonly connectTimeoutMs?: number;
}

/** Each setting: its flag (as on the command line) and its environment fallback. */
const SETTINGS = {
  servers: { flag: '--nats', env: 'KUBERDD_NATS_URL' },
  user: { flag: '--nats-user', env: 'KUBERDD_NATS_USER' },
  pass: { flag: '--nats-password', env: 'KUBERDD_NATS_PASSWORD' },
  token: { flag: '--nats-token', env: 'KUBERDD_NATS_TOKEN' },
  caFile: { flag: '--nats-tls-ca', env: 'KUBERDD_NATS_TLS_CA' },
  certFile: { flag: '--nats-tls-cert', env: 'KUBERDD_NATS_TLS_CERT' },
  keyFile: { flag: '--nats-tls-key', env: 'KUBERDD_NATS_TLS_KEY' },
} as const;
type Setting = keyof typeof SETTINGS;

/**
 * Reads the NATS connection settings from command-line flags, falling back to environment
 * variables: `--nats` (KUBERDD_NATS_URL), `--nats-user` (KUBERDD_NATS_USER), `--nats-password`
 * (KUBERDD_NATS_PASSWORD), `--nats-token` (KUBERDD_NATS_TOKEN), `--nats-tls-ca`, `--nats-tls-cert`,
 * `--nats-tls-key` (KUBERDD_NATS_TLS_CA / _CERT / _KEY). Flags may be keyed with or without the
 * leading `--` ('--nats' or 'nats'). A flag wins over its variable; an empty variable counts as
 * unset (templated pod specs often leave them empty). Throws UserInputError naming the flag or
 * variable that is wrong and how to fix it.
 */
export function parseNatsConnectOptions(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): NatsConnectOptions {
  const read = (setting: Setting): { value: string; from: string } | undefined => {
    const { flag, env: variable } = SETTINGS[setting];
    const fromFlag = flags[flag] ?? flags[flag.slice(2)];
    if (fromFlag !== undefined) {
      if (fromFlag.trim() === '') throw new UserInputError(`${flag} needs a value.`, { code: 'INVALID_NATS_OPTION' });
      return { value: fromFlag, from: flag };
    }
    const fromEnv = env[variable];
    return fromEnv === undefined || fromEnv.trim() === '' ? undefined : { value: fromEnv, from: `environment variable ${variable}` };
  };

  const servers = read('servers');
  if (servers === undefined) {
    fail('No NATS server given: pass --nats nats://<host>:4222 (or set KUBERDD_NATS_URL).');
  }
  checkServerUrls(servers.value, servers.from);

  const user = read('user');
  const pass = read('pass');
  const token = read('token');
  if (user !== undefined && pass === undefined) fail(`A NATS user is given (${user.from}) but no password: add --nats-password (or KUBERDD_NATS_PASSWORD).`);
  if (pass !== undefined && user === undefined) fail(`A NATS password is given (${pass.from}) but no user: add --nats-user (or KUBERDD_NATS_USER).`);
  if (token !== undefined && user !== undefined) fail(`Both a NATS token (${token.from}) and a user (${user.from}) are given: use one way to authenticate.`);

  const ca = read('caFile');
  const cert = read('certFile');
  const key = read('keyFile');
  if (cert !== undefined && key === undefined) fail(`A TLS client certificate is given (${cert.from}) but no key: add --nats-tls-key (or KUBERDD_NATS_TLS_KEY).`);
  if (key !== undefined && cert === undefined) fail(`A TLS client key is given (${key.from}) but no certificate: add --nats-tls-cert (or KUBERDD_NATS_TLS_CERT).`);
  for (const file of [ca, cert, key]) if (file !== undefined) checkReadableFile(file.value, file.from);

  const tls = ca === undefined && cert === undefined ? undefined : { ...(ca && { caFile: ca.value }), ...(cert && { certFile: cert.value }), ...(key && { keyFile: key.value }) };
  return {
    servers: servers.value.trim(),
    ...(user && { user: user.value }),
    ...(pass && { pass: pass.value }),
    ...(token && { token: token.value }),
    ...(tls && { tls }),
  };
}

function checkServerUrls(list: string, from: string): void {
  const urls = list.split(',').map((u) => u.trim());
  if (urls.some((u) => u === '')) fail(`${from}: empty entry in the NATS server list '${list}'; separate URLs with single commas.`);
  for (const url of urls) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1];
    if (scheme === undefined || !['nats', 'tls'].includes(scheme.toLowerCase())) {
      fail(`${from}: '${url}' is not a NATS URL; write it as nats://<host>:<port> (or tls://<host>:<port> for TLS).`);
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      fail(`${from}: cannot parse '${url}' as a URL; write it as nats://<host>:<port>.`);
    }
    if (parsed.hostname === '') fail(`${from}: '${url}' has no host; write it as nats://<host>:<port>.`);
    if (parsed.pathname !== '' && parsed.pathname !== '/') fail(`${from}: '${url}' has a path (${parsed.pathname}); a NATS URL is only nats://<host>:<port>.`);
  }
}

function checkReadableFile(file: string, from: string): void {
  try {
    if (!statSync(file).isFile()) fail(`${from}: '${file}' is not a file.`);
    accessSync(file, constants.R_OK);
  } catch (e) {
    if (e instanceof UserInputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be read (${code ?? String(e)})`;
    fail(`${from}: the TLS file '${file}' ${why}.`);
  }
}

function fail(message: string): never {
  throw new UserInputError(message, { code: 'INVALID_NATS_OPTION' });
}
