import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'espree';
import { require as tsxRequire } from 'tsx/cjs/api';
import { tsImport } from 'tsx/esm/api';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { SparkContext } from '../driver/SparkContext.js';
import { findUserFrame } from './findUserFrame.js';

/** A job's entry point: its file's default export. */
export type JobMain = (sc: SparkContext, args: string[]) => Promise<unknown> | unknown;

export interface LoadedJob {
  readonly main: JobMain;
  /** Absolute path of the job file. */
  readonly path: string;
}

const EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const EXPECTED = 'export default async function main(sc, args) { … }';

/**
 * Imports a job file (TypeScript or JavaScript, compiled on the fly by tsx) and returns its
 * default export. Every way this can go wrong becomes a UserInputError that says what is wrong,
 * in which file, and how to fix it.
 */
export async function loadJob(file: string, cwd: string = process.cwd()): Promise<LoadedJob> {
  const abs = path.resolve(cwd, file);
  checkFile(file, abs, cwd);

  let exports: unknown;
  try {
    exports = isEsm(abs) ? await tsImport(pathToFileURL(abs).href, parentUrl(abs)) : tsxRequire(abs, parentUrl(abs));
  } catch (error) {
    throw importFailure(abs, error, cwd);
  }
  return { main: entryPoint(abs, exports), path: abs };
}

function checkFile(file: string, abs: string, cwd: string): void {
  let stats;
  try {
    stats = statSync(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UserInputError(
        `Job file not found: ${abs}\n` +
          (path.isAbsolute(file)
            ? `  (working directory: ${cwd})\n`
            : `  ('${file}' was resolved against the working directory ${cwd})\n`) +
          `  Check the path, or run kuberdd from the directory that contains the job.`,
      );
    }
    throw new UserInputError(`Cannot read job file ${abs}: ${(error as Error).message}`, { cause: error });
  }
  if (stats.isDirectory()) {
    const candidates = safeReaddir(abs).filter((f) => EXTENSIONS.includes(path.extname(f)) && !f.endsWith('.d.ts'));
    const suggestion = candidates.length > 0 ? `, e.g. kuberdd run ${path.join(file, candidates[0] as string)}` : '';
    throw new UserInputError(
      `${abs} is a directory, not a job file.\n  Pass the job's .ts or .js file${suggestion}` +
        (candidates.length > 1 ? ` (found: ${candidates.slice(0, 5).join(', ')})` : '') +
        '.',
    );
  }
  if (!EXTENSIONS.includes(path.extname(abs))) {
    throw new UserInputError(
      `${abs} is not a TypeScript or JavaScript file.\n  A job file ends in ${EXTENSIONS.join(', ')} and has ${EXPECTED}`,
    );
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * Node's own rule: .mts/.mjs are ES modules, .cts/.cjs CommonJS, others follow the nearest
 * package.json's "type". CommonJS jobs go through tsx's require hook rather than tsImport, whose
 * CommonJS path evaluates a data: URL without a source map, so stack traces (and the user frame
 * shown on failure) would point into compiled code instead of the job's own lines.
 */
function isEsm(file: string): boolean {
  const ext = path.extname(file);
  if (ext === '.mts' || ext === '.mjs') return true;
  if (ext === '.cts' || ext === '.cjs') return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return pkg.type === 'module';
    } catch {
      // No (readable) package.json here: keep looking upwards, as Node does.
    }
    if (path.dirname(dir) === dir) return false;
  }
}

/**
 * A plain-JS parent: tsx maps `x.js` to a sibling `x.ts` when the importer is TypeScript, which
 * would silently run the wrong file when both exist.
 */
function parentUrl(file: string): string {
  return pathToFileURL(path.join(path.dirname(file), 'kuberdd-job-loader.js')).href;
}

function entryPoint(file: string, exports: unknown): JobMain {
  let main: unknown;
  let names: string[];
  if (isModuleNamespace(exports) || isTranspiledEsm(exports)) {
    main = (exports as { default?: unknown }).default;
    names = Object.keys(exports as object).filter((k) => k !== 'default' && k !== '__esModule');
  } else {
    // Plain CommonJS: `module.exports = main` is the default export, as Node's ESM interop has it.
    main = exports;
    names = typeof exports === 'object' && exports !== null ? Object.keys(exports) : [];
  }

  if (main === undefined) {
    const found = names.length > 0 ? `It exports ${names.map((n) => `'${n}'`).join(', ')}.` : 'It exports nothing.';
    const rename = names.includes('main') ? " (or change 'export function main' to 'export default function main')" : '';
    throw new UserInputError(
      `Job file ${file} has no default export. ${found}\n  Add one${rename}:\n    ${EXPECTED}`,
      { code: 'JOB_NO_DEFAULT_EXPORT' },
    );
  }
  if (typeof main !== 'function') {
    throw new UserInputError(
      `The default export of job file ${file} is ${describeValue(main)}, not a function.\n  Export the job's entry point:\n    ${EXPECTED}`,
      { code: 'JOB_DEFAULT_NOT_FUNCTION' },
    );
  }
  if (/^class\b/.test(Function.prototype.toString.call(main))) {
    throw new UserInputError(
      `The default export of job file ${file} is a class; kuberdd calls it as a function.\n  Export the job's entry point:\n    ${EXPECTED}`,
      { code: 'JOB_DEFAULT_NOT_FUNCTION' },
    );
  }
  return main as JobMain;
}

