import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encode } from '../common/codec/codec.js';
import type { CommitRequest } from '../engine/output/PendingCommit.js';
import { emptyTaskMetrics } from '../engine/TaskMetrics.js';
import type { TaskDescription } from '../scheduler/TaskDescription.js';
import type { TaskError } from '../scheduler/TaskError.js';
import type { BlockUpdate, TaskStatusUpdate } from '../scheduler/TaskStatusUpdate.js';
import type { MapStatus } from '../shuffle/MapStatus.js';
import { encodeControl } from '../transport/ControlCodec.js';
import { ReplayGuard } from '../transport/ReplayGuard.js';
import { decodeControlMessage, encodeControlMessage, parseControlBody, parseTaskDescription, parseTaskStatusUpdate } from './ExecutorProtocol.js';

const secret = new Uint8Array(randomBytes(32));

/*
 * The fixtures are `Required<…>`: a field added to one of these types does not compile here
 * until it is added, and the round trips then fail until the parser keeps it too — a parser
 * that silently dropped a new field would lose it between executor and driver.
 */
const task: Required<TaskDescription> = {
  taskId: 7,
  executorId: 'exec-1',
  attemptNumber: 1,
  stageId: 3,
  stageAttempt: 0,
  partition: 5,
  kind: 'shuffleMap',
  binaryId: '3.0',
  binary: new Uint8Array([1, 2, 3]),
  isolateRecords: true,
  skipRecords: [4, 9],
  cachedRddIdentities: [{ rddId: 4, identity: 'a3f9c2d4e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c0' }],
};
const mapStatus: Required<MapStatus> = { shuffleId: 2, mapId: 5, executorId: 'exec-1', dataPath: '/tmp/x/shuffle_2_5_7.data', offsets: [0, 10, 25], records: [1, 2], durable: true };
const fetchFailed = { shuffleId: 2, mapId: 1, reduceId: 0, executorId: 'exec-0' };
const error: Required<TaskError> = {
  name: 'FetchFailedError',
  message: 'gone',
  stack: 'FetchFailedError: gone\n    at x',
  userFrame: 'map() function at job.ts:3:4',
  fetchFailed,
  killed: false,
  failedRecordIndex: 12,
};
const blockUpdate: Required<BlockUpdate> = { rddId: 4, partition: 1, bytes: 100, level: 'MEMORY_ONLY' };
const update: Required<TaskStatusUpdate> = {
  taskId: 7,
  executorId: 'exec-1',
  state: 'failed',
  result: new Uint8Array([9]),
  mapStatus,
  error,
  accumUpdates: [[0, 5], [1, ['a', 'b']]],
  metrics: { ...emptyTaskMetrics(), executorRunTimeMs: 12, recordsIn: 3 },
  blockUpdates: [blockUpdate],
};
const commit: Required<CommitRequest> = { jobKey: 'job-1', partition: 0, taskAttemptId: 7, attemptNumber: 0, executorId: 'exec-1' };

