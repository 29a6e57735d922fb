import { createLogger } from '../common/logging/createLogger.js';
import { ExecutorProcess } from '../executor/ExecutorProcess.js';
import { executorUsage } from './executorUsage.js';
import { formatError } from './formatError.js';
import { parseExecutorArgs } from './parseExecutorArgs.js';
import type { CliIo } from './runCommand.js';
import { isUsageError } from './usageError.js';

/**
 * `kuberdd executor`: runs one executor process until the driver stops it, the driver is gone,
 * or it gets SIGINT/SIGTERM (then it stops cleanly: its task thread, connection and directory).
 * Exits 0 when told to stop, 1 when it lost its driver or failed, 2 on a usage error.
 */
export async function executorCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseExecutorArgs(argv, io.env);
  } catch (error) {
    io.stderr.write(`${formatError(error, { env: io.env, cwd: io.cwd })}\n`);
    return isUsageError(error) ? 2 : 1;
  }
  if (args.help) {
    io.stdout.write(`${executorUsage}\n`);
    return 0;
  }

  const logger = createLogger({
    format: args.logFormat,
    stream: io.stderr,
    level: io.env['KUBERDD_LOG_LEVEL'] ?? 'info',
    fields: { app: args.appId, executorId: args.executorId },
  });
  const starting = new AbortController();
  let executor: ExecutorProcess | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info('stopping on a signal', { signal });
    // While starting, the start is aborted (and cleans up after itself).
    if (executor === undefined) starting.abort(new Error(`received ${signal}`));
    else void executor.stop({ kind: 'shutdown', reason: `received ${signal}` });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    executor = await ExecutorProcess.start(
      {
        appId: args.appId,
        executorId: args.executorId,
        cores: args.cores,
        secret: args.secret,
        nats: args.nats,
        localDir: args.localDir,
        memoryMiB: args.memoryMiB,
        logger,
      },
      starting.signal,
    );
    const exit = await executor.exited;
    return exit.kind === 'shutdown' ? 0 : 1;
  } catch (error) {
    if (starting.signal.aborted) return 0; // told to stop while starting: not a failure
    logger.error('executor failed', { error: String((error as Error).message ?? error) });
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
