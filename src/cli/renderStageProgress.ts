export interface StageProgress {
  readonly stageId: number;
  readonly done: number;
  readonly running: number;
  readonly total: number;
}

/** `[Stage 3: ====>      (12 + 2) / 40]`, exactly `width` characters unless too narrow for a bar. */
export function renderStageProgress(p: StageProgress, width: number): string {
  const head = `[Stage ${p.stageId}: `;
  const tail = ` (${p.done} + ${p.running}) / ${p.total}]`;
  const barWidth = width - head.length - tail.length;
  // Below a few cells a bar says nothing; the counts alone still fit most terminals.
  if (barWidth < 3) return `[Stage ${p.stageId}:${tail}`;
  const filled = p.total > 0 ? Math.floor((barWidth * Math.min(p.done, p.total)) / p.total) : 0;
  const bar = filled >= barWidth ? '='.repeat(barWidth) : '='.repeat(filled) + '>' + ' '.repeat(barWidth - filled - 1);
  return head + bar + tail;
}
