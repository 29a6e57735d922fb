import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../common/errors/UserInputError.js';
import { listInputFiles } from './listInputFiles.js';

const root = mkdtempSync(join(tmpdir(), 'kuberdd-listInputFiles-'));
afterAll(() => {
  // Restore permissions changed by the permission tests so that the directory can be removed.
  chmodSync(join(root, 'locked'), 0o755);
  rmSync(root, { recursive: true, force: true });
});

function write(rel: string, content = 'x\n'): string {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

// data/: a Hadoop-style output directory.
const a = write('data/part-00000', 'aaa\n');
const b = write('data/part-00001', 'bb\n');
write('data/_SUCCESS', '');
write('data/.part-00000.crc', 'crc');
write('data/sub/nested.txt');
// logs/: dated directories matched by a glob.
const jan = write('logs/2024-01/app.log', 'jan\n');
const feb = write('logs/2024-02/app.log', 'feb\n');
write('logs/2024-02/_temporary/attempt.log');
write('logs/_old/app.log');
const txt1 = write('txt/one.txt');
const txt2 = write('txt/two.txt');
const csv = write('txt/three.csv');
const hiddenExplicit = write('txt/_explicit.txt');
mkdirSync(join(root, 'empty'));
write('onlyhidden/_SUCCESS', '');
mkdirSync(join(root, 'locked'));
write('locked/secret.txt');
symlinkSync(join(root, 'nowhere.txt'), join(root, 'dangling.txt'));
mkdirSync(join(root, 'withdangling'));
write('withdangling/ok.txt');
symlinkSync(join(root, 'nowhere.txt'), join(root, 'withdangling', 'broken.txt'));

function paths(pattern: string): string[] {
  return listInputFiles(pattern).map((f) => f.path);
}

function errorOf(fn: () => unknown): UserInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserInputError);
    return err as UserInputError;
  }
  throw new Error('expected a UserInputError');
}

describe('listInputFiles', () => {
  it('lists a single file with its size', () => {
    expect(listInputFiles(a)).toEqual([{ path: a, size: 4 }]);
  });

  it('lists a directory non-recursively, skipping _ and . names like Hadoop', () => {
    expect(listInputFiles(join(root, 'data'))).toEqual([
      { path: a, size: 4 },
      { path: b, size: 3 },
    ]);
  });

  it('reads a file named explicitly even when its name starts with _', () => {
    expect(paths(hiddenExplicit)).toEqual([hiddenExplicit]);
  });

  it('resolves globs with *, ?, [...] and {a,b}', () => {
    expect(paths(join(root, 'txt', '*.txt'))).toEqual([txt1, txt2]);
    expect(paths(join(root, 'txt', 't?o.*'))).toEqual([txt2]);
    expect(paths(join(root, 'txt', '[o]ne.txt'))).toEqual([txt1]);
    expect(paths(join(root, 'txt', '{one.txt,three.csv}'))).toEqual([txt1, csv]);
  });

  it('resolves ** recursively, skipping hidden names below the literal part', () => {
    expect(paths(join(root, '**', '*.log'))).toEqual([jan, feb]);
  });

  it('lists the files of directories a glob matches', () => {
    expect(paths(join(root, 'logs', '2024-*'))).toEqual([jan, feb]);
  });

  it('resolves a relative glob against the working directory', () => {
    expect(paths(relative(process.cwd(), join(root, 'txt', '*.txt')))).toEqual([txt1, txt2]);
  });

  it('accepts a comma-separated list, sorted and without duplicates, keeping commas inside braces', () => {
    const pattern = `${join(root, 'txt', '{two,one}.txt')}, ${a},${join(root, 'txt')}/*.csv,${txt1}`;
    expect(paths(pattern)).toEqual([a, csv, txt1, txt2].sort());
  });

  it('accepts file: URIs', () => {
    expect(paths(`file://${a}`)).toEqual([a]);
    expect(paths(`file:${a}`)).toEqual([a]);
  });

  it('rejects a path that does not exist, naming it', () => {
    const missing = join(root, 'missing.txt');
    const err = errorOf(() => listInputFiles(missing));
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toBe(`Input path does not exist: ${missing}`);
  });

  it('explains where a relative path was looked for', () => {
    const err = errorOf(() => listInputFiles('no/such/file.txt'));
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toContain('no/such/file.txt');
    expect(err.message).toContain(join(process.cwd(), 'no/such/file.txt'));
    expect(err.message).toContain(`working directory ${process.cwd()}`);
  });

  it('rejects one missing path in a list', () => {
    const err = errorOf(() => listInputFiles(`${a},${join(root, 'nope')}`));
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toContain(join(root, 'nope'));
  });

  it('rejects a glob that matches nothing (hidden names do not count)', () => {
    const pattern = join(root, 'data', '_*');
    const err = errorOf(() => listInputFiles(pattern));
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toContain(`Input pattern matches no files: ${pattern}`);
  });

  it('rejects a directory without files', () => {
    for (const dir of ['empty', 'onlyhidden']) {
      const err = errorOf(() => listInputFiles(join(root, dir)));
      expect(err.code).toBe('INPUT_NOT_FOUND');
      expect(err.message).toContain(`Input directory contains no files: ${join(root, dir)}`);
    }
  });

  it('rejects an empty pattern', () => {
    expect(errorOf(() => listInputFiles(' , ')).code).toBe('INPUT_NOT_FOUND');
  });

  it('rejects other URI schemes with a hint', () => {
    const err = errorOf(() => listInputFiles('s3://bucket/data'));
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toContain('s3: scheme');
  });

  it('rejects a dangling symlink, named or inside a directory', () => {
    const named = errorOf(() => listInputFiles(join(root, 'dangling.txt')));
    expect(named.code).toBe('INPUT_UNREADABLE');
    expect(named.message).toContain(join(root, 'dangling.txt'));
    const inside = errorOf(() => listInputFiles(join(root, 'withdangling')));
    expect(inside.code).toBe('INPUT_UNREADABLE');
    expect(inside.message).toContain(join(root, 'withdangling', 'broken.txt'));
  });

  it('rejects a path that is neither a file nor a directory', () => {
    const err = errorOf(() => listInputFiles('/dev/null'));
    expect(err.code).toBe('INPUT_UNREADABLE');
    expect(err.message).toContain('/dev/null');
  });

  // Root reads files whatever their mode bits, so permission denial cannot be produced as root.
  it.skipIf(process.getuid?.() === 0)('rejects files and directories without read permission', () => {
    const secret = join(root, 'locked', 'secret.txt');
    chmodSync(secret, 0o000);
    const file = errorOf(() => listInputFiles(secret));
    expect(file.code).toBe('INPUT_UNREADABLE');
    expect(file.message).toContain(secret);
    chmodSync(secret, 0o644);
    chmodSync(join(root, 'locked'), 0o000);
    const dir = errorOf(() => listInputFiles(join(root, 'locked')));
    expect(dir.code).toBe('INPUT_UNREADABLE');
    expect(dir.message).toContain(join(root, 'locked'));
  });
});
