// taskStart means a task began running, not that it was queued on an executor: the CLI's
// "(done + running) / total" must never show more running tasks than there are threads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkContext, type SparkListenerEvent } from '../../../src/index.js';

describe('runtime: running tasks', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'runtime-running' });
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('never has more tasks running than executor threads', async () => {
    let running = 0;
    let maxRunning = 0;
    let started = 0;
    const listener = (e: SparkListenerEvent): void => {
      if (e.type === 'taskStart') {
        started++;
        maxRunning = Math.max(maxRunning, ++running);
      } else if (e.type === 'taskEnd') {
        running--;
      }
    };
    sc.addListener(listener);
    // Tasks that take a few ms each, so queued tasks exist while others run.
    const n = await sc
      .range(0, 40, 1, 40)
      .map((x) => {
        const until = Date.now() + 5;
        while (Date.now() < until);
        return x;
      })
      .count();
    sc.removeListener(listener);
    expect(n).toBe(40);
    expect(started).toBe(40);
    expect(maxRunning).toBeLessThanOrEqual(2);
    expect(maxRunning).toBe(2);
  });
});
