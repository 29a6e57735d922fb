import type { SparkListener, SparkListenerEvent } from '../scheduler/SparkListenerEvent.js';
import { renderStageProgress } from './renderStageProgress.js';

/** The part of a TTY stream the bar needs; `process.stderr` is one. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): unknown;
}

export interface ProgressBarOptions {
  /** Stages that finish sooner are never drawn, so quick jobs do not flicker. Default 500. */
  readonly showAfterMs?: number;
  /** Minimum time between redraws. Default 100. */
  readonly intervalMs?: number;
}

interface StageState {
  stageId: number;
  total: number;
  done: number;
  running: number;
  submittedAt: number;
}

const CLEAR_LINE = '\r\x1b[K';
/** Concurrent stages share the line, as in Spark; more than this would leave each too little room. */
const MAX_SHOWN = 3;

/**
 * Draws the progress of running stages on one terminal line, from scheduler events. On a
 * stream that is not a TTY (a pipe, a CI log) it writes nothing: redraws would be garbage there.
 */
export class ProgressBar {
  readonly listener: SparkListener = (event) => this.onEvent(event);

  private readonly stages = new Map<number, StageState>();
  private readonly enabled: boolean;
  private readonly showAfterMs: number;
  private readonly intervalMs: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;
  private stopped = false;

  constructor(
    private readonly out: ProgressStream,
    options: ProgressBarOptions = {},
  ) {
    this.enabled = out.isTTY === true;
    this.showAfterMs = options.showAfterMs ?? 500;
    this.intervalMs = options.intervalMs ?? 100;
  }

  /** Erases the bar so that other output can be written; the next event redraws it. */
  clear(): void {
    if (!this.drawn) return;
    this.out.write(CLEAR_LINE);
    this.drawn = false;
  }

  /** Stops redrawing and erases the bar. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.stages.clear();
    this.clear();
  }

  private onEvent(event: SparkListenerEvent): void {
    if (!this.enabled || this.stopped) return;
    switch (event.type) {
      case 'stageSubmitted':
        // A resubmitted stage (after a fetch failure) starts over with its missing partitions.
        this.stages.set(event.stageId, {
          stageId: event.stageId,
          total: event.numTasks,
          done: 0,
          running: 0,
          submittedAt: Date.now(),
        });
        break;
      case 'taskStart': {
        const stage = this.stages.get(event.stageId);
        if (stage === undefined) return;
        stage.running++;
        break;
      }
      case 'taskEnd': {
        const stage = this.stages.get(event.stageId);
        if (stage === undefined) return;
        stage.running = Math.max(0, stage.running - 1);
        if (event.successful) stage.done++;
        break;
      }
      case 'stageCompleted':
        if (!this.stages.delete(event.stageId)) return;
        // Not throttled: a finished stage must not linger on screen.
        if (this.stages.size === 0) this.clear();
        else this.draw();
        return;
      default:
        return;
    }
    this.scheduleDraw();
  }

  private scheduleDraw(): void {
    if (this.timer !== undefined || this.stages.size === 0) return;
    const now = Date.now();
    const firstVisible = Math.min(...[...this.stages.values()].map((s) => s.submittedAt + this.showAfterMs));
    const delay = Math.max(0, this.lastDraw + this.intervalMs - now, firstVisible - now);
    if (delay === 0) {
      this.draw();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, delay);
    // The bar must never keep the CLI alive after the job is done.
    this.timer.unref();
  }

  private draw(): void {
    const now = Date.now();
    const visible = [...this.stages.values()]
      .filter((s) => now - s.submittedAt >= this.showAfterMs)
      .sort((a, b) => a.stageId - b.stageId)
      .slice(0, MAX_SHOWN);
    if (visible.length === 0) {
      this.clear();
      this.scheduleDraw();
      return;
    }
    // One column short of the terminal: writing into the last column wraps on some terminals.
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    const each = Math.floor(width / visible.length);
    const line = visible.map((s) => renderStageProgress({ ...s, done: Math.min(s.done, s.total) }, each)).join('');
    this.out.write(CLEAR_LINE + line);
    this.drawn = true;
    this.lastDraw = now;
  }
}
