import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseExecutorArgs } from './parseExecutorArgs.js';

const hex = 'ab'.repeat(32);
const dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-exec-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseExecutorArgs', () => {
  it('reads flags, with the environment as fallback', () => {
    const args = parseExecutorArgs(['--nats', 'nats://127.0.0.1:4222', '--app', 'app-1', '--executor-id', 'exec-3', '--cores=2', '--memory', '256', '--log-format', 'json', '--local-dir', '/tmp/x'], {
      KUBERDD_SECRET: hex,
    });
    expect(args).toMatchObject({ help: false, appId: 'app-1', executorId: 'exec-3', cores: 2, memoryMiB: 256, logFormat: 'json', localDir: '/tmp/x', nats: { servers: 'nats://127.0.0.1:4222' } });
    if (args.help) throw new Error('unreachable');
    expect(Buffer.from(args.secret).toString('hex')).toBe(hex);
    const fromEnv = parseExecutorArgs([], { KUBERDD_NATS_URL: 'nats://h:1', KUBERDD_APP_ID: 'app-2', KUBERDD_SECRET: hex, KUBERDD_EXECUTOR_ID: 'e1' });
    expect(fromEnv).toMatchObject({ appId: 'app-2', executorId: 'e1', cores: 1, logFormat: 'text', nats: { servers: 'nats://h:1' } });
  });

  it('reads the secret from --secret-file', () => {
    const file = path.join(dir, 'secret');
    writeFileSync(file, `${hex}\n`);
    const args = parseExecutorArgs(['--nats', 'nats://h:1', '--app', 'a', '--secret-file', file], {});
    expect(args.help === false && Buffer.from(args.secret).toString('hex')).toBe(hex);
  });

  it.each([
    [['--app', 'a'], { KUBERDD_SECRET: hex }, /No NATS server given/],
    [['--nats', 'nats://h:1'], { KUBERDD_SECRET: hex }, /No application given/],
    [['--nats', 'nats://h:1', '--app', 'a.b'], { KUBERDD_SECRET: hex }, /not an application id/],
    [['--nats', 'nats://h:1', '--app', 'a'], {}, /No secret given/],
    [['--nats', 'nats://h:1', '--app', 'a'], { KUBERDD_SECRET: 'abc' }, /at least 16 bytes written as hex/],
    [['--nats', 'nats://h:1', '--app', 'a', '--cores', '0'], { KUBERDD_SECRET: hex }, /--cores must be a whole number >= 1/],
    [['--nats', 'nats://h:1', '--app', 'a', '--secret-file', '/nonexistent/s'], {}, /--secret-file \/nonexistent\/s cannot be read: ENOENT/],
    [['--nats', 'nats://h:1', '--app', 'a', '--bogus', 'x'], { KUBERDD_SECRET: hex }, /Unknown option '--bogus'/],
    [['--nats'], { KUBERDD_SECRET: hex }, /--nats needs a value/],
  ])('%j is refused with a clear message', (argv, env, message) => {
    expect(() => parseExecutorArgs(argv, env)).toThrow(message);
  });

  it('answers --help', () => {
    expect(parseExecutorArgs(['--app', 'x', '--help'], {})).toEqual({ help: true });
  });
});
