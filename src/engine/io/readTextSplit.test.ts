import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../common/errors/UserInputError.js';
import { planTextSplits } from './planTextSplits.js';
import { readTextSplit } from './readTextSplit.js';
import type { TextSplit } from './TextSplit.js';

const dir = mkdtempSync(join(tmpdir(), 'kuberdd-readTextSplit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
function writeTemp(content: string | Buffer, ext = '.txt'): string {
  const path = join(dir, `f${fileCounter++}${ext}`);
  writeFileSync(path, content);
  return path;
}

/** What `textFile` must yield: `split(/\r?\n/)` minus the empty element after a final newline, BOM dropped. */
function expectedLines(content: string): string[] {
  const lines = content.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length > 0 && lines[0]!.startsWith('\uFEFF')) lines[0] = lines[0]!.slice(1);
  return lines;
}

function readAll(splits: readonly TextSplit[], batchSize?: number): string[] {
  const lines: string[] = [];
  for (const split of splits) {
    for (const batch of readTextSplit(split, batchSize)) {
      expect(batch.length).toBeGreaterThan(0);
      if (batchSize !== undefined) expect(batch.length).toBeLessThanOrEqual(batchSize);
      for (const line of batch) lines.push(line);
    }
  }
  return lines;
}

/** Splits of `path` cut at the given offsets (which may repeat, giving empty splits). */
function splitsAt(path: string, size: number, cuts: readonly number[]): TextSplit[] {
  const bounds = [0, ...cuts, size];
  return bounds.slice(0, -1).map((start, index) => ({
    index,
    path,
    start,
    length: bounds[index + 1]! - start,
    compressed: false,
  }));
}

function fixedSizeSplits(path: string, size: number, splitSize: number): TextSplit[] {
  const cuts: number[] = [];
  for (let at = splitSize; at < size; at += splitSize) cuts.push(at);
  return splitsAt(path, size, cuts);
}

/** Reads `content` as one file cut every possible way: every split size, and every 3-way cut. */
function checkEverySplitting(content: string, allCutPairs: boolean): void {
  const path = writeTemp(content);
  const size = Buffer.byteLength(content);
  const expected = expectedLines(content);
  expect(readAll(splitsAt(path, size, []))).toEqual(expected);
  for (let splitSize = 1; splitSize <= size; splitSize++) {
    expect(readAll(fixedSizeSplits(path, size, splitSize)), `split size ${splitSize}`).toEqual(expected);
  }
  if (!allCutPairs) return;
  for (let a = 0; a <= size; a++) {
    for (let b = a; b <= size; b++) {
      expect(readAll(splitsAt(path, size, [a, b])), `cuts ${a},${b}`).toEqual(expected);
    }
  }
}

const samples: Record<string, string> = {
  'LF with trailing newline': 'alpha\nbeta\ngamma\n',
  'no trailing newline': 'alpha\nbeta\ngamma',
  CRLF: 'alpha\r\nbeta\r\n\r\ngamma\r\n',
  'CRLF without trailing newline': 'alpha\r\nbeta',
  'empty lines': '\n\na\n\n\nb\n\n',
  'lone CR kept': 'a\rb\nc\r',
  'multi-byte UTF-8': 'héllo wörld ✓ 😀\n😀😀\nü\n✓',
  'single line': 'x'.repeat(50),
  'only newlines': '\n\n\n',
  'one newline': '\n',
  'byte-order mark': '\uFEFFfirst\nsecond\n',
  'byte-order mark alone': '\uFEFF',
};

describe('readTextSplit exactly-once', () => {
  for (const [name, content] of Object.entries(samples)) {
    it(`reads every line once at every split size and cut pair: ${name}`, () => {
      checkEverySplitting(content, true);
    });
  }

  it('reads an empty file as no lines', () => {
    const path = writeTemp('');
    expect(readAll([{ index: 0, path, start: 0, length: 0, compressed: false }])).toEqual([]);
  });

  it('holds for random contents', () => {
    const piece = fc.constantFrom('a', 'bc', 'xyz ', '\n', '\r', '\r\n', '\n\n', 'é', '✓', '😀', '\uFEFF', '\t');
    const content = fc.oneof(
      fc.array(piece, { maxLength: 30 }).map((p) => p.join('')),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
    );
    fc.assert(
      fc.property(content, (text) => {
        checkEverySplitting(text, false);
      }),
      { numRuns: 150 },
    );
  });

  it('holds for random cut points and batch sizes', () => {
    const path = writeTemp('ab\r\n\ncdé\n😀x\n\nlast line without newline ✓');
    const size = Buffer.byteLength('ab\r\n\ncdé\n😀x\n\nlast line without newline ✓');
    const expected = expectedLines('ab\r\n\ncdé\n😀x\n\nlast line without newline ✓');
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: size }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 4 }),
        (cuts, batchSize) => {
          const sorted = [...cuts].sort((a, b) => a - b);
          expect(readAll(splitsAt(path, size, sorted), batchSize)).toEqual(expected);
        },
      ),
    );
  });

  it('batches lines by batchSize', () => {
    const path = writeTemp('1\n2\n3\n4\n5\n');
    const batches = [...readTextSplit({ index: 0, path, start: 0, length: 10, compressed: false }, 2)];
    expect(batches).toEqual([['1', '2'], ['3', '4'], ['5']]);
  });

  it('rejects a non-positive batch size', () => {
    const path = writeTemp('a\n');
    expect(() => [...readTextSplit({ index: 0, path, start: 0, length: 2, compressed: false }, 0)]).toThrow(
      /batchSize must be a positive integer/,
    );
  });
});

