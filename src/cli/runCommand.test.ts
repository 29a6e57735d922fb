import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobCancelledError } from '../common/errors/JobCancelledError.js';
import { JobFailedError } from '../common/errors/JobFailedError.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { Logger } from '../common/logging/Logger.js';
import type { SparkContext } from '../driver/SparkContext.js';
import { emptyTaskMetrics } from '../engine/TaskMetrics.js';
import type { SparkListener } from '../scheduler/SparkListenerEvent.js';
import { runCommand, type CreateContext } from './runCommand.js';

/**
 * Stands in for SparkContext: records how it was created and stopped, and offers the jobs
 * below a few "actions" that emit the scheduler events a real one would.
 */
class FakeContext {
  readonly listeners: SparkListener[] = [];
  stops = 0;
  args: string[] | undefined;
  stopError: Error | undefined;
  private onStop: (() => void)[] = [];

  constructor(readonly options: { master?: string; appName?: string; conf?: Record<string, string>; jobFile?: string; logger?: Logger }) {}

  addListener(listener: SparkListener): void {
    this.listeners.push(listener);
  }

  async stop(): Promise<void> {
    this.stops++;
    for (const f of this.onStop) f();
    if (this.stopError !== undefined) throw this.stopError;
  }

  /** A one-stage job of `tasks` tasks, `failed` of which fail. */
  count(tasks: number, failed = 0): number {
    const emit = (e: Parameters<SparkListener>[0]): void => this.listeners.forEach((l) => l(e));
    emit({ type: 'jobStart', jobId: 0, description: 'count', stageIds: [0], time: 0 });
    emit({ type: 'stageSubmitted', stageId: 0, attempt: 0, name: 'count', numTasks: tasks, numPartitions: tasks, time: 0 });
    for (let p = 0; p < tasks; p++) {
      const metrics = { ...emptyTaskMetrics(), shuffleBytesWritten: 2048, recordsRead: 10 };
      const base = { stageId: 0, taskId: p, partition: p, attempt: 0, executorId: 'driver' };
      emit({ type: 'taskStart', ...base, speculative: false });
      emit({ type: 'taskEnd', ...base, successful: p >= failed, ...(p < failed ? { reason: 'Error: x' } : {}), metrics, durationMs: 1 });
    }
    const failure = failed > 0 ? { failureReason: 'Error: x' } : {};
    emit({ type: 'stageCompleted', stageId: 0, attempt: 0, name: 'count', numTasks: tasks, ...failure, metrics: emptyTaskMetrics(), time: 0 });
    emit({ type: 'jobEnd', jobId: 0, succeeded: failed === 0, time: 0 });
    return tasks;
  }

  /** An action that never finishes on its own, like a long job; stopping the context cancels it. */
  hang(): Promise<never> {
    return new Promise((_, reject) => this.onStop.push(() => reject(new JobCancelledError('Job 0 cancelled: the context was stopped'))));
  }
}

let dir: string;
const jobs = {
  ok: 'export default async function main(sc, args) { sc.args = args; sc.count(4); }',
  failsTask: `export default async function main(sc) {
  sc.count(2, 2);
  throw sc.jobFailed;
}`,
  throws: 'export default function main() {\n  throw new TypeError("input path missing");\n}',
  logs: 'export default function main(sc) { sc.options.logger.warn("careful", { n: 1 }); sc.options.logger.debug("hidden"); }',
  hangs: 'export default async function main(sc) { await sc.hang(); }',
  noDefault: 'export const x = 1;',
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-run-'));
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  for (const [name, source] of Object.entries(jobs)) writeFileSync(path.join(dir, `${name}.js`), source);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  argv: string[],
  configure: (sc: FakeContext) => void = () => {},
  whileRunning?: () => void,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; contexts: FakeContext[] }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const contexts: FakeContext[] = [];
  const createContext: CreateContext = (options) => {
    const sc = new FakeContext(options);
    (sc as unknown as { jobFailed: unknown }).jobFailed = new JobFailedError('Job 0 aborted', {
      jobId: 0,
      stageId: 0,
      partition: 1,
      attempts: 4,
      userFrame: 'at job.ts:3:11',
      remoteName: 'TypeError',
      remoteMessage: 'line.split is not a function',
    });
    configure(sc);
    contexts.push(sc);
    return sc as unknown as SparkContext;
  };
  const running = runCommand(argv, { stdout, stderr, env, cwd: dir }, createContext);
  whileRunning?.();
  const code = await running;
  return { code, stdout: out, stderr: err, contexts };
}

