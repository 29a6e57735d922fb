/**
 * Remembers the nonces of control messages accepted within the replay window, so that a
 * captured message re-sent while its timestamp is still fresh is refused too
 * (decodeControl's `replayGuard` option). Older messages are refused by their timestamp alone,
 * so a nonce is forgotten once its message would be expired anyway.
 */
export class ReplayGuard {
  /** Nonce (base64) → time after which it can be forgotten; insertion order ≈ time order. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    /** Bounds memory under a flood; the oldest nonces go first. */
    private readonly maxEntries = 100_000,
  ) {}

  /** True the first time a nonce is seen within the window, false for a replay. */
  admit(nonce: Uint8Array, timestampMs: number, nowMs: number): boolean {
    this.forgetBefore(nowMs);
    const key = Buffer.from(nonce.buffer, nonce.byteOffset, nonce.byteLength).toString('base64');
    if (this.seen.has(key)) return false;
    this.seen.set(key, Math.max(timestampMs, nowMs) + this.windowMs);
    if (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private forgetBefore(nowMs: number): void {
    for (const [key, until] of this.seen) {
      // Entries are roughly in time order; stopping at the first live one keeps this O(expired).
      if (until > nowMs) break;
      this.seen.delete(key);
    }
  }
}
