import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bin, jobs, repoRoot, runCli, type CliResult } from './cliHarness.js';

/*
 * Error paths of `kuberdd run` that fail before any engine is needed, through the real
 * bin/kuberdd.js in a child process, from an empty working directory.
 */

/**
 * These tests run the build, as users do, but do not build it: others build into the same
 * dist/ concurrently, and `npm test` builds first. A stale build would test old code, so refuse.
 */
function assertCliBuilt(): void {
  for (const dir of ['src/cli', 'src/common/logging', 'src/common/errors']) {
    for (const file of readdirSync(path.join(repoRoot, dir))) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const source = path.join(repoRoot, dir, file);
      const built = path.join(repoRoot, 'dist', path.relative('src', dir), file.replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) {
        throw new Error(`${built} is missing or older than ${source}: run \`npm run build\` before these tests.`);
      }
    }
  }
}

let cwd: string;

beforeAll(() => {
  assertCliBuilt();
});

afterEach(() => {
  // Nothing may be written to the working directory, not even on failure.
  expect(readdirSync(cwd)).toEqual([]);
  rmSync(cwd, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<CliResult> {
  cwd = mkdtempSync(path.join(tmpdir(), 'kuberdd-cli-errors-'));
  return runCli(args, cwd);
}

describe('kuberdd run, failing before the job starts', () => {
  it('a missing job file: names the absolute path and the working directory', async () => {
    const r = await run('run', 'jobs/wordcount.ts', 'in.txt');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: Job file not found: ${path.join(cwd, 'jobs', 'wordcount.ts')}`);
    expect(r.stderr).toContain(`resolved against the working directory ${cwd}`);
  });

  it('no default export: says how to write one', async () => {
    const r = await run('run', path.join(jobs, 'no-default-export.ts'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: Job file ${path.join(jobs, 'no-default-export.ts')} has no default export. It exports 'main'.`);
    expect(r.stderr).toContain('export default async function main(sc, args) { … }');
  });

  it('a syntax error: file:line:col, the message and the line, without esbuild noise', async () => {
    const file = path.join(jobs, 'syntax-error.ts');
    const r = await run('run', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Syntax error in .*syntax-error\.ts:4:39: Unexpected ";"\n/);
    expect(r.stderr).toContain(`${file}:4:39`);
    expect(r.stderr).toContain('    4 |   const total: number = words.length +;');
    expect(r.stderr).not.toMatch(/Transform failed|ERROR:|esbuild|node_modules/);
  });

  it('a default export that is not a function', async () => {
    const r = await run('run', path.join(jobs, 'default-not-function.ts'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: The default export of job file .*default-not-function\.ts is an object, not a function\./);
    expect(r.stderr).toContain('export default async function main(sc, args) { … }');
  });

  it('a job that throws while being imported: names the file and the line', async () => {
    const file = path.join(jobs, 'throws-on-import.ts');
    const r = await run('run', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: Job file ${file} failed to load: Error: KUBERDD_TEST_INPUT is not set`);
    expect(r.stderr).toContain(`  at ${file}:3:`);
  });

  it('an unknown option: usage error, exit 2', async () => {
    const r = await run('run', '--mastr', 'local[2]', path.join(jobs, 'no-default-export.ts'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error: Unknown option '--mastr'.\nUsage: kuberdd run [options] <job.ts|job.js> [job args…]; see 'kuberdd run --help'.\n",
    );
  });

  it('no job file: usage error, exit 2', async () => {
    const r = await run('run', '--master', 'local[2]');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: No job file given\.\nUsage: kuberdd run/);
  });

  it('--conf without =: usage error, exit 2', async () => {
    const r = await run('run', '--conf', 'spark.default.parallelism', 'job.ts');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: --conf expects key=value (got 'spark.default.parallelism').");
  });
});

describe('kuberdd', () => {
  it('an unknown command: usage, exit 2', async () => {
    const r = await run('submit', 'job.ts');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown command 'submit'\n\nUsage: kuberdd <command>/);
  });

  it('--version and --help answer on stdout', async () => {
    const version = await run('--version');
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^kuberdd \d+\.\d+\.\d+/);
    rmSync(cwd, { recursive: true });
    const help = await run('run', '--help');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('--master <url>');
  });

  it('explains a missing build instead of failing with a module-not-found trace', async () => {
    const unbuilt = mkdtempSync(path.join(tmpdir(), 'kuberdd-unbuilt-'));
    try {
      mkdirSync(path.join(unbuilt, 'bin'));
      copyFileSync(bin, path.join(unbuilt, 'bin', 'kuberdd.js'));
      cwd = mkdtempSync(path.join(tmpdir(), 'kuberdd-cli-errors-'));
      const r = await runCli(['--version'], cwd, { binPath: path.join(unbuilt, 'bin', 'kuberdd.js') });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`kuberdd is not built: run npm install (or npm run build) in ${unbuilt}\n`);
    } finally {
      rmSync(unbuilt, { recursive: true, force: true });
    }
  });
});
