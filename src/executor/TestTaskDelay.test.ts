import { describe, expect, it } from 'vitest';
import { TestTaskDelay } from './TestTaskDelay.js';

describe('TestTaskDelay', () => {
  it('is off unless the variable is set', () => {
    expect(TestTaskDelay.parse(undefined, 'exec-0').delayMs).toBe(0);
    expect(TestTaskDelay.parse('  ', 'exec-0').delayMs).toBe(0);
  });

  it('takes a plain number for every executor', () => {
    expect(TestTaskDelay.parse('250', 'exec-3').delayMs).toBe(250);
  });

  it('takes executor:ms pairs for the executors named only', () => {
    expect(TestTaskDelay.parse('exec-1:300, exec-2:50', 'exec-1').delayMs).toBe(300);
    expect(TestTaskDelay.parse('exec-1:300, exec-2:50', 'exec-2').delayMs).toBe(50);
    expect(TestTaskDelay.parse('exec-1:300', 'exec-0').delayMs).toBe(0);
  });

  it('refuses malformed values, saying what is expected', () => {
    expect(() => TestTaskDelay.parse('slow', 'exec-0')).toThrow(/KUBERDD_TEST_TASK_DELAY_MS="slow": "slow" is not a whole number.*exec-1:300/);
    expect(() => TestTaskDelay.parse('exec-1:-5', 'exec-0')).toThrow(/"-5" is not a whole number/);
    expect(() => TestTaskDelay.parse(':300', 'exec-0')).toThrow(/is not <executorId>:<ms>/);
  });

  it('sleeps about the delay, and stops early once killed', () => {
    const slow = TestTaskDelay.parse('120', 'exec-0');
    let start = Date.now();
    slow.sleep(() => false);
    expect(Date.now() - start).toBeGreaterThanOrEqual(115);
    start = Date.now();
    slow.sleep(() => Date.now() - start > 30);
    expect(Date.now() - start).toBeLessThan(100);
  });
});
