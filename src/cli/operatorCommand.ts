import { createLogger } from '../common/logging/createLogger.js';
import { HttpKubeClient } from '../k8s/HttpKubeClient.js';
import { Operator } from '../operator/Operator.js';
import { formatError } from './formatError.js';
import { operatorUsage } from './operatorUsage.js';
import { parseOperatorArgs } from './parseOperatorArgs.js';
import type { CliIo } from './runCommand.js';
import { isUsageError } from './usageError.js';

/**
 * `kuberdd operator`: runs until SIGTERM/SIGINT (graceful: in-flight reconciles finish, the
 * lease is released; exit 0) or until it loses leadership (exit 1, so that the Deployment
 * restarts it as a candidate). Exit 2 on a usage error.
 */
export async function operatorCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    const parsed = parseOperatorArgs(argv, io.env);
    if ('help' in parsed) {
      io.stdout.write(`${operatorUsage}\n`);
      return 0;
    }
    args = parsed;
  } catch (error) {
    io.stderr.write(`${formatError(error, { env: io.env, cwd: io.cwd })}\n`);
    return isUsageError(error) ? 2 : 1;
  }
  const logger = createLogger({ format: args.logFormat, stream: io.stderr, level: io.env['KUBERDD_LOG_LEVEL'] ?? 'info', fields: { component: 'operator' } });
  let operator: Operator;
  try {
    const client = HttpKubeClient.load(args.kubeconfig);
    operator = await Operator.start({
      client,
      namespaces: args.namespaces,
      logger,
      metricsPort: args.metricsPort,
      driverCommand: args.driverCommand,
      concurrency: args.concurrency,
      ...(args.defaultNatsUrl === undefined ? {} : { defaultNatsUrl: args.defaultNatsUrl }),
      ...(args.leaderElect ? { leaderElection: { namespace: args.leaseNamespace, leaseName: args.leaseName } } : {}),
    });
  } catch (error) {
    logger.error('the operator could not start', { error: (error as Error).message });
    return 1;
  }
  logger.info('operator started', { namespaces: args.namespaces ?? 'all', metricsPort: operator.metricsPort, leaderElect: args.leaderElect });
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info('stopping on a signal', { signal });
    stopping ??= operator.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const outcome = await operator.done;
    await (stopping ?? operator.stop());
    return outcome === 'stopped' ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
