import type { StageCounters } from '../scheduler/StageCounters.js';

/** What a run did, as counted from scheduler events by `JobSummary`. */
export interface JobSummaryStats {
  readonly jobs: { readonly succeeded: number; readonly failed: number };
  readonly stages: { readonly run: number; readonly skipped: number; readonly failed: number };
  readonly tasks: { readonly succeeded: number; readonly failed: number; readonly killed: number; readonly speculative: number };
  readonly wallTimeMs: number;
  readonly shuffleBytesWritten: number;
  readonly shuffleBytesRead: number;
  readonly spillBytes: number;
  /** Input records dropped by bad-record skipping. */
  readonly skippedRecords: number;
  /** Each stage that ran tasks, by stage id. */
  readonly stageCounters: readonly StageCounters[];
}

/** Stages shown in the table at most; the ones with the most task time are kept. */
const MAX_STAGE_ROWS = 20;

/**
 * The end-of-run summary, e.g.
 * `Summary: 2 jobs, 3 stages (1 skipped), 40 tasks (2 failed) in 3.2 s`; when there was any, a
 * second line with shuffle and spill bytes, speculative tasks and skipped bad records; then a
 * table of the stages that ran: tasks, records in and out, shuffle bytes, task time (columns
 * for failed, killed and speculative tasks, spill and skipped records only when one is non-zero).
 */
export function formatJobSummary(s: JobSummaryStats): string {
  const jobs = s.jobs.succeeded + s.jobs.failed;
  const time = formatDuration(s.wallTimeMs);
  if (jobs === 0) return `Summary: no jobs ran, ${time}`;

  const stages = s.stages.run + s.stages.skipped + s.stages.failed;
  const tasks = s.tasks.succeeded + s.tasks.failed + s.tasks.killed;
  let text =
    `Summary: ${count(jobs, 'job')}${details([[s.jobs.failed, 'failed']])}, ` +
    `${count(stages, 'stage')}${details([[s.stages.skipped, 'skipped'], [s.stages.failed, 'failed']])}, ` +
    `${count(tasks, 'task')}${details([[s.tasks.failed, 'failed'], [s.tasks.killed, 'killed']])} in ${time}`;

  const extra: string[] = [];
  if (s.shuffleBytesWritten > 0 || s.shuffleBytesRead > 0) {
    extra.push(`shuffle ${formatBytes(s.shuffleBytesWritten)} written, ${formatBytes(s.shuffleBytesRead)} read`);
  }
  if (s.spillBytes > 0) extra.push(`spilled ${formatBytes(s.spillBytes)}`);
  if (s.tasks.speculative > 0) extra.push(`${count(s.tasks.speculative, 'speculative task')}`);
  if (s.skippedRecords > 0) extra.push(`${count(s.skippedRecords, 'bad record')} skipped`);
  if (extra.length > 0) text += `\n  ${extra.join('; ')}`;
  if (s.stageCounters.length > 0) text += `\n${formatStageTable(s.stageCounters)}`;
  return text;
}

interface Column {
  readonly header: string;
  readonly cell: (c: StageCounters) => string;
  /** Shown only when some stage has a non-zero value. */
  readonly value?: (c: StageCounters) => number;
}

const COLUMNS: readonly Column[] = [
  { header: 'stage', cell: (c) => String(c.stageId) },
  { header: 'tasks', cell: (c) => formatCount(c.tasks.succeeded + c.tasks.failed + c.tasks.killed) },
  { header: 'failed', cell: (c) => formatCount(c.tasks.failed), value: (c) => c.tasks.failed },
  { header: 'killed', cell: (c) => formatCount(c.tasks.killed), value: (c) => c.tasks.killed },
  { header: 'speculative', cell: (c) => formatCount(c.tasks.speculative), value: (c) => c.tasks.speculative },
  { header: 'records in', cell: (c) => formatCount(c.recordsIn) },
  { header: 'records out', cell: (c) => formatCount(c.recordsOut) },
  { header: 'shuffle write', cell: (c) => bytesOrDash(c.shuffleBytesWritten) },
  { header: 'shuffle read', cell: (c) => bytesOrDash(c.shuffleBytesRead) },
  { header: 'spill', cell: (c) => bytesOrDash(c.spillBytes), value: (c) => c.spillBytes },
  { header: 'skipped', cell: (c) => formatCount(c.skippedRecords), value: (c) => c.skippedRecords },
  { header: 'task time', cell: (c) => formatDuration(c.taskTimeMs) },
];

/** One row per stage, numbers right-aligned, the stage's name last. */
function formatStageTable(all: readonly StageCounters[]): string {
  let rows = [...all];
  let hidden = 0;
  if (rows.length > MAX_STAGE_ROWS) {
    const kept = new Set([...rows].sort((a, b) => b.taskTimeMs - a.taskTimeMs).slice(0, MAX_STAGE_ROWS));
    hidden = rows.length - kept.size;
    rows = rows.filter((r) => kept.has(r));
  }
  const columns = COLUMNS.filter((col) => col.value === undefined || rows.some((r) => col.value!(r) !== 0));
  const cells = rows.map((r) => columns.map((col) => col.cell(r)));
  const widths = columns.map((col, i) => Math.max(col.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[], name: string): string => `  ${values.map((v, i) => v.padStart(widths[i]!)).join('  ')}  ${name}`;
  const lines = [line(columns.map((c) => c.header), 'name'), ...rows.map((r, i) => line(cells[i]!, r.name))];
  if (hidden > 0) lines.push(`  … ${count(hidden, 'more stage')} with less task time not shown`);
  return lines.join('\n');
}

function count(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** Only the non-zero exceptions, so the common all-good case stays short. */
function details(parts: [number, string][]): string {
  const shown = parts.filter(([n]) => n > 0).map(([n, what]) => `${formatCount(n)} ${what}`);
  return shown.length === 0 ? '' : ` (${shown.join(', ')})`;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function bytesOrDash(bytes: number): string {
  return bytes === 0 ? '-' : formatBytes(bytes);
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const min = Math.floor((totalSeconds % 3600) / 60);
  const sec = totalSeconds % 60;
  return h > 0 ? `${h} h ${min} min` : `${min} min ${sec} s`;
}
