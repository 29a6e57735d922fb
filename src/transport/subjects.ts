import { UserInputError } from '../common/errors/UserInputError.js';

/*
 * The subject layout, one function per family. Every id becomes one subject token, so it may
 * not contain '.', whitespace or the wildcards '*' and '>': only [A-Za-z0-9_-] is allowed.
 *
 *   kuberdd.<app>.driver                executor → driver control (register, heartbeat, requests…)
 *   kuberdd.<app>.exec.<executorId>     driver → executor control (launch, kill, remove…, shutdown)
 *   kuberdd.<app>.blocks.<executorId>   block fetches served by that executor
 *   kuberdd.<app>.driver.blocks         blocks served by the driver (broadcasts, stage binaries)
 */

const TOKEN = /^[A-Za-z0-9_-]+$/;

function token(value: string, what: string): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new UserInputError(
      `Invalid ${what} ${JSON.stringify(value)} for a NATS subject: use only letters, digits, '_' and '-' (it becomes one subject token).`,
      { code: 'INVALID_SUBJECT_TOKEN' },
    );
  }
  return value;
}

/** Executor → driver control messages of application `app`. */
export function driverSubject(app: string): string {
  return `kuberdd.${token(app, 'app id')}.driver`;
}

/** Driver → executor control messages for one executor. */
export function executorSubject(app: string, executorId: string): string {
  return `kuberdd.${token(app, 'app id')}.exec.${token(executorId, 'executor id')}`;
}

/** Block fetches (shuffle outputs, cached blocks) served by one executor. */
export function executorBlocksSubject(app: string, executorId: string): string {
  return `kuberdd.${token(app, 'app id')}.blocks.${token(executorId, 'executor id')}`;
}

/** Block fetches served by the driver: broadcast values, stage binaries. */
export function driverBlocksSubject(app: string): string {
  return `kuberdd.${token(app, 'app id')}.driver.blocks`;
}
