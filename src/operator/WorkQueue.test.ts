import { describe, expect, it } from 'vitest';
import { WorkQueue } from './WorkQueue.js';

describe('WorkQueue', () => {
  it('hands out each key once however often it is added', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
  });

  it('never gives a key being processed to a second worker, and requeues it when done if it was added meanwhile', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBeUndefined();
    q.done(key!);
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe('a');
  });

  it('backs off exponentially per key until forget', () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
    expect([q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a')]).toEqual([10, 20, 40, 50]);
    expect(q.addRateLimited('b')).toBe(10);
    q.forget('a');
    expect(q.failures('a')).toBe(0);
    expect(q.addRateLimited('a')).toBe(10);
    void q.shutDown();
  });

  it('addAfter delivers the key later, and the earliest pending addition wins', async () => {
    const q = new WorkQueue();
    const t0 = Date.now();
    q.addAfter('a', 200);
    q.addAfter('a', 30);
    expect(await q.get()).toBe('a');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(Date.now() - t0).toBeLessThan(190);
  });

  it('shutDown releases waiting workers and waits for keys in process', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    const waiting = q.get();
    let drained = false;
    const shut = q.shutDown().then(() => (drained = true));
    expect(await waiting).toBeUndefined();
    await new Promise((r) => setTimeout(r, 5));
    expect(drained).toBe(false);
    q.done(key!);
    await shut;
    expect(drained).toBe(true);
    q.add('b');
    expect(await q.get()).toBeUndefined();
  });
});
