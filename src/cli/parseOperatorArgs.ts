import { usageError } from './usageError.js';

const VALUE_OPTIONS = new Set(['--namespace', '--kubeconfig', '--metrics-port', '--leader-elect-namespace', '--lease-name', '--default-nats-url', '--driver-command', '--concurrency', '--log-format']);
const FLAGS = new Set(['--all-namespaces', '--leader-elect']);
const HINT = "Usage: kuberdd operator [--namespace <ns>,… | --all-namespaces] [options]; see 'kuberdd operator --help'.";
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** What `kuberdd operator` was asked to do. */
export interface OperatorArgs {
  readonly namespaces: readonly string[] | undefined;
  readonly kubeconfig: string | undefined;
  readonly metricsPort: number;
  readonly leaderElect: boolean;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly defaultNatsUrl: string | undefined;
  readonly driverCommand: readonly string[];
  readonly concurrency: number;
  readonly logFormat: 'json' | 'text';
}

export function parseOperatorArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): OperatorArgs | { readonly help: true } {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { help: true };
    if (FLAGS.has(arg)) {
      flags.add(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const option = eq === -1 ? arg : arg.slice(0, eq);
    if (!VALUE_OPTIONS.has(option)) throw usageError(arg.startsWith('-') ? `Unknown option '${option}'.` : `Unexpected argument '${arg}'.`, HINT);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw usageError(`${option} needs a value.`, HINT);
    values.set(option, [...(values.get(option) ?? []), value]);
  }
  const one = (option: string): string | undefined => values.get(option)?.at(-1);

  const listed = values.get('--namespace')?.flatMap((v) => v.split(',')).map((ns) => ns.trim()).filter((ns) => ns !== '');
  if (listed !== undefined && flags.has('--all-namespaces')) throw usageError('--namespace and --all-namespaces exclude each other: pick one.', HINT);
  for (const ns of listed ?? []) if (!DNS_LABEL.test(ns)) throw usageError(`--namespace '${ns}' is not a namespace name (lower-case letters, digits and '-').`, HINT);

  const metricsPort = integer(one('--metrics-port') ?? '8080', '--metrics-port', 0, 65535);
  const concurrency = integer(one('--concurrency') ?? '4', '--concurrency', 1, 256);
  const logFormat = one('--log-format') ?? 'json';
  if (logFormat !== 'json' && logFormat !== 'text') throw usageError(`--log-format must be json or text, not '${logFormat}'.`, HINT);

  let driverCommand: readonly string[] = ['kuberdd', 'driver'];
  const command = one('--driver-command');
  if (command !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(command);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string')) {
      throw usageError(`--driver-command must be a JSON array of strings, such as '["kuberdd","driver"]', not ${command}.`, HINT);
    }
    driverCommand = parsed as string[];
  }
  const nats = one('--default-nats-url') ?? (env['KUBERDD_NATS_URL']?.trim() || undefined);
  if (nats !== undefined && !/^(nats|tls):\/\/\S+$/.test(nats)) throw usageError(`--default-nats-url must be a nats:// or tls:// URL, not '${nats}'.`, HINT);

  return {
    namespaces: flags.has('--all-namespaces') ? undefined : listed,
    kubeconfig: one('--kubeconfig'),
    metricsPort,
    leaderElect: flags.has('--leader-elect'),
    leaseNamespace: one('--leader-elect-namespace') ?? (env['POD_NAMESPACE']?.trim() || 'default'),
    leaseName: one('--lease-name') ?? 'kuberdd-operator',
    defaultNatsUrl: nats,
    driverCommand,
    concurrency,
    logFormat,
  };
}

function integer(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw usageError(`${option} must be a whole number from ${min} to ${max}, not '${value}'.`, HINT);
  return n;
}
