import { accessSync, constants, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { UserInputError } from '../../common/errors/UserInputError.js';
import type { InputFile } from './InputFile.js';

/**
 * The files named by a `textFile` / `wholeTextFiles` path, sorted by path, without duplicates.
 *
 * `pattern` is a file, a directory (its files, non-recursive; subdirectories are ignored), a glob
 * (`*`, `?`, `[...]`, `{a,b}`, `**`; a directory it matches contributes its files), or a
 * comma-separated list of these (commas inside `{...}` belong to the glob, as in Hadoop).
 * Like Hadoop, names starting with `_` or `.` (`_SUCCESS`, `.part-0.crc`) are skipped inside
 * directories and globs, but a file named explicitly is always read. `file:` URIs are accepted.
 *
 * @throws UserInputError `INPUT_NOT_FOUND` when a part names nothing, `INPUT_UNREADABLE` when a
 *   file or directory exists but cannot be read (permissions, dangling symlink, not a regular file).
 */
export function listInputFiles(pattern: string): InputFile[] {
  // Trimmed because "a.txt, b.txt" is a common way to write a list; names rarely start with spaces.
  const parts = splitOutsideBraces(pattern)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) {
    throw new UserInputError(`No input path given (got ${JSON.stringify(pattern)})`, { code: 'INPUT_NOT_FOUND' });
  }
  const byPath = new Map<string, InputFile>();
  for (const part of parts) {
    for (const file of listPart(part)) byPath.set(file.path, file);
  }
  // Code-unit order, not locale order: split numbering must be the same on every machine.
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function listPart(part: string): InputFile[] {
  const path = stripFileScheme(part);
  const absolute = resolve(path);
  const link = tryLstat(absolute);
  if (link !== undefined) {
    const stats = statOrThrow(absolute, part);
    if (stats.isDirectory()) {
      const files = listDirectory(absolute);
      if (files.length === 0) {
        throw new UserInputError(
          `Input directory contains no files: ${describe(path, absolute)} ` +
            `(subdirectories and names starting with '_' or '.' are skipped)`,
          { code: 'INPUT_NOT_FOUND' },
        );
      }
      return files;
    }
    return [fileOrThrow(absolute, stats, part)];
  }
  if (!isDynamicPattern(path)) {
    throw new UserInputError(`Input path does not exist: ${describe(path, absolute)}`, { code: 'INPUT_NOT_FOUND' });
  }
  const files = listGlob(path);
  if (files.length === 0) {
    throw new UserInputError(
      `Input pattern matches no files: ${describe(path, absolute)} ` +
        `(names starting with '_' or '.' are skipped)`,
      { code: 'INPUT_NOT_FOUND' },
    );
  }
  return files;
}

function listGlob(pattern: string): InputFile[] {
  const base = resolve(staticPrefix(pattern));
  // expandDirectories would turn a matched directory into a recursive listing; we list it flat, like Hadoop.
  const matches = globSync(pattern, { absolute: true, onlyFiles: false, expandDirectories: false, dot: false });
  const files: InputFile[] = [];
  for (const match of matches) {
    const absolute = resolve(match);
    // Hidden-name skipping applies to what the glob matched, not to the literal directories the user typed.
    if (relative(base, absolute).split(sep).some(isHiddenName)) continue;
    const stats = statOrThrow(absolute, absolute);
    if (stats.isDirectory()) files.push(...listDirectory(absolute));
    else files.push(fileOrThrow(absolute, stats, absolute));
  }
  return files;
}

function listDirectory(dir: string): InputFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw unreadable(dir, err);
  }
  const files: InputFile[] = [];
  for (const name of names) {
    if (isHiddenName(name)) continue;
    const path = resolve(dir, name);
    const stats = statOrThrow(path, path);
    if (stats.isDirectory()) continue;
    files.push(fileOrThrow(path, stats, path));
  }
  return files;
}

function fileOrThrow(absolute: string, stats: Stats, shown: string): InputFile {
  if (!stats.isFile()) {
    throw new UserInputError(`Input path is not a regular file or directory: ${shown}`, { code: 'INPUT_UNREADABLE' });
  }
  try {
    accessSync(absolute, constants.R_OK);
  } catch (err) {
    throw unreadable(shown, err);
  }
  return { path: absolute, size: stats.size };
}

/** Follows symlinks; a link that exists but points nowhere is unreadable rather than missing. */
function statOrThrow(absolute: string, shown: string): Stats {
  try {
    return statSync(absolute);
  } catch (err) {
    if (isErrno(err, 'ENOENT') && tryLstat(absolute)?.isSymbolicLink() === true) {
      throw new UserInputError(`Input path is a symbolic link to a missing target: ${shown}`, {
        code: 'INPUT_UNREADABLE',
        cause: err,
      });
    }
    throw unreadable(shown, err);
  }
}

function tryLstat(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function unreadable(shown: string, err: unknown): UserInputError {
  const detail = err instanceof Error ? err.message : String(err);
  return new UserInputError(`Input path cannot be read: ${shown} (${detail})`, { code: 'INPUT_UNREADABLE', cause: err });
}

function describe(path: string, absolute: string): string {
  return isAbsolute(path) ? path : `${path} (resolved to ${absolute} from working directory ${process.cwd()})`;
}

function isHiddenName(name: string): boolean {
  return name.startsWith('_') || (name.startsWith('.') && name !== '.' && name !== '..');
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/** The leading path segments without glob syntax: the directory the glob's matches live under. */
function staticPrefix(pattern: string): string {
  const segments = pattern.split('/');
  const fixed: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (isDynamicPattern(segment)) break;
    fixed.push(segment);
  }
  if (fixed.length === 0) return '.';
  const prefix = fixed.join('/');
  return prefix === '' ? '/' : prefix;
}

/** `file:///a` and Spark-style `file:/a` name local paths; other schemes are not supported. */
function stripFileScheme(part: string): string {
  if (part.startsWith('file://')) return part.slice('file://'.length);
  if (part.startsWith('file:/')) return part.slice('file:'.length);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(part);
  if (scheme !== null) {
    throw new UserInputError(
      `Input path ${part} uses the ${scheme[1]}: scheme; only local paths (and file: URIs) can be read — ` +
        `mount the storage into the driver and executor pods and pass its local path`,
      { code: 'INPUT_NOT_FOUND' },
    );
  }
  return part;
}

/** Hadoop's rule: commas separate paths except inside `{...}`, where they separate glob alternatives. */
function splitOutsideBraces(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(pattern.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(pattern.slice(from));
  return parts;
}
