// Faults tests inject into the stand-in (from code or `POST /_standin/faults`): dropped and
// expired watches, conflicting updates, failing requests, latency.

export interface FaultSpec {
  /** Close every open watch now. */
  dropWatches?: boolean;
  /** Close every open watch every N milliseconds (0 stops it). */
  dropWatchesEveryMs?: number;
  /** Answer the next K watch requests with an ERROR event of code 410 (Expired). */
  expireNextWatches?: number;
  /** Answer the next K updates/patches of a resource (plural, e.g. 'sparkjobs'; '*' for any) with 409 Conflict. */
  conflictNextUpdates?: { resource: string; count: number };
  /** Fail the next K requests (optionally only for a resource plural) with 500 InternalError. */
  failNextRequests?: { count: number; resource?: string };
  /** Delay every response by this many milliseconds (0 removes it). */
  latencyMs?: number;
}

export class FaultInjector {
  expireNextWatches = 0;
  latencyMs = 0;
  private readonly conflicts = new Map<string, number>();
  private failures: { count: number; resource: string | undefined } = { count: 0, resource: undefined };
  private dropTimer: NodeJS.Timeout | undefined;

  constructor(private readonly dropAllWatches: () => void) {}

  apply(spec: FaultSpec): void {
    if (spec.dropWatches === true) this.dropAllWatches();
    if (spec.dropWatchesEveryMs !== undefined) {
      clearInterval(this.dropTimer);
      this.dropTimer = undefined;
      if (spec.dropWatchesEveryMs > 0) {
        this.dropTimer = setInterval(() => this.dropAllWatches(), spec.dropWatchesEveryMs);
        this.dropTimer.unref();
      }
    }
    if (spec.expireNextWatches !== undefined) this.expireNextWatches = spec.expireNextWatches;
    if (spec.conflictNextUpdates !== undefined) this.conflicts.set(spec.conflictNextUpdates.resource, spec.conflictNextUpdates.count);
    if (spec.failNextRequests !== undefined) this.failures = { count: spec.failNextRequests.count, resource: spec.failNextRequests.resource };
    if (spec.latencyMs !== undefined) this.latencyMs = spec.latencyMs;
  }

  reset(): void {
    clearInterval(this.dropTimer);
    this.dropTimer = undefined;
    this.expireNextWatches = 0;
    this.latencyMs = 0;
    this.conflicts.clear();
    this.failures = { count: 0, resource: undefined };
  }

  /** Consumes one planned watch expiry, if any. */
  takeWatchExpiry(): boolean {
    if (this.expireNextWatches <= 0) return false;
    this.expireNextWatches--;
    return true;
  }

  /** Consumes one planned conflict for an update of `resource`, if any. */
  takeConflict(resource: string): boolean {
    for (const key of [resource, '*']) {
      const left = this.conflicts.get(key) ?? 0;
      if (left > 0) {
        this.conflicts.set(key, left - 1);
        return true;
      }
    }
    return false;
  }

  /** Consumes one planned request failure for `resource` (undefined for non-resource paths), if any. */
  takeFailure(resource: string | undefined): boolean {
    if (this.failures.count <= 0) return false;
    if (this.failures.resource !== undefined && this.failures.resource !== resource) return false;
    this.failures.count--;
    return true;
  }

  describe(): Record<string, unknown> {
    return {
      expireNextWatches: this.expireNextWatches,
      latencyMs: this.latencyMs,
      conflictNextUpdates: Object.fromEntries(this.conflicts),
      failNextRequests: this.failures,
      droppingWatchesPeriodically: this.dropTimer !== undefined,
    };
  }

  [Symbol.dispose](): void {
    this.reset();
  }
}
