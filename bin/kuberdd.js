#!/usr/bin/env node
// The published entry point: runs the compiled CLI from dist/. Kept minimal and dependency-free
// so that it can explain a missing build instead of failing with a module-not-found trace.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'dist', 'cli', 'main.js');

if (!existsSync(entry)) {
  process.stderr.write(`kuberdd is not built: run npm install (or npm run build) in ${root}\n`);
  process.exitCode = 1;
} else {
  const { main } = await import(pathToFileURL(entry).href);
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
  process.exitCode = code;
  // After Ctrl-C the job may still hold timers or sockets; the user asked to stop, so stop.
  if (code === 130) process.exit(code);
}
