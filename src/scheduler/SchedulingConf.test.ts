import { describe, expect, it } from 'vitest';
import { UserInputError } from '../common/errors/UserInputError.js';
import { DEFAULT_SCHEDULING_CONF, readSchedulingConf } from './SchedulingConf.js';

/** Stands in for the driver's duration parser: bare milliseconds or `<n>ms` / `<n>s`. */
const parseDurationMs = (value: string, key: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value);
  if (!m) throw new UserInputError(`--conf ${key}=${value}: expected a duration`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
};
const read = (conf: Record<string, string>) => readSchedulingConf((k) => conf[k], parseDurationMs);

describe('readSchedulingConf', () => {
  it("has Spark's defaults, with speculation on and skipping off", () => {
    expect(read({})).toEqual(DEFAULT_SCHEDULING_CONF);
    expect(DEFAULT_SCHEDULING_CONF).toEqual({
      maxTaskFailures: 4,
      maxStageAttempts: 4,
      speculation: { enabled: true, quantile: 0.75, multiplier: 1.5, intervalMs: 100, minTaskRuntimeMs: 100 },
      skipping: { enabled: false, maxSkippedRecords: 10 },
    });
  });

  it('reads every key', () => {
    expect(
      read({
        'spark.task.maxFailures': '2',
        'spark.stage.maxConsecutiveAttempts': '1',
        'spark.speculation': 'FALSE',
        'spark.speculation.quantile': '0.5',
        'spark.speculation.multiplier': '3',
        'spark.speculation.interval': '1s',
        'spark.speculation.minTaskRuntime': '0',
        'kuberdd.task.skipBadRecords': 'true',
        'kuberdd.task.maxSkippedRecords': '3',
      }),
    ).toEqual({
      maxTaskFailures: 2,
      maxStageAttempts: 1,
      speculation: { enabled: false, quantile: 0.5, multiplier: 3, intervalMs: 1000, minTaskRuntimeMs: 0 },
      skipping: { enabled: true, maxSkippedRecords: 3 },
    });
  });

  it.each([
    ['spark.task.maxFailures', 'lots', 'expected a whole number >= 1'],
    ['spark.task.maxFailures', '0', 'expected a whole number >= 1'],
    ['spark.task.maxFailures', '2.5', 'expected a whole number >= 1'],
    ['spark.stage.maxConsecutiveAttempts', '-1', 'expected a whole number >= 1'],
    ['spark.speculation', 'yes', 'expected true or false'],
    ['spark.speculation.quantile', '1.5', 'expected a fraction in (0, 1]'],
    ['spark.speculation.multiplier', '', 'expected a number above zero'],
    ['spark.speculation.interval', '0', 'expected a duration above zero'],
    ['kuberdd.task.skipBadRecords', '1', 'expected true or false'],
    ['kuberdd.task.maxSkippedRecords', '-2', 'expected a whole number >= 0'],
  ])('rejects %s=%j naming the key', (key, value, expected) => {
    expect(() => read({ [key]: value })).toThrow(UserInputError);
    expect(() => read({ [key]: value })).toThrow(`--conf ${key}=${value}: ${expected}`);
  });
});