describe('runCommand', () => {
  it('runs the job with a context built from the options, passes its args verbatim, stops the context and sums up', async () => {
    const r = await run(['--master', 'local[2]', '--conf', 'a=1', 'ok.js', 'in.txt', '--master', 'x']);
    expect(r.code).toBe(0);
    const [sc] = r.contexts;
    expect(sc?.options).toMatchObject({ master: 'local[2]', appName: 'ok', conf: { a: '1' }, jobFile: path.join(dir, 'ok.js') });
    expect(sc?.args).toEqual(['in.txt', '--master', 'x']);
    expect(sc?.stops).toBe(1);
    expect(r.stderr).toMatch(/^Summary: 1 job, 1 stage, 4 tasks in [\d.]+ m?s\n {2}shuffle 8\.0 KiB written, 0 B read\n {2}stage {2}tasks {2}records in .* name\n +0 +4 .* 8\.0 KiB .* count\n$/);
  });

  it('defaults to local[*] and honours --name', async () => {
    const r = await run(['--name', 'wordcount', 'ok.js']);
    expect(r.contexts[0]?.options).toMatchObject({ master: 'local[*]', appName: 'wordcount' });
  });

  it('prints no summary with --quiet', async () => {
    const r = await run(['--quiet', 'ok.js']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('reports a failed task with its site after the summary, stops the context and exits 1', async () => {
    const r = await run(['failsTask.js']);
    expect(r.code).toBe(1);
    expect(r.contexts[0]?.stops).toBe(1);
    expect(r.stderr).toMatch(/^Summary: 1 job \(1 failed\), 1 stage \(1 failed\), 2 tasks \(2 failed\)/);
    expect(r.stderr).toContain(
      'Job failed: TypeError: line.split is not a function\n  in stage 0, partition 1 (after 4 attempts)\n  at job.ts:3:11\n',
    );
  });

  it("reports an error thrown by main with the user's frame", async () => {
    const r = await run(['--quiet', 'throws.js']);
    expect(r.code).toBe(1);
    expect(r.contexts[0]?.stops).toBe(1);
    expect(r.stderr).toMatch(/^TypeError: input path missing\n {2}at main \(throws\.js:2:\d+\)\n$/);
  });

  it('writes log lines as text to stderr, at the level from KUBERDD_LOG_LEVEL', async () => {
    const r = await run(['--quiet', 'logs.js']);
    expect(r.stderr).toMatch(/^\d\d:\d\d:\d\d WARN {2}careful n=1\n$/);
    const debug = await run(['--quiet', 'logs.js'], undefined, undefined, { KUBERDD_LOG_LEVEL: 'debug' });
    expect(debug.stderr).toMatch(/^\d\d:\d\d:\d\d WARN {2}careful n=1\n\d\d:\d\d:\d\d DEBUG hidden\n$/);
  });

  it.each([
    ['an unknown option', ['--bogus', 'ok.js'], 2, /^error: Unknown option '--bogus'\.\nUsage: kuberdd run/],
    ['no job file', [], 2, /^error: No job file given\./],
    ['a missing job file', ['missing.ts'], 1, /^error: Job file not found: .*missing\.ts/],
    ['a job without a default export', ['noDefault.js'], 1, /^error: Job file .*noDefault\.js has no default export/],
  ])('reports %s without creating a context', async (_name, argv, code, message) => {
    const r = await run(argv);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.contexts).toHaveLength(0);
  });

  it('--help prints the run usage on stdout', async () => {
    const r = await run(['--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: kuberdd run/);
  });

  it('reports a context that cannot be created (e.g. a bad master)', async () => {
    const r = await run(['--master', 'yarn', 'ok.js'], () => {
      throw new UserInputError("Invalid master 'yarn': use local, local[N] or local[*].");
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: Invalid master 'yarn': use local, local[N] or local[*].\n");
  });

  it('fails when stopping the context fails after a successful job', async () => {
    const r = await run(['--quiet', 'ok.js'], (sc) => {
      sc.stopError = new Error('could not remove the temp dir');
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: could not remove the temp dir');
  });

  it('stops the context on Ctrl-C and exits 130', async () => {
    const before = process.listenerCount('SIGINT');
    const r = await run(['--quiet', 'hangs.js'], undefined, () => {
      // Once the job is running (after loading), deliver the interrupt the way Node would.
      const poll = setInterval(() => {
        if (process.listenerCount('SIGINT') > before) {
          clearInterval(poll);
          process.emit('SIGINT', 'SIGINT');
        }
      }, 5);
    });
    expect(r.code).toBe(130);
    expect(r.contexts[0]?.stops).toBe(1);
    expect(r.stderr).toContain('Interrupted: stopping the job');
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
