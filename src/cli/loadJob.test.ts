import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { SparkContext } from '../driver/SparkContext.js';
import { findUserFrame } from './findUserFrame.js';
import { loadJob } from './loadJob.js';

let dir: string;
let esm: string;
let cjs: string;

/** Writes a job file into `base` and returns its absolute path. */
function job(base: string, name: string, source: string): string {
  const file = path.join(base, name);
  writeFileSync(file, source);
  return file;
}

async function loadError(file: string, cwd?: string): Promise<UserInputError> {
  const error: unknown = await loadJob(file, cwd).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserInputError);
  return error as UserInputError;
}

const sc = {} as SparkContext;

/**
 * vitest installs its own Error.prepareStackTrace, which bypasses the source maps Node applies
 * to tsx-compiled files; the CLI runs without one, so stack traces are checked that way.
 */
async function withNodeStackTraces<T>(fn: () => Promise<T>): Promise<T> {
  const vitestPrepare = Error.prepareStackTrace;
  Reflect.deleteProperty(Error, 'prepareStackTrace');
  try {
    return await fn();
  } finally {
    if (vitestPrepare !== undefined) Error.prepareStackTrace = vitestPrepare;
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-loadjob-'));
  esm = path.join(dir, 'esm');
  cjs = path.join(dir, 'cjs');
  mkdirSync(esm);
  mkdirSync(cjs);
  writeFileSync(path.join(esm, 'package.json'), '{"type":"module"}');
  writeFileSync(path.join(cjs, 'package.json'), '{"type":"commonjs"}');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadJob loads', () => {
  it.each([
    ['an ES module .ts', 'esm', 'a.ts', 'export default async function main(sc: unknown, args: string[]): Promise<string> { return args.join("+"); }'],
    ['a CommonJS-context .ts', 'cjs', 'b.ts', 'export default async function main(sc: unknown, args: string[]) { return args.join("+"); }'],
    ['an .mts', 'cjs', 'c.mts', 'export default (sc: unknown, args: string[]) => args.join("+");'],
    ['an ES module .js', 'esm', 'd.js', 'export default function main(sc, args) { return args.join("+"); }'],
    ['an .mjs', 'cjs', 'e.mjs', 'export default function main(sc, args) { return args.join("+"); }'],
    ['a .cjs assigning module.exports', 'esm', 'f.cjs', 'module.exports = function main(sc, args) { return args.join("+"); };'],
  ])('%s', async (_name, sub, file, source) => {
    const abs = job(path.join(dir, sub), file, source);
    const loaded = await loadJob(path.join(sub, file), dir);
    expect(loaded.path).toBe(abs);
    expect(await loaded.main(sc, ['x', 'y'])).toBe('x+y');
  });

  it("keeps the job's own line numbers in stack traces, in both module systems", async () => {
    const source = 'type T = { n: number };\n\nexport default async function main() {\n  const t: T = { n: 1 };\n  throw new Error("no " + t.n);\n}\n';
    await withNodeStackTraces(async () => {
      for (const sub of ['esm', 'cjs']) {
        const abs = job(path.join(dir, sub), 'throws.ts', source);
        const { main } = await loadJob(abs);
        const error = await Promise.resolve(main(sc, [])).catch((e: unknown) => e as Error);
        expect(findUserFrame((error as Error).stack, dir)).toBe(`main (${sub}/throws.ts:5:9)`);
      }
    });
  });

  it('runs the .js file asked for even when a .ts sibling exists', async () => {
    job(esm, 'twin.ts', 'export default () => "ts";');
    const abs = job(esm, 'twin.js', 'export default () => "js";');
    expect(await (await loadJob(abs)).main(sc, [])).toBe('js');
  });
});

