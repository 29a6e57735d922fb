import { describe, expect, it } from 'vitest';
import { RecoveredHoldings } from './RecoveredHoldings.js';

describe('RecoveredHoldings', () => {
  it('hands each offer out once, by identity, with the executor that holds it', () => {
    const pool = new RecoveredHoldings<{ identity: string; partition: number }>();
    pool.offer('e1', [
      { identity: 'aaaa', partition: 0 },
      { identity: 'bbbb', partition: 1 },
    ]);
    pool.offer('e2', [{ identity: 'aaaa', partition: 3 }]);
    expect(pool.size).toBe(3);
    expect(pool.take('aaaa')).toEqual([
      { executorId: 'e1', held: { identity: 'aaaa', partition: 0 } },
      { executorId: 'e2', held: { identity: 'aaaa', partition: 3 } },
    ]);
    expect(pool.take('aaaa')).toEqual([]);
    expect(pool.take('cccc')).toEqual([]);
    expect(pool.size).toBe(1);
  });

  it('forgets what an executor lost before it was taken held', () => {
    const pool = new RecoveredHoldings<{ identity: string; partition: number }>();
    pool.offer('e1', [{ identity: 'aaaa', partition: 0 }]);
    pool.offer('e2', [{ identity: 'aaaa', partition: 1 }, { identity: 'bbbb', partition: 0 }]);
    pool.forgetExecutor('e1');
    pool.forgetExecutor('e2');
    pool.offer('e3', [{ identity: 'bbbb', partition: 2 }]);
    expect(pool.take('aaaa')).toEqual([]);
    expect(pool.take('bbbb').map((h) => h.executorId)).toEqual(['e3']);
  });
});
