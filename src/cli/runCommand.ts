import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../common/logging/createLogger.js';
import type { SparkContext, SparkContextOptions } from '../driver/SparkContext.js';
import { formatError } from './formatError.js';
import { JobSummary } from './JobSummary.js';
import { loadJob, type LoadedJob } from './loadJob.js';
import { parseRunArgs } from './parseRunArgs.js';
import { ProgressBar } from './ProgressBar.js';
import { runUsage } from './runUsage.js';
import { isUsageError } from './usageError.js';

/** The process's streams, environment and directory, passed in so that tests can supply their own. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export type CreateContext = (options: SparkContextOptions) => SparkContext | Promise<SparkContext>;

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

/**
 * `kuberdd run`: loads the job file, runs its default export against a fresh SparkContext and
 * returns the exit code. The context is always stopped, whether the job succeeds, fails or is
 * interrupted with Ctrl-C.
 */
export async function runCommand(argv: readonly string[], io: CliIo, createContext: CreateContext = newSparkContext): Promise<number> {
  let verbose = false;
  const fail = (error: unknown): number => {
    io.stderr.write(`${formatError(error, { verbose, env: io.env, cwd: io.cwd })}\n`);
    return isUsageError(error) ? EXIT_USAGE : EXIT_FAILED;
  };

  let args;
  try {
    args = parseRunArgs(argv);
  } catch (error) {
    return fail(error);
  }
  if (args.help) {
    io.stdout.write(`${runUsage}\n`);
    return EXIT_OK;
  }
  verbose = args.verbose;

  // ProgressBar draws nothing on a stream that is not a TTY; --quiet hands it one.
  const progress = new ProgressBar(args.quiet ? { isTTY: false, write: () => true } : io.stderr);
  const summary = new JobSummary();
  // Log lines go through the bar so that they never land in the middle of it.
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      progress.clear();
      io.stderr.write(chunk);
      callback();
    },
  });

  let sc: SparkContext;
  let job: LoadedJob;
  try {
    const logger = createLogger({ format: 'text', stream: logStream, level: io.env['KUBERDD_LOG_LEVEL'] ?? 'info' });
    job = await loadJob(args.jobFile, io.cwd);
    sc = await createContext({
      master: args.master ?? 'local[*]',
      appName: args.name ?? path.basename(job.path, path.extname(job.path)),
      conf: { ...args.conf },
      jobFile: job.path,
      logger,
    });
  } catch (error) {
    return fail(error);
  }
  sc.addListener(progress.listener);
  sc.addListener(summary.listener);

  const interrupt = onInterrupt();
  // Called as a plain function: as a method, stack traces would name it `Object.main`.
  const main = job.main;
  const running = Promise.resolve()
    .then(() => main(sc, [...args.jobArgs]))
    .then(
      () => ({ kind: 'done' }) as const,
      (error: unknown) => ({ kind: 'failed', error }) as const,
    );
  // Both settle normally; a job still running after Ctrl-C is cancelled by sc.stop() below.
  const outcome = await Promise.race([running, interrupt.promise]);
  interrupt.arm();
  if (outcome.kind === 'interrupted') {
    progress.stop();
    io.stderr.write('\nInterrupted: stopping the job (press Ctrl-C again to exit at once)…\n');
  }

  let stopError: unknown;
  try {
    await sc.stop();
  } catch (error) {
    stopError = error;
  } finally {
    interrupt.dispose();
    progress.stop();
  }

  if (outcome.kind === 'interrupted') return EXIT_INTERRUPTED;
  if (!args.quiet) io.stderr.write(`${summary.format()}\n`);
  if (outcome.kind === 'failed') return fail(outcome.error);
  if (stopError !== undefined) return fail(stopError);
  return EXIT_OK;
}

/** Loaded on first use: usage and job-file errors are reported without loading the engine. */
async function newSparkContext(options: SparkContextOptions): Promise<SparkContext> {
  const { SparkContext } = await import('../driver/SparkContext.js');
  return new SparkContext(options);
}

/**
 * The first Ctrl-C (or SIGTERM) resolves `promise` so that the run can stop the context
 * cleanly, executor processes included; once `arm()`ed (while stopping), another exits at
 * once, as users expect from a stuck stop.
 */
function onInterrupt(): { promise: Promise<{ kind: 'interrupted' }>; arm(): void; dispose(): void } {
  let resolve: (value: { kind: 'interrupted' }) => void = () => {};
  const promise = new Promise<{ kind: 'interrupted' }>((r) => (resolve = r));
  const first = (): void => resolve({ kind: 'interrupted' });
  const again = (): void => process.exit(EXIT_INTERRUPTED);
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const s of signals) process.once(s, first);
  return {
    promise,
    arm() {
      for (const s of signals) {
        process.removeListener(s, first);
        process.once(s, again);
      }
    },
    dispose() {
      for (const s of signals) {
        process.removeListener(s, first);
        process.removeListener(s, again);
      }
    },
  };
}