/** Index of the first difference, or -1; cheaper than toEqual on hundreds of thousands of lines. */
function firstDifference(actual: readonly string[], expected: readonly string[]): number {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) if (actual[i] !== expected[i]) return i;
  return -1;
}

describe('readTextSplit on a large file', () => {
  // ~20 MiB: short and long lines dense with multi-byte characters, so reads of 8 MiB and 64 KiB
  // end inside characters, plus one 9 MiB line that forces the buffer to grow and spans splits.
  const lines: string[] = [];
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const alphabet = ['a', 'b', ' ', 'é', 'ü', '✓', '😀', '中'];
  let bytes = 0;
  while (bytes < 20 * 1024 * 1024) {
    if (lines.length === 50_000) lines.push('✓😀é'.repeat(1024 * 1024));
    const length = random(8) === 0 ? random(5000) : random(120);
    let line = '';
    for (let i = 0; i < length; i++) line += alphabet[random(alphabet.length)];
    lines.push(line);
    bytes += Buffer.byteLength(line) + 2;
  }
  const files = [lines.join('\n') + '\n', lines.join('\r\n')].map((content) => ({
    path: writeTemp(content),
    size: Buffer.byteLength(content),
  }));

  for (const maxSplitBytes of [64 * 1024, 1024 * 1024 + 7, 3 * 1024 * 1024, 8 * 1024 * 1024, 64 * 1024 * 1024]) {
    it(`reads every line once in order with maxSplitBytes ${maxSplitBytes}`, () => {
      for (const file of files) {
        const splits = planTextSplits([file], 1, maxSplitBytes);
        expect(splits.length).toBeGreaterThanOrEqual(Math.floor(file.size / maxSplitBytes));
        const actual = readAll(splits);
        expect(actual.length).toBe(lines.length);
        expect(firstDifference(actual, lines)).toBe(-1);
      }
    });
  }
});

describe('readTextSplit on text that is ASCII in some reads and not in others', () => {
  it('decodes every line whichever way each read of the file is decoded', () => {
    // ~20 MiB: 8 MiB reads that hold only ASCII, some multi-byte characters, or a character cut
    // in two by the read's end.
    const lines: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < 20 * 1024 * 1024; i++) {
      const block = Math.floor(bytes / (3 * 1024 * 1024));
      const line = block % 2 === 0 ? `ascii line ${i} ${'x'.repeat(i % 90)}` : `ligne ${i} é✓😀 ${'y'.repeat(i % 50)}`;
      lines.push(line);
      bytes += Buffer.byteLength(line) + 1;
    }
    const content = lines.join('\n') + '\n';
    const path = writeTemp(content);
    const size = Buffer.byteLength(content);
    for (const maxSplitBytes of [size, 5 * 1024 * 1024 + 3]) {
      const actual = readAll(planTextSplits([{ path, size }], 1, maxSplitBytes));
      expect(actual.length).toBe(lines.length);
      expect(firstDifference(actual, lines)).toBe(-1);
    }
  });
});

describe('readTextSplit on gzip files', () => {
  it('reads a .gz file whole as one split', () => {
    const content = 'one\r\ntwo\n\nthree ✓\nfour';
    const raw = gzipSync(content);
    const path = writeTemp(raw, '.gz');
    const splits = planTextSplits([{ path, size: raw.length }], 4, 1);
    expect(splits).toEqual([{ index: 0, path, start: 0, length: raw.length, compressed: true }]);
    expect(readAll(splits)).toEqual(expectedLines(content));
  });

  it('reads concatenated gzip members', () => {
    const raw = Buffer.concat([gzipSync('a\nb'), gzipSync('c\n'), gzipSync('d\n')]);
    const path = writeTemp(raw, '.gz');
    expect(readAll([{ index: 0, path, start: 0, length: raw.length, compressed: true }])).toEqual(['a', 'bc', 'd']);
  });

  it('reads an empty .gz file as no lines', () => {
    const path = writeTemp('', '.gz');
    expect(readAll([{ index: 0, path, start: 0, length: 0, compressed: true }])).toEqual([]);
  });

  it('names the file when it is not gzip data', () => {
    const path = writeTemp('not gzip at all\n', '.gz');
    const read = (): string[] => readAll([{ index: 0, path, start: 0, length: 16, compressed: true }]);
    expect(read).toThrow(UserInputError);
    expect(read).toThrow(`Cannot decompress gzip input file ${path}`);
  });
});

describe('readTextSplit errors', () => {
  it('names a file that disappeared after planning', () => {
    const path = join(dir, 'gone.txt');
    try {
      readAll([{ index: 0, path, start: 0, length: 10, compressed: false }]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UserInputError);
      expect((err as UserInputError).code).toBe('INPUT_UNREADABLE');
      expect((err as UserInputError).message).toContain(path);
      expect((err as UserInputError).message).toContain('ENOENT');
    }
  });
});
