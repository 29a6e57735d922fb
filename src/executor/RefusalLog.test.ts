import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../common/logging/Logger.js';
import { REFUSALS_LOGGED_PER_MINUTE, RefusalLog } from './RefusalLog.js';

afterEach(() => vi.useRealTimers());

describe('RefusalLog', () => {
  it('logs the first refusals of each minute with their reason, then counts the rest', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const lines: [string, Record<string, unknown> | undefined][] = [];
    const warn = (message: string, fields?: Record<string, unknown>): void => void lines.push([message, fields]);
    const logger = { warn } as unknown as Logger;
    const log = new RefusalLog(logger);
    for (let i = 0; i < REFUSALS_LOGGED_PER_MINUTE + 5; i++) log.refused('kuberdd.a.driver', `reason ${i}`);
    expect(lines).toHaveLength(REFUSALS_LOGGED_PER_MINUTE);
    expect(lines[0]).toEqual(['refused a control message', { subject: 'kuberdd.a.driver', reason: 'reason 0' }]);
    vi.setSystemTime(1_000_000 + 61_000);
    log.refused('kuberdd.a.driver', 'later');
    expect(lines.slice(REFUSALS_LOGGED_PER_MINUTE)).toEqual([
      ['more control messages were refused', { count: 5 }],
      ['refused a control message', { subject: 'kuberdd.a.driver', reason: 'later' }],
    ]);
  });
});
