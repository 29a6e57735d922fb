import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserInputError } from '../errors/UserInputError.js';
import { createLogger } from './createLogger.js';

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createLogger json', () => {
  it('writes one object per line with timestamp, level, message and fields', () => {
    const { stream, lines } = capture();
    const log = createLogger({ format: 'json', stream, fields: { app: 'wc' } });
    log.info('stage submitted', { stageId: 3 });
    log.warn('slow');
    const [first, second] = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 'info', message: 'stage submitted', app: 'wc', stageId: 3 });
    expect(Date.parse(String(first?.['timestamp']))).not.toBeNaN();
    expect(second).toMatchObject({ level: 'warn', message: 'slow', app: 'wc' });
    expect(Object.keys(first ?? {}).slice(0, 3)).toEqual(['timestamp', 'level', 'message']);
  });

  it('child loggers add fields without changing the parent', () => {
    const { stream, lines } = capture();
    const log = createLogger({ format: 'json', stream, fields: { app: 'wc' } });
    log.child({ executorId: 'exec-1' }).child({ taskId: 7 }).error('boom');
    log.info('parent');
    const [child, parent] = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(child).toMatchObject({ app: 'wc', executorId: 'exec-1', taskId: 7, level: 'error' });
    expect(parent).not.toHaveProperty('executorId');
  });

  it('keeps fields named like reserved keys, and survives errors, bigints and cycles', () => {
    const { stream, lines } = capture();
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic['self'] = cyclic;
    createLogger({ format: 'json', stream }).info('m', {
      message: 'shadow',
      err: new TypeError('bad'),
      big: 10n,
      cyclic,
    });
    const entry = JSON.parse(lines()[0] ?? '') as Record<string, unknown>;
    expect(entry).toMatchObject({
      message: 'm',
      _message: 'shadow',
      err: { name: 'TypeError', message: 'bad' },
      big: '10',
      cyclic: { name: 'c', self: '[Circular]' },
    });
  });
});

describe('createLogger text', () => {
  it('writes `HH:MM:SS LEVEL message key=value` lines', () => {
    const { stream, lines } = capture();
    const log = createLogger({ format: 'text', stream });
    log.warn('lost executor', { executorId: 'exec-2', reason: 'heartbeat timed out', n: 2 });
    log.error('failed', { stage: { id: 1 } });
    expect(lines()).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d WARN  lost executor executorId=exec-2 reason="heartbeat timed out" n=2$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d ERROR failed stage=\{ id: 1 \}$/),
    ]);
  });

  it('defaults to info and filters lower levels', () => {
    const { stream, lines } = capture();
    const log = createLogger({ format: 'text', stream });
    log.debug('hidden');
    log.info('shown');
    expect(lines()).toEqual([expect.stringContaining('INFO  shown')]);
  });

  it('takes the level from KUBERDD_LOG_LEVEL unless given explicitly', () => {
    vi.stubEnv('KUBERDD_LOG_LEVEL', 'debug');
    const env = capture();
    createLogger({ format: 'text', stream: env.stream }).debug('from env');
    expect(env.lines()).toEqual([expect.stringContaining('DEBUG from env')]);

    const explicit = capture();
    const log = createLogger({ format: 'text', stream: explicit.stream, level: 'error' });
    log.warn('filtered');
    log.error('kept');
    expect(explicit.lines()).toEqual([expect.stringContaining('ERROR kept')]);
  });

  it('rejects an unknown level with a hint', () => {
    expect(() => createLogger({ format: 'text', level: 'verbose' })).toThrow(UserInputError);
    expect(() => createLogger({ format: 'text', level: 'verbose' })).toThrow(/debug, info, warn, error/);
  });
});
