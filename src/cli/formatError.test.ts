import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ClosureError } from '../common/errors/ClosureError.js';
import { JobFailedError, type FailureSite } from '../common/errors/JobFailedError.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import { formatError } from './formatError.js';

const own = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'driver', 'RDD.js');

const site: FailureSite = {
  jobId: 0,
  stageId: 2,
  partition: 5,
  attempts: 4,
  userFrame: 'at wordcount.ts:12:7',
  remoteName: 'TypeError',
  remoteMessage: "Cannot read properties of undefined (reading 'length')",
  remoteStack: "TypeError: Cannot read properties of undefined (reading 'length')\n    at wordcount.ts:12:7\n    at executor.js:1:1",
};

describe('formatError', () => {
  it('leads a task failure with the remote error, where it happened and the user frame', () => {
    const error = new JobFailedError('Job 0 aborted', site);
    expect(formatError(error, { env: {} })).toBe(
      [
        "Job failed: TypeError: Cannot read properties of undefined (reading 'length')",
        '  in stage 2, partition 5 (after 4 attempts)',
        '  at wordcount.ts:12:7',
      ].join('\n'),
    );
  });

  it('adds the executor stack with --verbose or KUBERDD_DEBUG=1, not otherwise', () => {
    const error = new JobFailedError('Job 0 aborted', site);
    for (const options of [{ verbose: true }, { env: { KUBERDD_DEBUG: '1' } }]) {
      const text = formatError(error, options);
      expect(text).toContain('Executor stack trace:\n    TypeError: Cannot read');
      expect(text).toContain('    at executor.js:1:1');
    }
    expect(formatError(error, { env: { KUBERDD_DEBUG: '0' } })).not.toContain('executor.js');
  });

  it('handles a site with one attempt and no user frame', () => {
    const { userFrame: _omit, ...rest } = site;
    const text = formatError(new JobFailedError('x', { ...rest, attempts: 1 }));
    expect(text).toBe("Job failed: TypeError: Cannot read properties of undefined (reading 'length')\n  in stage 2, partition 5 (after 1 attempt)");
  });

  it.each([
    [new UserInputError("Invalid master 'lokal'."), "error: Invalid master 'lokal'."],
    [new ClosureError('map() closes over `db`, which cannot be shipped.'), 'error: map() closes over `db`, which cannot be shipped.'],
    [new JobFailedError('Job 3 failed: stage 1 could not be computed'), 'error: Job 3 failed: stage 1 could not be computed'],
  ])('prints kuberdd errors as `error: <message>` (%s)', (error, expected) => {
    expect(formatError(error)).toBe(expected);
  });

  it("does not repeat a kuberdd error's cause unless verbose", () => {
    const error = new UserInputError('Job file /j.ts failed to load: RangeError: PORT', { cause: new RangeError('PORT') });
    expect(formatError(error)).toBe('error: Job file /j.ts failed to load: RangeError: PORT');
    expect(formatError(error, { verbose: true })).toMatch(/caused by: RangeError: PORT\n {4}RangeError: PORT\n {8}at /);
  });

  it("shows other errors with the user's first own frame, skipping node, node_modules and kuberdd", () => {
    const error = new TypeError('sc.paralelize is not a function');
    error.stack = [
      'TypeError: sc.paralelize is not a function',
      '    at helper (/app/node_modules/lib/index.js:1:1)',
      `    at run (${own}:10:3)`,
      '    at main (/app/jobs/wc.ts:4:6)',
      '    at node:internal/process/task_queues:95:5',
    ].join('\n');
    expect(formatError(error, { cwd: '/app' })).toBe('TypeError: sc.paralelize is not a function\n  at main (jobs/wc.ts:4:6)');
    expect(formatError(error, { cwd: '/app', verbose: true })).toContain(`    at run (${own}:10:3)`);
  });

  it('follows causes of other errors', () => {
    const error = new Error('could not save', { cause: new Error('EACCES: permission denied', { cause: 'disk' }) });
    error.stack = 'Error: could not save';
    expect(formatError(error)).toBe("Error: could not save\ncaused by: Error: EACCES: permission denied\ncaused by: 'disk'");
  });

  it('describes thrown values that are not errors', () => {
    expect(formatError('oops')).toBe("error: the job threw a value that is not an Error: 'oops'");
    expect(formatError({ code: 42 })).toBe('error: the job threw a value that is not an Error: { code: 42 }');
  });
});
