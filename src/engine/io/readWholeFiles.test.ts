import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../common/errors/UserInputError.js';
import { listInputFiles } from './listInputFiles.js';
import { planWholeFileSplits } from './planWholeFileSplits.js';
import { readWholeFiles } from './readWholeFiles.js';

const dir = mkdtempSync(join(tmpdir(), 'kuberdd-readWholeFiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readWholeFiles', () => {
  it('yields [absolute path, content] for every file, gunzipping .gz', () => {
    const content: Record<string, string | Buffer> = {
      'a.txt': 'first\r\nfile ✓ 😀\n',
      'b.txt': '',
      'c.txt.gz': Buffer.concat([gzipSync('gzipped\n'), gzipSync('member two')]),
      'd.txt': '\uFEFFkeeps the byte-order mark',
      _SUCCESS: '',
    };
    for (const [name, data] of Object.entries(content)) writeFileSync(join(dir, name), data);

    const splits = planWholeFileSplits(listInputFiles(dir), 2);
    expect(splits.length).toBe(2);
    const pairs = splits.flatMap((split) => [...readWholeFiles(split)].flat());
    expect(pairs).toEqual([
      [join(dir, 'a.txt'), 'first\r\nfile ✓ 😀\n'],
      [join(dir, 'b.txt'), ''],
      [join(dir, 'c.txt.gz'), 'gzipped\nmember two'],
      [join(dir, 'd.txt'), '\uFEFFkeeps the byte-order mark'],
    ]);
  });

  it('yields nothing for an empty split', () => {
    expect([...readWholeFiles({ index: 0, files: [] })]).toEqual([]);
  });

  it('names a file it cannot read', () => {
    const path = join(dir, 'vanished.txt');
    const read = (): unknown => [...readWholeFiles({ index: 0, files: [{ path, size: 3 }] })];
    expect(read).toThrow(UserInputError);
    expect(read).toThrow(`Cannot read input file ${path}: ENOENT`);
  });

  it('names a .gz file that is not gzip data', () => {
    const path = join(dir, 'bad.gz');
    writeFileSync(path, 'plain text');
    const read = (): unknown => [...readWholeFiles({ index: 0, files: [{ path, size: 10 }] })];
    expect(read).toThrow(`Cannot decompress gzip input file ${path}: incorrect header check`);
  });
});
