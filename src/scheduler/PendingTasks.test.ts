import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingTasks } from './PendingTasks.js';

describe('PendingTasks', () => {
  it('prefers tasks for the executor, then tasks without a preference, then any after the wait', () => {
    const p = new PendingTasks([['a'], [], ['b'], ['a']]);
    for (let i = 0; i < 4; i++) p.add(i);
    expect(p.take('a', false)).toBe(0);
    expect(p.take('a', false)).toBe(3);
    expect(p.take('a', false)).toBe(1);
    expect(p.take('a', false)).toBe(-1); // task 2 waits for b
    expect(p.onlyLocalityBound).toBe(true);
    expect(p.take('a', true)).toBe(2);
    expect(p.size).toBe(0);
  });

  it('frees tasks whose preferred executors are all gone', () => {
    const p = new PendingTasks([['x'], ['x', 'y']]);
    p.add(0);
    p.add(1);
    p.executorLost('x', new Set(['y']));
    expect(p.take('z', false)).toBe(0);
    expect(p.take('z', false)).toBe(-1); // task 1 still has y
    expect(p.take('y', false)).toBe(1);
  });

  it('behaves like a set under random add/remove/take', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('add', 'remove', 'take'), fc.nat(9), fc.constantFrom('a', 'b', 'c'), fc.boolean()), { maxLength: 200 }),
        (ops) => {
          const prefs = Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? [] : i % 3 === 1 ? ['a'] : ['b', 'c']));
          const p = new PendingTasks(prefs);
          const model = new Set<number>();
          for (const [op, i, e, any] of ops) {
            if (op === 'add') {
              p.add(i);
              model.add(i);
            } else if (op === 'remove') {
              p.remove(i);
              model.delete(i);
            } else {
              const t = p.take(e, any);
              if (t >= 0) {
                expect(model.has(t)).toBe(true);
                // Never a task bound to other executors unless the wait is over.
                if (!any) expect(prefs[t]!.length === 0 || prefs[t]!.includes(e)).toBe(true);
                model.delete(t);
              } else if (any) {
                expect(model.size).toBe(0);
              }
            }
            expect(p.size).toBe(model.size);
          }
        },
      ),
    );
  });
});
