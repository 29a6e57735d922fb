import { UserInputError } from '../common/errors/UserInputError.js';

/** The environment variable an executor process reads its test task delay from. */
export const TEST_TASK_DELAY_ENV = 'KUBERDD_TEST_TASK_DELAY_MS';

const SLICE_MS = 20;

/**
 * A testing knob, never on unless the variable is set: makes an executor's task thread sleep
 * before each task, to stand for a slow machine (the straggler test). `KUBERDD_TEST_TASK_DELAY_MS`
 * is either a number of milliseconds, for every executor, or `<executorId>:<ms>` pairs separated
 * by commas, for the executors named (`exec-1:300` slows only exec-1). The sleep ends early when
 * the task is killed, as a busy task would stop at its next batch.
 */
export class TestTaskDelay {
  private constructor(readonly delayMs: number) {}

  /** The delay for `executorId` from the variable's value; 0 when it is unset or names other executors. */
  static parse(value: string | undefined, executorId: string): TestTaskDelay {
    if (value === undefined || value.trim() === '') return new TestTaskDelay(0);
    const bad = (why: string): UserInputError =>
      new UserInputError(`${TEST_TASK_DELAY_ENV}=${JSON.stringify(value)}: ${why}; expected milliseconds (e.g. 300) or <executorId>:<ms> pairs separated by commas (e.g. exec-1:300)`, {
        code: 'BAD_TEST_TASK_DELAY',
      });
    const ms = (text: string): number => {
      const n = Number(text.trim());
      if (text.trim() === '' || !Number.isInteger(n) || n < 0) throw bad(`${JSON.stringify(text.trim())} is not a whole number of milliseconds >= 0`);
      return n;
    };
    if (!value.includes(':')) return new TestTaskDelay(ms(value));
    let delay = 0;
    for (const entry of value.split(',')) {
      const at = entry.lastIndexOf(':');
      if (at <= 0) throw bad(`${JSON.stringify(entry.trim())} is not <executorId>:<ms>`);
      const n = ms(entry.slice(at + 1));
      if (entry.slice(0, at).trim() === executorId) delay = n;
    }
    return new TestTaskDelay(delay);
  }

  /** Sleeps the thread for the delay, in short slices, returning early once `killed()` says so. */
  sleep(killed: () => boolean): void {
    if (this.delayMs <= 0) return;
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const until = Date.now() + this.delayMs;
    for (let left = this.delayMs; left > 0 && !killed(); left = until - Date.now()) Atomics.wait(cell, 0, 0, Math.min(SLICE_MS, left));
  }
}
