import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, stdout: out, stderr: err };
}

describe('main', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the usage on stdout', async (arg) => {
    const r = await cli(arg);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: kuberdd <command>/);
    expect(r.stdout).toContain('run [options] <job.ts|job.js>');
  });

  it('help run prints the run usage', async () => {
    const r = await cli('help', 'run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: kuberdd run \[options\]/);
  });

  it('--version prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await cli('--version')).toEqual({ code: 0, stdout: `kuberdd ${pkg.version}\n`, stderr: '' });
  });

  it.each([
    [['frobnicate'], /error: unknown command 'frobnicate'/],
    [['--bogus'], /error: unknown option '--bogus'/],
    [['help', 'nope'], /error: unknown command 'nope'/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('Usage: kuberdd <command>');
  });

  it('no command prints the usage on stderr (exit 2)', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: kuberdd <command>/);
  });

  it('dispatches run', async () => {
    const r = await cli('run', '--bogus', 'job.ts');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
  });
});
