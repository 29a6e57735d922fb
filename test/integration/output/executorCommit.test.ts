// The executor's commit step against a real coordinator: attempts of the same partition on two
// executors race; exactly one renames its file into place, the other is denied (not counted as
// a failure) and discards its output.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../../src/common/codec/codec.js';
import { nullLogger } from '../../../src/common/logging/nullLogger.js';
import { encodeLineage } from '../../../src/engine/LineageWire.js';
import { writeOutputPartition, type OutputTaskSpec } from '../../../src/engine/output/writeOutputPartition.js';
import type { TaskContext } from '../../../src/engine/TaskContext.js';
import { Executor, type DriverEndpoint } from '../../../src/executor/Executor.js';
import { OutputCommitCoordinator } from '../../../src/scheduler/OutputCommitCoordinator.js';
import type { StageBinary } from '../../../src/scheduler/StageBinary.js';
import type { TaskStatusUpdate } from '../../../src/scheduler/TaskStatusUpdate.js';
import { SparkContext } from '../../../src/index.js';

describe('executor commit step', () => {
  let sc: SparkContext;
  let dir: string;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[1]', appName: 'executor-commit' });
    dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-commit-'));
  });
  afterAll(async () => {
    await sc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two racing attempts of one partition commit exactly once', async () => {
    const outputDir = path.join(dir, 'out');
    const jobKey = 'job_test_1';
    mkdirSync(path.join(outputDir, '_temporary', jobKey), { recursive: true });
    const coordinator = new OutputCommitCoordinator();
    coordinator.startJob(jobKey);

    const data = Array.from({ length: 10_000 }, (_, i) => i);
    const rdd = sc.parallelize(data, 2);
    const spec: OutputTaskSpec = { jobKey, outputDir, format: 'text' };
    const lib = { writeOutputPartition };
    const func = rdd.capture((b: Iterable<number[]>, ctx: TaskContext) => lib.writeOutputPartition(b, ctx, spec), { lib, spec }, 'saveAsTextFile');
    const binary: StageBinary = { stageId: 0, stageAttempt: 0, lineage: encodeLineage(rdd), func: func.serialized, mapStatuses: {} };
    const bytes = encode(binary);

    const updates: TaskStatusUpdate[] = [];
    const asks: number[] = [];
    let onUpdate = (): void => undefined;
    const endpoint = (): DriverEndpoint => ({
      taskStarted: () => undefined,
      statusUpdate: (u) => {
        updates.push(u);
        onUpdate();
      },
      fetchBroadcast: () => Promise.reject(new Error('no broadcasts')),
      fetchStageBinary: () => Promise.resolve(bytes),
      canCommit: async (req) => {
        asks.push(req.taskAttemptId);
        await new Promise((r) => setTimeout(r, 5));
        return coordinator.canCommit(req);
      },
    });
    const executors = ['e1', 'e2'].map((id) => new Executor(id, path.join(dir, id), endpoint(), nullLogger));
    const done = new Promise<void>((resolve) => {
      onUpdate = () => {
        if (updates.length === 2) resolve();
      };
      executors.forEach((ex, i) =>
        ex.launchTask({ taskId: 100 + i, executorId: ex.executorId, attemptNumber: i, stageId: 0, stageAttempt: 0, partition: 1, kind: 'result', binaryId: '0.0', binary: bytes }),
      );
    });
    await done;

    expect(asks.sort()).toEqual([100, 101]);
    const finished = updates.filter((u) => u.state === 'finished');
    const denied = updates.filter((u) => u.state === 'failed');
    expect(finished).toHaveLength(1);
    expect(denied).toHaveLength(1);
    expect(denied[0]!.error).toMatchObject({ name: 'TaskCommitDenied', killed: true });
    expect(denied[0]!.error!.message).toMatch(/partition 1 .*discarded/);

    expect(readdirSync(outputDir).sort()).toEqual(['_temporary', 'part-00001']);
    expect(readFileSync(path.join(outputDir, 'part-00001'), 'utf8')).toBe(data.slice(5000).map((x) => `${x}\n`).join(''));
    // Both attempts' directories are gone: the winner's after its rename, the loser's discarded.
    expect(readdirSync(path.join(outputDir, '_temporary', jobKey))).toEqual([]);

    // After the job ends (coordinator stopped, _temporary removed), a late attempt fails without
    // bringing _temporary back.
    coordinator.stopJob(jobKey);
    rmSync(path.join(outputDir, '_temporary'), { recursive: true, force: true });
    const late = new Promise<void>((resolve) => {
      onUpdate = () => {
        if (updates.length === 3) resolve();
      };
    });
    executors[0]!.launchTask({ taskId: 102, executorId: 'e1', attemptNumber: 2, stageId: 0, stageAttempt: 0, partition: 1, kind: 'result', binaryId: '0.0' });
    await late;
    expect(updates[2]!.state).toBe('failed');
    expect(updates[2]!.error!.message).toMatch(/no longer running/);
    expect(existsSync(path.join(outputDir, '_temporary'))).toBe(false);
    expect(readdirSync(outputDir)).toEqual(['part-00001']);
    for (const ex of executors) ex.shutdown();
  });
});
