import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { stdout, stderr, env, cwd: process.cwd() });
  return { code, stdout: out, stderr: err };
}

describe('kuberdd executor', () => {
  it.each([[['executor', '--help']], [['help', 'executor']]])('%j prints its usage', async (argv) => {
    const r = await cli(argv);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: kuberdd executor --nats <url> --app <id> \[options\]/);
    expect(r.stdout).toContain('--secret-file <file>');
  });

  it('is listed in the main usage', async () => {
    expect((await cli(['--help'])).stdout).toContain('executor --nats <url> --app <id>');
  });

  it('a usage mistake exits 2 and says what is wrong', async () => {
    const r = await cli(['executor', '--nats', 'nats://127.0.0.1:1', '--app', 'a'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No secret given/);
  });
});
