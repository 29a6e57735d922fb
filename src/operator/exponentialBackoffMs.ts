/**
 * The wait before retry number `failures` (1-based): initial × factor^(failures-1), capped
 * at max. All in seconds in, milliseconds out.
 */
export function exponentialBackoffMs(failures: number, backoff: { readonly initialSeconds?: number; readonly maxSeconds?: number; readonly factor?: number }): number {
  const initial = backoff.initialSeconds ?? 10;
  const max = backoff.maxSeconds ?? 300;
  const factor = backoff.factor ?? 2;
  const seconds = Math.min(max, initial * factor ** Math.max(0, failures - 1));
  return Math.round(seconds * 1000);
}
