import { UserInputError } from '../common/errors/UserInputError.js';

/** Backup copies of straggling tasks (Spark's speculative execution). */
export interface SpeculationConf {
  /** `spark.speculation` (default true). */
  readonly enabled: boolean;
  /** `spark.speculation.quantile` (0.75): the fraction of a stage's tasks that must have finished first. */
  readonly quantile: number;
  /** `spark.speculation.multiplier` (1.5): how many times slower than the median a straggler is. */
  readonly multiplier: number;
  /** `spark.speculation.interval` (100ms): how often running tasks are checked. */
  readonly intervalMs: number;
  /** `spark.speculation.minTaskRuntime` (100ms): tasks running shorter are never speculated. */
  readonly minTaskRuntimeMs: number;
}

/** MapReduce's skipping mode: records that make a task fail deterministically are skipped. */
export interface BadRecordSkippingConf {
  /** `kuberdd.task.skipBadRecords` (default false). */
  readonly enabled: boolean;
  /** `kuberdd.task.maxSkippedRecords` (10): bad records one task may skip. */
  readonly maxSkippedRecords: number;
}

/** How the schedulers retry, speculate and skip: the fault-tolerance settings and their defaults. */
export interface SchedulingConf {
  /** `spark.task.maxFailures` (4): failed attempts of one task before its stage (and job) fails. */
  readonly maxTaskFailures: number;
  /** `spark.stage.maxConsecutiveAttempts` (4): stage attempts in a row that may end in a fetch failure. */
  readonly maxStageAttempts: number;
  readonly speculation: SpeculationConf;
  readonly skipping: BadRecordSkippingConf;
}

export const DEFAULT_SCHEDULING_CONF: SchedulingConf = {
  maxTaskFailures: 4,
  maxStageAttempts: 4,
  speculation: { enabled: true, quantile: 0.75, multiplier: 1.5, intervalMs: 100, minTaskRuntimeMs: 100 },
  skipping: { enabled: false, maxSkippedRecords: 10 },
};

/**
 * Reads the settings from `--conf` values, with the defaults above for missing keys.
 * `parseDurationMs` reads durations such as `100ms` or `2s` (the driver's parser, so every
 * duration setting accepts the same forms). Throws UserInputError naming the bad key.
 */
export function readSchedulingConf(
  get: (key: string) => string | undefined,
  parseDurationMs: (value: string, key: string) => number,
): SchedulingConf {
  const d = DEFAULT_SCHEDULING_CONF;
  const number = (key: string, fallback: number, valid: (n: number) => boolean, expected: string): number => {
    const raw = get(key);
    if (raw === undefined) return fallback;
    const n = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(n) || !valid(n)) throw new UserInputError(`--conf ${key}=${raw}: expected ${expected}`);
    return n;
  };
  const wholeNumber = (key: string, fallback: number, min: number): number =>
    number(key, fallback, (n) => Number.isInteger(n) && n >= min, `a whole number >= ${min}`);
  const boolean = (key: string, fallback: boolean): boolean => {
    const raw = get(key);
    if (raw === undefined) return fallback;
    const v = raw.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new UserInputError(`--conf ${key}=${raw}: expected true or false`);
  };
  const duration = (key: string, fallback: number, positive: boolean): number => {
    const raw = get(key);
    if (raw === undefined) return fallback;
    const ms = parseDurationMs(raw, key);
    if (positive && !(ms > 0)) throw new UserInputError(`--conf ${key}=${raw}: expected a duration above zero, such as 100ms`);
    return ms;
  };
  return {
    maxTaskFailures: wholeNumber('spark.task.maxFailures', d.maxTaskFailures, 1),
    maxStageAttempts: wholeNumber('spark.stage.maxConsecutiveAttempts', d.maxStageAttempts, 1),
    speculation: {
      enabled: boolean('spark.speculation', d.speculation.enabled),
      quantile: number('spark.speculation.quantile', d.speculation.quantile, (n) => n > 0 && n <= 1, 'a fraction in (0, 1], such as 0.75'),
      multiplier: number('spark.speculation.multiplier', d.speculation.multiplier, (n) => n > 0, 'a number above zero, such as 1.5'),
      intervalMs: duration('spark.speculation.interval', d.speculation.intervalMs, true),
      minTaskRuntimeMs: duration('spark.speculation.minTaskRuntime', d.speculation.minTaskRuntimeMs, false),
    },
    skipping: {
      enabled: boolean('kuberdd.task.skipBadRecords', d.skipping.enabled),
      maxSkippedRecords: wholeNumber('kuberdd.task.maxSkippedRecords', d.skipping.maxSkippedRecords, 0),
    },
  };
}
