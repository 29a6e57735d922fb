import { describe, expect, it } from 'vitest';
import { renderStageProgress } from './renderStageProgress.js';

describe('renderStageProgress', () => {
  it.each([
    // head `[Stage 3: ` (10) + bar (15) + tail ` (12 + 2) / 40]` (15); 12/40 of 15 cells = 4.
    [{ stageId: 3, done: 12, running: 2, total: 40 }, 40, `[Stage 3: ====>${' '.repeat(10)} (12 + 2) / 40]`],
    [{ stageId: 0, done: 0, running: 4, total: 8 }, 30, `[Stage 0: >${' '.repeat(6)} (0 + 4) / 8]`],
    [{ stageId: 1, done: 8, running: 0, total: 8 }, 30, '[Stage 1: ======= (8 + 0) / 8]'],
    [{ stageId: 2, done: 0, running: 0, total: 0 }, 30, `[Stage 2: >${' '.repeat(6)} (0 + 0) / 0]`],
  ])('%o at width %i', (progress, width, expected) => {
    const line = renderStageProgress(progress, width);
    expect(line).toBe(expected);
    expect(line).toHaveLength(width);
  });

  it('never overfills when speculative copies finish twice', () => {
    expect(renderStageProgress({ stageId: 1, done: 12, running: 0, total: 10 }, 30)).toMatch(/^\[Stage 1: =+ \(12 \+ 0\) \/ 10\]$/);
  });

  it('drops the bar when the terminal is too narrow for one', () => {
    expect(renderStageProgress({ stageId: 12, done: 100, running: 8, total: 2000 }, 30)).toBe('[Stage 12: (100 + 8) / 2000]');
  });
});
