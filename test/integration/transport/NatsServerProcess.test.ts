// NatsServerProcess (start, stop, restart, errors, no orphan after the parent exits) and
// MessageBus authentication against servers started with --user/--pass and --auth.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MessageBus } from '../../../src/transport/MessageBus.js';
import { NatsServerNotFoundError } from '../../../src/transport/NatsServerNotFoundError.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';
import { NatsServerStartError } from '../../../src/transport/NatsServerStartError.js';
import { eventually, recordingLogger } from './recordingLogger.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Alive and not a zombie (an orphan's zombie lingers until init reaps it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('NatsServerProcess', () => {
  it('starts on a free loopback port, restarts on the same port, and stops', async () => {
    const server = await NatsServerProcess.start();
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    const firstPid = server.pid;
    expect(isRunning(firstPid)).toBe(true);
    const bus = await MessageBus.connect({ servers: server.url }, recordingLogger());
    await bus.flush();
    await bus.close();

    await server.restart();
    expect(isRunning(firstPid)).toBe(false);
    expect(isRunning(server.pid)).toBe(true);
    const again = await MessageBus.connect({ servers: server.url }, recordingLogger());
    await again.close();

    const pid = server.pid;
    await server.stop();
    await server.stop();
    expect(isRunning(pid)).toBe(false);
    await expect(server.restart()).rejects.toThrow(/restart\(\) after stop\(\)/);
  });

  it('applies maxPayload through a config file', async () => {
    await using server = await NatsServerProcess.start({ maxPayload: 64 * 1024 });
    await using bus = await MessageBus.connect({ servers: server.url }, recordingLogger());
    expect(bus.maxPayload).toBe(64 * 1024);
  });

  it('reports an early exit with the server’s own stderr', async () => {
    const error = await NatsServerProcess.start({ extraArgs: ['--no-such-flag'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NatsServerStartError);
    expect((error as Error).message).toMatch(/nats-server exited while starting \(exit code \d+\)/);
    expect((error as NatsServerStartError).stderrTail).toMatch(/no-such-flag/);
  });

  it('throws NatsServerNotFoundError naming the fix when nats-server is not on PATH', async () => {
    const saved = process.env['PATH'];
    process.env['PATH'] = '/nonexistent-dir';
    try {
      const error = await NatsServerProcess.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NatsServerNotFoundError);
      expect((error as Error).message).toBe(
        'nats-server was not found on PATH. Install it: apt-get install -y nats-server, or pass --nats <url> to use a running NATS server.',
      );
    } finally {
      process.env['PATH'] = saved;
    }
  });

  it('does not outlive its parent process', async () => {
    const script = `
      import { NatsServerProcess } from ${JSON.stringify(path.join(repoRoot, 'src/transport/NatsServerProcess.ts'))};
      const server = await NatsServerProcess.start();
      console.log(server.pid);
      process.exit(0);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    expect(child.status, child.stderr).toBe(0);
    const pid = Number(child.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    await eventually(() => !isRunning(pid), `nats-server ${pid} is gone`, 5000);
  });
});

describe('MessageBus authentication', () => {
  it('connects with user and password, and refuses wrong ones with AUTH_FAILED', async () => {
    await using server = await NatsServerProcess.start({ extraArgs: ['--user', 'kuberdd', '--pass', 's3cret'] });
    await using bus = await MessageBus.connect({ servers: server.url, user: 'kuberdd', pass: 's3cret' }, recordingLogger());
    await bus.flush();
    const started = Date.now();
    await expect(MessageBus.connect({ servers: server.url, user: 'kuberdd', pass: 'wrong' }, recordingLogger())).rejects.toMatchObject({
      name: 'TransportError',
      code: 'AUTH_FAILED',
      message: expect.stringMatching(/refused the credentials .*check --nats-user\/--nats-password or --nats-token/),
    });
    await expect(MessageBus.connect({ servers: server.url }, recordingLogger())).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    // Not retried like an unreachable server.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('connects with a token, and refuses a wrong one with AUTH_FAILED', async () => {
    await using server = await NatsServerProcess.start({ extraArgs: ['--auth', 'tok-123'] });
    await using bus = await MessageBus.connect({ servers: server.url, token: 'tok-123' }, recordingLogger());
    const sub = bus.subscribe('t.auth', (m) => void m.respond(m.data));
    await bus.flush();
    expect(await bus.request('t.auth', new Uint8Array([42]), { timeoutMs: 5000 })).toEqual(new Uint8Array([42]));
    sub.unsubscribe();
    await expect(MessageBus.connect({ servers: server.url, token: 'nope' }, recordingLogger())).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });
});
