import { describe, expect, it } from 'vitest';
import { RecoveredMapOutputs } from './RecoveredMapOutputs.js';

const status = (executorId: string, mapId: number) => ({ shuffleId: 1_000_000_000 + mapId, mapId, executorId, dataPath: `/x/shuffle_${mapId}.data`, offsets: [0, 1], records: [1] });

describe('RecoveredMapOutputs', () => {
  it('hands each offered output out once, by identity, and only those the offering executor holds', () => {
    const pool = new RecoveredMapOutputs();
    pool.offer('e1', [
      { identity: 'aaaa', status: status('e1', 0) },
      { identity: 'bbbb', status: status('e1', 1) },
      { identity: 'aaaa', status: status('e2', 2) }, // claims another executor's output: ignored
    ]);
    pool.offer('e2', [{ identity: 'aaaa', status: status('e2', 3) }]);
    expect(pool.size).toBe(3);
    expect(pool.take('aaaa').map((s) => s.mapId)).toEqual([0, 3]);
    expect(pool.take('aaaa')).toEqual([]);
    expect(pool.take('cccc')).toEqual([]);
    expect(pool.size).toBe(1);
  });

  it('forgets the outputs of an executor that was lost before they were taken', () => {
    const pool = new RecoveredMapOutputs();
    pool.offer('e1', [{ identity: 'aaaa', status: status('e1', 0) }]);
    pool.offer('e2', [{ identity: 'aaaa', status: status('e2', 1) }]);
    pool.forgetExecutor('e1');
    expect(pool.take('aaaa').map((s) => s.executorId)).toEqual(['e2']);
  });
});
