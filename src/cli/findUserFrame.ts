import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file is <root>/src/cli/findUserFrame.ts, or <root>/dist/cli/findUserFrame.js once built.
const KUBERDD_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OWN_DIRS = ['src', 'dist', 'bin'].map((d) => path.join(KUBERDD_ROOT, d) + path.sep);

/**
 * The first stack frame of `stack` that is the user's own code: not Node's internals, not a
 * dependency under node_modules, not kuberdd itself. Returned without the leading `at `, with
 * file URLs turned into paths (relative to `cwd` when inside it) and loader query strings removed.
 */
export function findUserFrame(stack: string | undefined, cwd: string = process.cwd()): string | undefined {
  if (stack === undefined) return undefined;
  for (const line of stack.split('\n')) {
    const frame = /^\s+at (?:async )?(.*)$/.exec(line)?.[1];
    if (frame === undefined) continue;
    // `fn (location)` or a bare `location`; eval frames nest parentheses, so take the last group.
    const withName = /^(.*?) \((.*)\)$/.exec(frame);
    const name = withName?.[1];
    const location = withName?.[2] ?? frame;
    const file = cleanLocation(location);
    if (file === undefined || !isUserFile(file.path)) continue;
    const shown = displayPath(file.path, cwd) + file.position;
    return name === undefined || name === '<anonymous>' ? shown : `${name} (${shown})`;
  }
  return undefined;
}

function cleanLocation(location: string): { path: string; position: string } | undefined {
  const match = /^(.*?)(:\d+:\d+)?$/.exec(location);
  let file = match?.[1];
  if (file === undefined || file === '' || file.startsWith('node:') || file.includes('<anonymous>')) return undefined;
  if (file === 'native' || file.startsWith('eval at ') || file.startsWith('data:')) return undefined;
  // tsx adds `?namespace=…` to the modules it loads; it is noise to the reader.
  file = file.replace(/\?[^/]*$/, '');
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  if (!path.isAbsolute(file)) return undefined;
  return { path: file, position: match?.[2] ?? '' };
}

function isUserFile(file: string): boolean {
  if (file.split(path.sep).includes('node_modules')) return false;
  return !OWN_DIRS.some((dir) => file.startsWith(dir));
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