describe('loadJob explains', () => {
  it('a missing file, naming the absolute path and the working directory', async () => {
    const error = await loadError('nope/job.ts', dir);
    expect(error.message).toContain(`Job file not found: ${path.join(dir, 'nope', 'job.ts')}`);
    expect(error.message).toContain(`'nope/job.ts' was resolved against the working directory ${dir}`);
    const absolute = await loadError(path.join(dir, 'gone.ts'), dir);
    expect(absolute.message).toContain(`Job file not found: ${path.join(dir, 'gone.ts')}\n  (working directory: ${dir})`);
  });

  it('a directory, suggesting a file in it', async () => {
    job(esm, 'wordcount.ts', 'export default () => 1;');
    const error = await loadError('esm', dir);
    expect(error.message).toContain(`${esm} is a directory, not a job file`);
    expect(error.message).toMatch(/e\.g\. kuberdd run esm\/\S+\.(ts|js|cjs)/);
  });

  it('a file that is not JavaScript or TypeScript', async () => {
    const error = await loadError(job(esm, 'job.py', 'print(1)'));
    expect(error.message).toMatch(/job\.py is not a TypeScript or JavaScript file/);
  });

  it('a TypeScript syntax error with file:line:col, the message and the line, without esbuild noise', async () => {
    const abs = job(esm, 'bad.ts', 'export default function main(sc: unknown) {\n  const x: = 3;\n}\n');
    const error = await loadError(abs);
    expect(error.message).toMatch(new RegExp(`^Syntax error in ${escape(abs)}:2:12: Unexpected "="\n`));
    expect(error.message).toContain('  const x: = 3;');
    expect(error.message).not.toMatch(/Transform failed|ERROR:/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('a JavaScript syntax error in an .mjs, which Node reports without a position', async () => {
    const abs = job(esm, 'bad.mjs', 'const a = 1;\nexport default function main() {\n  return a +;\n}\n');
    const error = await loadError(abs);
    expect(error.message).toContain(`Syntax error in ${abs}:3:13: Unexpected token ';'`);
    expect(error.message).toMatch(/return a \+;\n\s+\|\s{13}\^/);
  });

  it('a syntax error in a module the job imports', async () => {
    const helper = job(esm, 'helper.ts', 'export const f = (: number) => 1;\n');
    const abs = job(esm, 'uses-helper.ts', 'import { f } from "./helper.js";\nexport default () => f();\n');
    const error = await loadError(abs);
    expect(error.message).toMatch(new RegExp(`^Syntax error in ${escape(helper)}:1:\\d+: `));
    expect(error.message).toContain(`(in a module imported by the job file ${abs})`);
  });

  it('top-level await in a CommonJS-context .ts, with how to make it a module', async () => {
    const error = await loadError(job(cjs, 'tla.ts', 'await Promise.resolve();\nexport default () => 1;\n'));
    expect(error.message).toMatch(/Top-level await/);
    expect(error.message).toMatch(/rename it to \.mts, or add "type": "module"/);
  });

  it('a job that throws while being imported, naming the file and keeping the cause', async () => {
    const abs = job(esm, 'boom.ts', 'const port: number = 0;\nif (!port) throw new RangeError("PORT is not set");\nexport default () => 1;\n');
    const error = await withNodeStackTraces(() => loadError(abs));
    expect(error.message).toContain(`Job file ${abs} failed to load: RangeError: PORT is not set`);
    expect(error.message).toContain(`at ${abs}:2:18`);
    expect((error.cause as Error).message).toBe('PORT is not set');
  });

  it('an import that cannot be resolved', async () => {
    const abs = job(esm, 'dep.ts', 'import "./missing-helper.js";\nexport default () => 1;\n');
    const error = await loadError(abs);
    expect(error.message).toContain(`Job file ${abs} failed to load`);
    expect(error.message).toMatch(/missing-helper/);
    expect(error.message).toMatch(/Check the import path/);
  });

  it.each([
    ['esm', 'named.ts', 'export async function main() {}\nexport const x = 1;\n', /exports 'main', 'x'.*export default function main/s],
    ['cjs', 'named.ts', 'export const x = 1;\n', /exports 'x'/],
    ['esm', 'empty.ts', 'const x = 1;\n', /It exports nothing/],
  ])('a missing default export (%s/%s)', async (sub, file, source, detail) => {
    const abs = job(path.join(dir, sub), file, source);
    const error = await loadError(abs);
    expect(error.message).toContain(`Job file ${abs} has no default export`);
    expect(error.message).toMatch(detail);
    expect(error.message).toContain('export default async function main(sc, args) { … }');
  });

  it.each([
    ['a number', 'export default 42;', /is a number \(42\), not a function/],
    ['an object', 'export default { main() {} };', /is an object, not a function/],
    ['a class', 'export default class Job {}', /is a class/],
  ])('a default export that is %s', async (_name, source, detail) => {
    const abs = job(esm, `notfn-${_name.replace(/\W/g, '')}.ts`, source);
    const error = await loadError(abs);
    expect(error.message).toMatch(detail);
    expect(error.message).toContain('export default async function main(sc, args) { … }');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
