/**
 * Base class of every error kuberdd raises on purpose. `code` is a stable machine-readable
 * identifier; the message is for people and says what was wrong, where, and how to fix it.
 */
export class KuberddError extends Error {
  override name = 'KuberddError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
