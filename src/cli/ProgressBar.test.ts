import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyTaskMetrics } from '../engine/TaskMetrics.js';
import type { SparkListenerEvent } from '../scheduler/SparkListenerEvent.js';
import { ProgressBar } from './ProgressBar.js';

class FakeTty {
  writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns = 41,
  ) {}
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return true;
  }
  /** What the terminal shows after the carriage returns and line clears. */
  get screen(): string {
    const last = this.writes.join('').split('\r\x1b[K').at(-1) ?? '';
    return last;
  }
}

const submitted = (stageId: number, numTasks: number): SparkListenerEvent => ({
  type: 'stageSubmitted',
  stageId,
  attempt: 0,
  name: `stage ${stageId}`,
  numTasks,
  numPartitions: numTasks,
  time: Date.now(),
});
const taskStart = (stageId: number, partition: number): SparkListenerEvent => ({
  type: 'taskStart',
  stageId,
  taskId: partition,
  partition,
  attempt: 0,
  executorId: 'driver',
  speculative: false,
});
const taskEnd = (stageId: number, partition: number, successful = true): SparkListenerEvent => ({
  type: 'taskEnd',
  stageId,
  taskId: partition,
  partition,
  attempt: 0,
  executorId: 'driver',
  successful,
  metrics: emptyTaskMetrics(),
  durationMs: 1,
});
const completed = (stageId: number): SparkListenerEvent => ({
  type: 'stageCompleted',
  stageId,
  attempt: 0,
  name: `stage ${stageId}`,
  numTasks: 4,
  metrics: emptyTaskMetrics(),
  time: Date.now(),
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ProgressBar', () => {
  it('writes nothing when the stream is not a TTY', () => {
    const out = new FakeTty(false);
    const bar = new ProgressBar(out, { showAfterMs: 0 });
    for (const e of [submitted(0, 4), taskStart(0, 0), taskEnd(0, 0), completed(0)]) bar.listener(e);
    vi.advanceTimersByTime(1000);
    expect(out.writes).toEqual([]);
  });

  it('draws done + running / total, fitted to the terminal width', () => {
    const out = new FakeTty(true, 41);
    const bar = new ProgressBar(out, { showAfterMs: 0 });
    bar.listener(submitted(3, 40));
    for (let p = 0; p < 14; p++) bar.listener(taskStart(3, p));
    for (let p = 0; p < 12; p++) bar.listener(taskEnd(3, p));
    vi.advanceTimersByTime(100);
    expect(out.screen).toBe(`[Stage 3: ====>${' '.repeat(10)} (12 + 2) / 40]`);
  });

  it('redraws at most every 100 ms, showing the latest state', () => {
    const out = new FakeTty(true);
    const bar = new ProgressBar(out, { showAfterMs: 0 });
    bar.listener(submitted(0, 100));
    const drawsAfterSubmit = out.writes.length;
    for (let p = 0; p < 50; p++) {
      bar.listener(taskStart(0, p));
      bar.listener(taskEnd(0, p));
    }
    expect(out.writes).toHaveLength(drawsAfterSubmit);
    vi.advanceTimersByTime(100);
    expect(out.writes).toHaveLength(drawsAfterSubmit + 1);
    expect(out.screen).toContain('(50 + 0) / 100]');
  });

  it('does not draw stages that finish before showAfterMs, and clears the line when a stage ends', () => {
    const out = new FakeTty(true);
    const bar = new ProgressBar(out, { showAfterMs: 500 });
    bar.listener(submitted(0, 2));
    bar.listener(taskStart(0, 0));
    bar.listener(taskEnd(0, 0));
    bar.listener(completed(0));
    vi.advanceTimersByTime(1000);
    expect(out.writes).toEqual([]);

    bar.listener(submitted(1, 2));
    bar.listener(taskStart(1, 0));
    vi.advanceTimersByTime(500);
    expect(out.screen).toContain('[Stage 1:');
    bar.listener(completed(1));
    expect(out.writes.at(-1)).toBe('\r\x1b[K');
  });

  it('shows concurrent stages side by side and keeps the rest when one ends', () => {
    const out = new FakeTty(true, 81);
    const bar = new ProgressBar(out, { showAfterMs: 0 });
    bar.listener(submitted(1, 4));
    bar.listener(submitted(2, 4));
    vi.advanceTimersByTime(100);
    expect(out.screen).toMatch(/^\[Stage 1: .*\]\[Stage 2: .*\]$/);
    expect(out.screen).toHaveLength(80);
    bar.listener(completed(1));
    expect(out.screen).toMatch(/^\[Stage 2: .*\]$/);
  });

  it('counts only successful tasks as done and starts over when a stage is resubmitted', () => {
    const out = new FakeTty(true);
    const bar = new ProgressBar(out, { showAfterMs: 0, intervalMs: 0 });
    bar.listener(submitted(0, 4));
    bar.listener(taskStart(0, 0));
    bar.listener(taskEnd(0, 0, false));
    expect(out.screen).toContain('(0 + 0) / 4]');
    bar.listener(submitted(0, 1));
    expect(out.screen).toContain('(0 + 0) / 1]');
  });

  it('clear() and stop() erase the bar and stop redrawing', () => {
    const out = new FakeTty(true);
    const bar = new ProgressBar(out, { showAfterMs: 0 });
    bar.listener(submitted(0, 4));
    bar.clear();
    expect(out.writes.at(-1)).toBe('\r\x1b[K');
    bar.listener(taskStart(0, 0));
    bar.stop();
    const count = out.writes.length;
    vi.advanceTimersByTime(1000);
    bar.listener(submitted(1, 4));
    vi.advanceTimersByTime(1000);
    expect(out.writes).toHaveLength(count);
  });
});
