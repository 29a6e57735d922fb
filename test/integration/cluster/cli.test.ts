import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jobs, repoRoot, runCli } from '../cliHarness.js';
import { childrenOf, isAlive, waitFor } from './clusterHelpers.js';

/*
 * `kuberdd run --master local-cluster[2]` through bin/kuberdd.js (the built CLI): the job's
 * output equals local mode's, and the executor processes and the nats-server it started are
 * all gone afterwards — after the job, and after Ctrl-C or SIGTERM (checked by pid).
 */

let cwd: string;

beforeAll(() => {
  if (!existsSync(path.join(repoRoot, 'dist', 'driver', 'LocalClusterLauncher.js'))) throw new Error('dist/ is missing or stale: run npm run build before these tests.');
});

afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe('kuberdd run --master local-cluster[2]', () => {
  it('runs examples/wordcount.ts like local[2] does, and leaves no process behind', async () => {
    cwd = mkdtempSync(path.join(tmpdir(), 'kuberdd-cli-cluster-'));
    const wordcount = path.join(repoRoot, 'examples', 'wordcount.ts');
    const local = await runCli(['run', '--quiet', '--master', 'local[2]', wordcount], cwd);
    expect(local.code).toBe(0);
    let spawned: number[] = [];
    const cluster = await runCli(['run', '--quiet', '--master', 'local-cluster[2]', wordcount], cwd, {
      // The results are printed before the context stops: its processes are all up then.
      onStdout: (_out, child) => {
        if (spawned.length === 0) spawned = childrenOf(child.pid!);
      },
      timeoutMs: 55_000,
    });
    expect(cluster.stderr).toBe('');
    expect(cluster.code).toBe(0);
    expect(cluster.stdout).toBe(local.stdout);
    expect(cluster.stdout).toMatch(/^\s+\d+\s+a\n/);
    // Two executors and the nats-server.
    expect(spawned).toHaveLength(3);
    await waitFor(() => spawned.every((pid) => !isAlive(pid)), 'every child process to be gone', 5_000);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('on %s stops the job and every executor and the nats-server, and exits 130', async (signal) => {
    cwd = mkdtempSync(path.join(tmpdir(), 'kuberdd-cli-cluster-'));
    let spawned: number[] = [];
    const r = await runCli(['run', '--quiet', '--master', 'local-cluster[2]', path.join(jobs, 'sleeps.ts')], cwd, {
      onStdout: (out, child) => {
        if (spawned.length === 0 && out.includes('started')) {
          spawned = childrenOf(child.pid!);
          child.kill(signal);
        }
      },
      timeoutMs: 55_000,
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Interrupted: stopping the job');
    expect(spawned).toHaveLength(3);
    await waitFor(() => spawned.every((pid) => !isAlive(pid)), 'every child process to be gone', 5_000);
  });
});
