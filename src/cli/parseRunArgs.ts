import type { UserInputError } from '../common/errors/UserInputError.js';
import { usageError } from './usageError.js';

/** What `kuberdd run` was asked to do. */
export interface RunArgs {
  readonly help: false;
  readonly master?: string;
  readonly conf: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly quiet: boolean;
  readonly verbose: boolean;
  /** As typed: relative to the working directory. */
  readonly jobFile: string;
  readonly jobArgs: readonly string[];
}

const VALUE_OPTIONS = new Set(['--master', '--conf', '--name', '--nats']);
const FLAG_OPTIONS = new Set(['--quiet', '--verbose']);

/**
 * Parses the arguments after `run`. Like spark-submit, options are only read before the job
 * file: everything after it belongs to the job, even words that look like our options.
 */
export function parseRunArgs(argv: readonly string[]): RunArgs | { readonly help: true } {
  let master: string | undefined;
  let name: string | undefined;
  const conf: Record<string, string> = {};
  let quiet = false;
  let verbose = false;

  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg === '-h' || arg === '--help') return { help: true };

    const eq = arg.indexOf('=');
    const option = eq === -1 ? arg : arg.slice(0, eq);
    if (FLAG_OPTIONS.has(option)) {
      if (eq !== -1) throw fail(`${option} takes no value (got '${arg}').`);
      if (option === '--quiet') quiet = true;
      else verbose = true;
      continue;
    }
    if (!VALUE_OPTIONS.has(option)) throw fail(`Unknown option '${option}'.`);

    let value: string;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      // A following option means the value was forgotten; taking it as the value would hide that.
      if (next === undefined || next.startsWith('--')) throw fail(`${option} needs a value.`);
      value = next;
      i++;
    }
    if (value === '') throw fail(`${option} needs a value.`);

    if (option === '--master') master = value;
    else if (option === '--name') name = value;
    // The NATS server of a local-cluster (or, later, Kubernetes) run: the same as --conf kuberdd.nats.url=<url>.
    else if (option === '--nats') conf['kuberdd.nats.url'] = value;
    else {
      const sep = value.indexOf('=');
      if (sep <= 0) throw fail(`--conf expects key=value (got '${value}').`);
      conf[value.slice(0, sep)] = value.slice(sep + 1);
    }
  }

  const jobFile = argv[i];
  if (jobFile === undefined) throw fail('No job file given.');
  return {
    help: false,
    ...(master === undefined ? {} : { master }),
    ...(name === undefined ? {} : { name }),
    conf,
    quiet,
    verbose,
    jobFile,
    jobArgs: argv.slice(i + 1),
  };
}

const HINT = "Usage: kuberdd run [options] <job.ts|job.js> [job args…]; see 'kuberdd run --help'.";

function fail(problem: string): UserInputError {
  return usageError(problem, HINT);
}
