import { describe, expect, it } from 'vitest';
import { UserInputError } from '../common/errors/UserInputError.js';
import { parseRunArgs } from './parseRunArgs.js';
import { isUsageError } from './usageError.js';

const defaults = { help: false, conf: {}, quiet: false, verbose: false, jobArgs: [] };

describe('parseRunArgs', () => {
  it.each<[string, string[], object]>([
    ['just a job file', ['job.ts'], { ...defaults, jobFile: 'job.ts' }],
    ['--opt value', ['--master', 'local[4]', 'job.ts'], { ...defaults, master: 'local[4]', jobFile: 'job.ts' }],
    ['--opt=value', ['--master=local[*]', '--name=wc', 'job.js'], { ...defaults, master: 'local[*]', name: 'wc', jobFile: 'job.js' }],
    [
      'repeated --conf, = inside the value, last key wins',
      ['--conf', 'a=1', '--conf=b=x=y', '--conf', 'a=2', 'job.ts'],
      { ...defaults, conf: { a: '2', b: 'x=y' }, jobFile: 'job.ts' },
    ],
    ['--conf with an empty value', ['--conf', 'a=', 'job.ts'], { ...defaults, conf: { a: '' }, jobFile: 'job.ts' }],
    ['flags', ['--quiet', '--verbose', 'job.ts'], { ...defaults, quiet: true, verbose: true, jobFile: 'job.ts' }],
    [
      'everything after the job file goes to the job verbatim',
      ['--quiet', 'job.ts', '--master', 'local', 'in.txt', '--', '-x'],
      { ...defaults, quiet: true, jobFile: 'job.ts', jobArgs: ['--master', 'local', 'in.txt', '--', '-x'] },
    ],
    ['-- ends the options', ['--', '--odd-name.ts', 'a'], { ...defaults, jobFile: '--odd-name.ts', jobArgs: ['a'] }],
    ['a value that starts with a single dash', ['--name', '-x-', 'job.ts'], { ...defaults, name: '-x-', jobFile: 'job.ts' }],
    ['--help', ['--help'], { help: true }],
    ['-h even with a job file', ['-h', 'job.ts'], { help: true }],
    ['--help after the job file belongs to the job', ['job.ts', '--help'], { ...defaults, jobFile: 'job.ts', jobArgs: ['--help'] }],
  ])('%s', (_name, argv, expected) => {
    expect(parseRunArgs(argv)).toEqual(expected);
  });

  it.each<[string, string[], RegExp]>([
    ['unknown option', ['--mastr', 'local', 'job.ts'], /Unknown option '--mastr'/],
    ['unknown option with =', ['--bogus=1', 'job.ts'], /Unknown option '--bogus'/],
    ['missing value at the end', ['--master'], /--master needs a value/],
    ['missing value before another option', ['--name', '--quiet', 'job.ts'], /--name needs a value/],
    ['empty value with =', ['--master=', 'job.ts'], /--master needs a value/],
    ['--conf without =', ['--conf', 'spark.x', 'job.ts'], /--conf expects key=value \(got 'spark.x'\)/],
    ['--conf without a key', ['--conf', '=1', 'job.ts'], /--conf expects key=value/],
    ['a flag given a value', ['--quiet=yes', 'job.ts'], /--quiet takes no value/],
    ['no job file', [], /No job file given/],
    ['no job file after options', ['--master', 'local'], /No job file given/],
    ['no job file after --', ['--quiet', '--'], /No job file given/],
  ])('rejects %s with a usage hint', (_name, argv, message) => {
    let error: unknown;
    try {
      parseRunArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect(isUsageError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('Usage: kuberdd run [options] <job.ts|job.js>');
  });
});
