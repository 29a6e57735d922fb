import { fileURLToPath } from 'node:url';
import path from 'node:path';

// The package root: this file is <root>/src/common/callSite.ts or <root>/dist/common/callSite.js.
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ownDirs = [path.join(packageRoot, 'src') + path.sep, path.join(packageRoot, 'dist') + path.sep];

/**
 * The user's own source location that called into kuberdd, e.g. `examples/wordcount.ts:12:7`:
 * the first stack frame outside kuberdd's sources, node_modules and Node internals.
 * Used to name RDDs and stages the way Spark does (`map at WordCount.scala:12`).
 */
export function userCallSite(stack = new Error().stack ?? ''): string {
  for (const line of stack.split('\n').slice(1)) {
    const location = frameLocation(line);
    if (location === undefined) continue;
    const file = location.replace(/^file:\/\//, '').replace(/:\d+(:\d+)?$/, '');
    if (file.startsWith('node:') || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (ownDirs.some((d) => file.startsWith(d)) && !/\.test\.[cm]?[jt]s$/.test(file)) continue;
    const rel = path.relative(process.cwd(), location.replace(/^file:\/\//, ''));
    return rel.startsWith('..') ? location.replace(/^file:\/\//, '') : rel;
  }
  return 'unknown location';
}

function frameLocation(line: string): string | undefined {
  const m = /\(([^()]+:\d+:\d+)\)\s*$/.exec(line) ?? /at ([^\s()]+:\d+:\d+)\s*$/.exec(line);
  return m?.[1];
}
