/** What a run did, as counted from scheduler events by `JobSummary`. */
export interface JobSummaryStats {
  readonly jobs: { readonly succeeded: number; readonly failed: number };
  readonly stages: { readonly run: number; readonly skipped: number; readonly failed: number };
  readonly tasks: { readonly succeeded: number; readonly failed: number; readonly killed: number };
  readonly wallTimeMs: number;
  readonly shuffleBytesWritten: number;
  readonly shuffleBytesRead: number;
  readonly recordsRead: number;
  readonly recordsWritten: number;
}

/**
 * The end-of-run summary, e.g.
 * `Summary: 2 jobs, 3 stages (1 skipped), 40 tasks (2 failed) in 3.2 s` and, when there was any,
 * a second line with shuffle bytes and records.
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
  if (s.recordsRead > 0 || s.recordsWritten > 0) {
    extra.push(`records ${formatCount(s.recordsRead)} in, ${formatCount(s.recordsWritten)} out`);
  }
  if (extra.length > 0) text += `\n  ${extra.join('; ')}`;
  return text;
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
