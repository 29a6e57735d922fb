import { inspect } from 'node:util';
import { JobFailedError } from '../common/errors/JobFailedError.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import { findUserFrame } from './findUserFrame.js';

export interface FormatErrorOptions {
  /** Add stack traces (`--verbose`); env `KUBERDD_DEBUG=1` does the same. */
  readonly verbose?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** User frames inside it are shown relative to it. */
  readonly cwd?: string;
}

const MAX_CAUSES = 3;

/**
 * The text the CLI prints when a run fails. A failed task leads with what the user's code threw
 * and where (stage, partition, their own frame), not with the scheduler's own stack; kuberdd's
 * own errors already explain themselves; anything else gets its first frame in the user's code.
 */
export function formatError(error: unknown, options: FormatErrorOptions = {}): string {
  const verbose = options.verbose === true || options.env?.['KUBERDD_DEBUG'] === '1';
  const cwd = options.cwd ?? process.cwd();
  const lines: string[] = [];

  if (error instanceof JobFailedError && error.site !== undefined) {
    const site = error.site;
    const attempts = `${site.attempts} attempt${site.attempts === 1 ? '' : 's'}`;
    lines.push(`Job failed: ${site.remoteName}: ${site.remoteMessage}`);
    lines.push(`  in stage ${site.stageId}, partition ${site.partition} (after ${attempts})`);
    if (site.userFrame !== undefined) lines.push(`  at ${site.userFrame.replace(/^\s*at\s+/, '')}`);
    if (verbose && site.remoteStack !== undefined) {
      lines.push('', 'Executor stack trace:', indent(site.remoteStack));
    }
  } else if (error instanceof KuberddError) {
    lines.push(`error: ${error.message}`);
    if (verbose && error.stack !== undefined) lines.push('', indent(error.stack));
  } else if (error instanceof Error) {
    lines.push(firstLine(error));
    const frame = findUserFrame(error.stack, cwd);
    if (frame !== undefined) lines.push(`  at ${frame}`);
    if (verbose && error.stack !== undefined) lines.push('', indent(error.stack));
  } else {
    lines.push(`error: the job threw a value that is not an Error: ${inspect(error, { depth: 2, breakLength: Infinity })}`);
  }

  // kuberdd's own messages already say what their cause means; repeating it would be noise.
  if (error instanceof Error && (verbose || !(error instanceof KuberddError))) lines.push(...causes(error, verbose));
  return lines.join('\n');
}

function firstLine(error: Error): string {
  const message = error.message.split('\n')[0] ?? '';
  return message === '' ? error.name : `${error.name}: ${message}`;
}

function causes(error: Error, verbose: boolean): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>([error]);
  let cause = error.cause;
  for (let depth = 0; cause !== undefined && !seen.has(cause) && depth < MAX_CAUSES; depth++) {
    seen.add(cause);
    if (cause instanceof Error) {
      out.push(`caused by: ${firstLine(cause)}`);
      if (verbose && cause.stack !== undefined) out.push(indent(cause.stack));
      cause = cause.cause;
    } else {
      out.push(`caused by: ${inspect(cause, { depth: 2, breakLength: Infinity })}`);
      break;
    }
  }
  return out;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
