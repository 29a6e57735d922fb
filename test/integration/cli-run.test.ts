import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jobs, repoRoot, runCli, type CliResult } from './cliHarness.js';

/*
 * `kuberdd run` with real jobs on the real engine (local master), through bin/kuberdd.js in a
 * child process, from an empty working directory.
 */

let cwd: string;

beforeAll(() => {
  // Fail loudly, not with a module-not-found trace, while the engine is not built.
  const engine = path.join(repoRoot, 'dist', 'driver', 'SparkContext.js');
  if (!existsSync(engine)) throw new Error(`${engine} is missing: build the engine (npm run build) before these tests.`);
  if (!existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js is missing: run npm run build.');
});

afterEach(() => {
  expect(readdirSync(cwd)).toEqual([]);
  rmSync(cwd, { recursive: true, force: true });
});

async function run(args: string[], onStdout?: (stdout: string, child: ChildProcess) => void): Promise<CliResult> {
  cwd = mkdtempSync(path.join(tmpdir(), 'kuberdd-cli-run-'));
  return runCli(args, cwd, onStdout ? { onStdout } : {});
}

describe('kuberdd run with the engine', () => {
  it('runs a job, passes it the args after the job file verbatim and prints a summary', async () => {
    const r = await run(['run', '--master', 'local[2]', path.join(jobs, 'count.ts'), 'in.txt', '--master', 'x']);
    expect(r.stderr).toMatch(/^Summary: 1 job, \d+ stages?, \d+ tasks? in [\d.]+ m?s\n/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('count=3\nargs=["in.txt","--master","x"]\n');
  });

  it('prints no summary with --quiet', async () => {
    const r = await run(['run', '--quiet', path.join(jobs, 'count.ts')]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('count=3');
  });

  it("reports a failed task with its stage, partition and the user's line", async () => {
    const file = path.join(jobs, 'map-throws.ts');
    const r = await run(['run', '--master', 'local[2]', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Job failed: RangeError: bad record 3\n');
    // The user frame comes from the engine's FailureSite, right under the stage line.
    expect(r.stderr).toMatch(/\n {2}in stage \d+, partition 1 \(after \d+ attempts?\)\n {2}at \S.*\n/);
    // The executor's stack only with --verbose.
    expect(r.stderr).not.toContain('Executor stack trace');
    const verbose = await run(['run', '--verbose', '--master', 'local[2]', file]);
    expect(verbose.stderr).toContain('Executor stack trace:');
  });

  it("reports an error thrown by the job's own code with its frame", async () => {
    const file = path.join(jobs, 'main-throws.ts');
    const r = await run(['run', '--quiet', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: usage: main-throws <input>\n  at main (${file}:7:11)\n`);
  });

  it('rejects an invalid master', async () => {
    const r = await run(['run', '--master', 'yarn', path.join(jobs, 'count.ts')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*yarn/);
  });

  it('stops the context on Ctrl-C and exits 130', async () => {
    let sent = false;
    const r = await run(['run', '--quiet', path.join(jobs, 'sleeps.ts')], (stdout, child) => {
      if (!sent && stdout.includes('started')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Interrupted: stopping the job');
  });
});
