import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findUserFrame } from './findUserFrame.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const own = path.join(root, 'dist', 'driver', 'SparkContext.js');

describe('findUserFrame', () => {
  it('skips node internals, node_modules and kuberdd itself', () => {
    const stack = [
      'Error: boom',
      '    at Object.openSync (node:fs:573:18)',
      '    at Array.map (<anonymous>)',
      '    at wrap (/home/u/proj/node_modules/lodash/lodash.js:10:3)',
      `    at SparkContext.runJob (${own}:40:11)`,
      `    at ${path.join(root, 'src', 'cli', 'runCommand.ts')}:3:1`,
      '    at main (/home/u/proj/job.ts:12:7)',
      '    at later (/home/u/proj/other.ts:1:1)',
    ].join('\n');
    expect(findUserFrame(stack, '/elsewhere')).toBe('main (/home/u/proj/job.ts:12:7)');
  });

  it('shows paths relative to cwd when inside it', () => {
    expect(findUserFrame('E\n    at main (/home/u/proj/jobs/wc.ts:3:9)', '/home/u/proj')).toBe('main (jobs/wc.ts:3:9)');
  });

  it('turns file URLs into paths, drops loader query strings and `async`', () => {
    const url = pathToFileURL('/home/u/proj/job.mjs').href;
    expect(findUserFrame(`E\n    at async ${url}?namespace=123:4:5`, '/')).toBe('home/u/proj/job.mjs:4:5');
    expect(findUserFrame('E\n    at f (/home/u/job.ts?namespace=1700000000:2:3)', '/x')).toBe('f (/home/u/job.ts:2:3)');
  });

  it('leaves out the name of anonymous source-mapped frames', () => {
    expect(findUserFrame('E\n    at <anonymous> (/home/u/job.ts:2:18)', '/x')).toBe('/home/u/job.ts:2:18');
  });

  it('skips eval frames and tolerates frames without a position', () => {
    const stack = 'E\n    at eval (eval at run (/home/u/job.ts:1:1), <anonymous>:1:1)\n    at /home/u/job.ts';
    expect(findUserFrame(stack, '/x')).toBe('/home/u/job.ts');
  });

  it('returns undefined when no frame is the user’s', () => {
    expect(findUserFrame(undefined)).toBeUndefined();
    expect(findUserFrame('Error: x\n    at node:internal/main/run_main_module:28:49')).toBeUndefined();
    expect(findUserFrame('no frames here')).toBeUndefined();
  });
});