describe('ExecutorProtocol', () => {
  it('round-trips every field of a task description and a status update', () => {
    expect(parseTaskDescription(structuredClone(task))).toEqual(task);
    expect(parseTaskStatusUpdate(structuredClone(update))).toEqual(update);
  });

  it('signed messages decode to their typed body', () => {
    const data = encodeControlMessage('launch', { task }, secret);
    expect(decodeControlMessage(data, secret, ['launch'])).toEqual({ ok: true, value: { type: 'launch', body: { task } } });
    const ask = encodeControlMessage('canCommit', { executorId: 'exec-1', request: commit }, secret);
    expect(decodeControlMessage(ask, secret, ['canCommit'])).toMatchObject({ ok: true, value: { body: { request: commit } } });
  });

  it('refuses unsigned, wrongly signed, replayed and unexpected messages, saying why', () => {
    const unsigned = encodeControl('launch', { task }, undefined);
    expect(decodeControlMessage(unsigned, secret, ['launch'])).toEqual({ ok: false, reason: 'missing signature' });
    const forged = encodeControl('launch', { task }, new Uint8Array(randomBytes(32)));
    expect(decodeControlMessage(forged, secret, ['launch'])).toEqual({ ok: false, reason: 'bad signature' });
    const guard = new ReplayGuard(60_000);
    const genuine = encodeControlMessage('launch', { task }, secret);
    expect(decodeControlMessage(genuine, secret, ['launch'], guard).ok).toBe(true);
    expect(decodeControlMessage(genuine, secret, ['launch'], guard)).toMatchObject({ ok: false, reason: expect.stringMatching(/replayed/) });
    // An executor never accepts what only executors send.
    const status = encodeControlMessage('status', { executorId: 'exec-1', taskId: 7, update }, secret);
    expect(decodeControlMessage(status, secret, ['launch', 'kill'])).toMatchObject({ ok: false, reason: expect.stringMatching(/unexpected message type "status"/) });
    expect(decodeControlMessage(new Uint8Array(randomBytes(64)), secret, ['launch']).ok).toBe(false);
    expect(decodeControlMessage(encode('hello'), secret, ['launch']).ok).toBe(false);
  });

  it('rejects bodies of the wrong shape, naming the field', () => {
    expect(parseControlBody('launch', { task: { ...task, taskId: -1 } })).toEqual({ ok: false, reason: 'launch.task.taskId must be an integer >= 0, not -1' });
    expect(parseControlBody('launch', { task: { ...task, executorId: 'a.b' } })).toMatchObject({ ok: false, reason: expect.stringMatching(/launch.task.executorId/) });
    expect(parseControlBody('launch', null)).toEqual({ ok: false, reason: 'launch must be an object, not null' });
    expect(parseControlBody('status', { executorId: 'exec-1', taskId: 7 })).toMatchObject({ ok: false, reason: 'status must carry exactly one of update and staged' });
    expect(parseControlBody('status', { executorId: 'exec-1', taskId: 8, update })).toMatchObject({ ok: false, reason: expect.stringMatching(/not task 8/) });
    expect(parseControlBody('status', { executorId: 'exec-1', taskId: 7, update: { ...update, error: undefined } })).toMatchObject({ ok: false, reason: expect.stringMatching(/error is missing/) });
    expect(parseControlBody('status', { executorId: 'exec-1', taskId: 7, update: { ...update, metrics: { executorRunTimeMs: 'x' } } })).toMatchObject({
      ok: false,
      reason: 'status.update.metrics.executorRunTimeMs must be a finite number, not "x"',
    });
    expect(parseControlBody('payload', { bytes: new Uint8Array(1), error: 'x' })).toMatchObject({ ok: false, reason: expect.stringMatching(/exactly one/) });
    expect(parseControlBody('registered', { accepted: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/settings is missing/) });
  });

  it('keeps only known fields (nothing unexpected rides along) and ignores unknown metrics', () => {
    const parsed = parseTaskDescription({ ...task, extra: 'x', __proto__: { polluted: true } });
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(task).sort());
    const withNewCounter = parseTaskStatusUpdate({ ...update, metrics: { ...update.metrics, someFutureCounter: 5 } });
    expect(withNewCounter.metrics).toEqual(update.metrics);
  });
});

describe('replication messages', () => {
  const staged = { blockId: 'staged-00ff', size: 4096 };

  it('round-trip signed', () => {
    const cases = [
      ['replicaTarget', { executorId: 'exec-0', rddId: 3, partition: 1 }],
      ['replicaStored', { executorId: 'exec-2', rddId: 3, partition: 1, bytes: 4096, level: 'MEMORY_ONLY_2' }],
      ['replicateBlock', { executorId: 'exec-0', rddId: 3, partition: 1, level: 'DISK_ONLY_2', staged }],
      ['replicated', { bytes: 4096 }],
      ['replicated', { error: 'did not fit' }],
    ] as const;
    for (const [type, body] of cases) {
      expect(decodeControlMessage(encodeControlMessage(type, body as never, secret), secret, [type])).toEqual({ ok: true, value: { type, body } });
    }
  });

  it('refuse malformed bodies, naming the field', () => {
    expect(parseControlBody('replicateBlock', { executorId: 'exec-0', rddId: 3, partition: 1, level: 'DISK_ONLY_2' })).toEqual({
      ok: false,
      reason: 'replicateBlock.staged must be an object, not undefined',
    });
    expect(parseControlBody('replicaStored', { executorId: 'exec-2', rddId: 3, partition: -1, bytes: 1, level: 'MEMORY_ONLY_2' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/replicaStored.partition must be an integer >= 0/),
    });
    expect(parseControlBody('replicated', { bytes: 1, error: 'x' })).toEqual({ ok: false, reason: 'replicated must carry exactly one of bytes and error' });
    expect(parseControlBody('replicated', {})).toEqual({ ok: false, reason: 'replicated must carry exactly one of bytes and error' });
  });
});
