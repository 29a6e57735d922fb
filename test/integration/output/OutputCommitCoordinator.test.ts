// The driver's commit arbiter on its own: first asker wins, failures release, ended jobs deny.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommitRequest } from '../../../src/engine/output/PendingCommit.js';
import { OutputCommitCoordinator } from '../../../src/scheduler/OutputCommitCoordinator.js';

const ask = (partition: number, taskAttemptId: number, executorId = 'e0', jobKey = 'job'): CommitRequest => ({
  jobKey,
  partition,
  taskAttemptId,
  attemptNumber: taskAttemptId,
  executorId,
});

describe('OutputCommitCoordinator', () => {
  it('authorizes the first attempt to ask for a partition and denies the racing one', () => {
    const c = new OutputCommitCoordinator();
    c.startJob('job');
    expect(c.canCommit(ask(0, 10)).allowed).toBe(true);
    const denied = c.canCommit(ask(0, 11));
    expect(denied.allowed).toBe(false);
    expect(denied.reason).toMatch(/partition 0 .*committed by task 10/);
    // Asking again is idempotent for the winner; other partitions are independent.
    expect(c.canCommit(ask(0, 10)).allowed).toBe(true);
    expect(c.canCommit(ask(1, 11)).allowed).toBe(true);
  });

  it('a failed or killed authorized attempt releases the right; a failed loser changes nothing', () => {
    const c = new OutputCommitCoordinator();
    c.startJob('job');
    expect(c.canCommit(ask(0, 1)).allowed).toBe(true);
    c.taskFailed(2); // not the holder
    expect(c.canCommit(ask(0, 2)).allowed).toBe(false);
    c.taskFailed(1);
    expect(c.canCommit(ask(0, 2)).allowed).toBe(true);
    expect(c.canCommit(ask(0, 1)).allowed).toBe(false);
  });

  it('a lost executor releases the rights its attempts held', () => {
    const c = new OutputCommitCoordinator();
    c.startJob('job');
    expect(c.canCommit(ask(0, 1, 'lost')).allowed).toBe(true);
    expect(c.canCommit(ask(1, 2, 'alive')).allowed).toBe(true);
    c.executorLost('lost');
    expect(c.canCommit(ask(0, 3, 'alive')).allowed).toBe(true);
    expect(c.canCommit(ask(1, 4, 'alive')).allowed).toBe(false);
  });

  it('denies jobs that never started or have ended, and keeps jobs apart', () => {
    const c = new OutputCommitCoordinator();
    expect(c.canCommit(ask(0, 1)).allowed).toBe(false);
    c.startJob('a');
    c.startJob('b');
    expect(c.canCommit(ask(0, 1, 'e0', 'a')).allowed).toBe(true);
    expect(c.canCommit(ask(0, 2, 'e0', 'b')).allowed).toBe(true);
    c.stopJob('a');
    expect(c.isRunning('a')).toBe(false);
    const late = c.canCommit(ask(0, 1, 'e0', 'a'));
    expect(late.allowed).toBe(false);
    expect(late.reason).toMatch(/not running/);
  });

  it('any interleaving of asks and failures has at most one live holder per partition', () => {
    type Step = { kind: 'ask'; partition: number; task: number } | { kind: 'fail'; task: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('ask' as const), partition: fc.integer({ min: 0, max: 2 }), task: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('fail' as const), task: fc.integer({ min: 0, max: 5 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const c = new OutputCommitCoordinator();
        c.startJob('job');
        const holder = new Map<number, number>(); // the model
        for (const s of steps) {
          if (s.kind === 'fail') {
            for (const [p, t] of holder) if (t === s.task) holder.delete(p);
            c.taskFailed(s.task);
            continue;
          }
          const allowed = c.canCommit(ask(s.partition, s.task)).allowed;
          const current = holder.get(s.partition);
          expect(allowed).toBe(current === undefined || current === s.task);
          if (current === undefined) holder.set(s.partition, s.task);
        }
      }),
    );
  });
});
