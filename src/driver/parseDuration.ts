import { UserInputError } from '../common/errors/UserInputError.js';

/** Spark-style durations: `3s`, `100ms`, `2min`, or a bare number of milliseconds. */
export function parseDurationMs(value: string, key: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/.exec(value.trim());
  if (!m) throw new UserInputError(`--conf ${key}=${value}: expected a duration such as 3s, 100ms or 2min`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'h' ? 3_600_000 : 60_000);
}