function isModuleNamespace(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Module]';
}

function isTranspiledEsm(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { __esModule?: unknown }).__esModule === true;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${String(value).slice(0, 40)})`;
}

function importFailure(file: string, error: unknown, cwd: string): UserInputError {
  const syntax = describeSyntaxError(file, error);
  if (syntax !== undefined) return new UserInputError(syntax, { cause: error, code: 'JOB_SYNTAX' });
  const err = error instanceof Error ? error : new Error(String(error));
  const code = (err as NodeJS.ErrnoException).code;
  const frame = findUserFrame(err.stack, cwd);
  const where = frame === undefined ? '' : `\n  at ${frame}`;
  const hint =
    code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
      ? '\n  Check the import path, or install the missing package (npm install <package>).'
      : '\n  The error happened at the top level of the job file (or a module it imports), before main ran.';
  return new UserInputError(
    `Job file ${file} failed to load: ${err.name}: ${cleanMessage(firstLine(err.message))}${where}${hint}`,
    { cause: error, code: 'JOB_LOAD' },
  );
}

/** From esbuild's report (for files tsx compiles), or Node's for plain JS it compiles itself. */
function describeSyntaxError(file: string, error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const esbuild = /^Transform failed with \d+ errors?:\n/.exec(error.message);
  if (esbuild !== null) {
    const lines = error.message.slice(esbuild[0].length).split('\n').filter((l) => l.trim() !== '');
    let elsewhere = false;
    const details = lines.map((line) => {
      const m = /^(.*?):(\d+):(\d+): (?:ERROR: )?(.*)$/.exec(line);
      if (m === null) return `Syntax error: ${line}`;
      const [, rawWhere, row, col, message] = m as unknown as [string, string, string, string, string];
      const where = cleanMessage(rawWhere);
      elsewhere ||= where !== file;
      // esbuild counts columns from 0; editors and Node's stack traces from 1.
      const column = Number(col) + 1;
      let text = `Syntax error in ${where}:${row}:${column}: ${message}${excerpt(where, Number(row), column)}`;
      if (/Top-level await is currently not supported with the "cjs" output format/.test(message)) {
        text +=
          '\n  The file is CommonJS because no package.json with "type": "module" encloses it;' +
          ' rename it to .mts, or add "type": "module" to the nearest package.json.';
      }
      return text;
    });
    if (elsewhere) details.push(`  (in a module imported by the job file ${file})`);
    return details.join('\n');
  }
  if (error.name === 'SyntaxError' && (error.stack ?? '').includes('node:internal/modules/')) {
    // Node's ESM loader reports no position; parsing the job file finds it if it is there.
    const at = locateSyntaxError(file);
    if (at === undefined) return `Syntax error in job file ${file} or a module it imports: ${error.message}`;
    return `Syntax error in ${file}:${at.line}:${at.column}: ${error.message}${excerpt(file, at.line, at.column)}`;
  }
  return undefined;
}

function locateSyntaxError(file: string): { line: number; column: number } | undefined {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let located: { line: number; column: number } | undefined;
  for (const sourceType of ['module', 'commonjs'] as const) {
    try {
      parse(source, { ecmaVersion: 'latest', sourceType });
      return undefined;
    } catch (error) {
      // espree reports 1-based columns.
      const e = error as { lineNumber?: number; column?: number };
      if (located === undefined && e.lineNumber !== undefined && e.column !== undefined) {
        located = { line: e.lineNumber, column: e.column };
      }
    }
  }
  return located;
}

/** The offending line with a caret under the (1-based) column. */
function excerpt(file: string, line: number, column: number): string {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8').split(/\r?\n/)[line - 1];
  } catch {
    return '';
  }
  if (text === undefined) return '';
  const gutter = `    ${line} | `;
  return `\n${gutter}${text}\n${' '.repeat(gutter.length - 2)}| ${' '.repeat(Math.min(Math.max(column - 1, 0), text.length))}^`;
}

function cleanMessage(message: string): string {
  return message.replace(/\?(?:tsx-)?namespace=[\w-]+/g, '');
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
