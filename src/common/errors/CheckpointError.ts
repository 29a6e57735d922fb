import { KuberddError } from './KuberddError.js';

export type CheckpointErrorCode = 'CHECKPOINT_CORRUPT' | 'CHECKPOINT_MISSING';

const nameOf: Record<CheckpointErrorCode, string> = {
  CHECKPOINT_CORRUPT: 'CheckpointCorruptError',
  CHECKPOINT_MISSING: 'CheckpointMissingError',
};

/**
 * A checkpoint file (or locally checkpointed block) is damaged or gone. The message names the
 * file. Raised inside tasks, it crosses to the driver as a task error's name and message; the
 * driver turns it back into a CheckpointError with the same code (`fromRemote`).
 */
export class CheckpointError extends KuberddError {
  override name: string;
  declare readonly code: CheckpointErrorCode;

  constructor(code: CheckpointErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = nameOf[code];
  }

  /** The error a task raised, rebuilt from its name and message, or undefined if it was no CheckpointError. */
  static fromRemote(name: string, message: string, cause?: unknown): CheckpointError | undefined {
    for (const [code, n] of Object.entries(nameOf) as [CheckpointErrorCode, string][]) {
      if (n === name) return new CheckpointError(code, message, { cause });
    }
    return undefined;
  }
}
