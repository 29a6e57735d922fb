/**
 * The API server refused a request, or could not be reached (`status` 0). `reason` is the
 * Status object's reason (NotFound, AlreadyExists, Conflict, Invalid, Expired, …) when it
 * sent one, and the message is the server's, prefixed with the request.
 */
export class KubeApiError extends Error {
  override name = 'KubeApiError';
  readonly status: number;
  readonly reason: string | undefined;

  constructor(status: number, reason: string | undefined, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.reason = reason;
  }

  static isNotFound(error: unknown): boolean {
    return error instanceof KubeApiError && error.status === 404;
  }

  static isConflict(error: unknown): boolean {
    return error instanceof KubeApiError && error.status === 409;
  }

  /** A watch or list from a resourceVersion the server no longer keeps: relist. */
  static isGone(error: unknown): boolean {
    return error instanceof KubeApiError && (error.status === 410 || error.reason === 'Expired' || error.reason === 'Gone');
  }
}
