import { KuberddError } from '../common/errors/KuberddError.js';

/** Why a block fetch failed; callers map SERVER_GONE, MISSING_BLOCK, etc. to their own recovery. */
export type BlockFetchErrorCode =
  | 'MISSING_BLOCK'
  | 'TIMEOUT'
  | 'CHECKSUM_MISMATCH'
  | 'SERVER_GONE'
  | 'SESSION_LOST'
  | 'SERVER_ERROR'
  | 'PROTOCOL'
  | 'ABORTED'
  | 'TRANSPORT';

/** A block could not be fetched whole and intact from the server on `subject`. */
export class BlockFetchError extends KuberddError {
  override name = 'BlockFetchError';
  readonly subject: string;
  readonly blockId: string;

  constructor(code: BlockFetchErrorCode, subject: string, blockId: string, message: string, options?: { cause?: unknown }) {
    super(code, `Fetching block '${blockId}' from '${subject}': ${message}`, options);
    this.subject = subject;
    this.blockId = blockId;
  }
}
