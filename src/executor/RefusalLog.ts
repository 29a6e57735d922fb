import type { Logger } from '../common/logging/Logger.js';

/** At most this many refusals are logged one by one per minute; the rest are counted. */
export const REFUSALS_LOGGED_PER_MINUTE = 20;

/**
 * Logs refused control messages (unsigned, forged, malformed) without letting a flood of
 * them flood the log: the first REFUSALS_LOGGED_PER_MINUTE of each minute are logged with
 * their reason, then one line says how many more were dropped.
 */
export class RefusalLog {
  #windowStart = 0;
  #inWindow = 0;

  constructor(private readonly logger: Logger) {}

  refused(subject: string, reason: string): void {
    const now = Date.now();
    if (now - this.#windowStart > 60_000) {
      if (this.#inWindow > REFUSALS_LOGGED_PER_MINUTE) {
        this.logger.warn('more control messages were refused', { count: this.#inWindow - REFUSALS_LOGGED_PER_MINUTE });
      }
      this.#windowStart = now;
      this.#inWindow = 0;
    }
    if (++this.#inWindow <= REFUSALS_LOGGED_PER_MINUTE) this.logger.warn('refused a control message', { subject, reason });
  }
}
