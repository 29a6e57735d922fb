import { Writable } from 'node:stream';
import type { SparkJob } from '../api/SparkJob.js';
import type { RestartPolicy } from '../api/SparkJobSpec.js';
import { createLogger } from '../common/logging/createLogger.js';
import type { Logger } from '../common/logging/Logger.js';
import type { KubernetesDriverSettings } from '../driver/KubernetesDriverSettings.js';
import { ProgressReporter } from '../driver/ProgressReporter.js';
import { reportJobOutcome, type JobOutcome } from '../driver/reportJobOutcome.js';
import { HttpKubeClient } from '../k8s/HttpKubeClient.js';
import { SIGNING_KEY } from '../operator/buildDriverPod.js';
import { jobSecretName } from '../operator/jobSecretName.js';
import { sparkJobs } from '../operator/sparkJobs.js';
import { formatError } from './formatError.js';
import { JobSummary } from './JobSummary.js';
import { runCommand, type CliIo, type CreateContext } from './runCommand.js';
import { isUsageError, usageError } from './usageError.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;
/** What a restarted driver needs beyond the backoff to find its executors: pod start, job loading. */
const RESTART_MARGIN_MS = 120_000;
const MIN_SECRET_BYTES = 16;

/** The driver pod's identity, from the environment the operator gives it (src/operator/buildDriverPod.ts). */
interface DriverPodEnv {
  readonly namespace: string;
  readonly jobName: string;
  readonly jobUid: string;
  readonly appId: string;
  readonly attempt: number;
  readonly secret: Uint8Array;
}

/**
 * `kuberdd driver [--conf key=value]… <job file> [job args…]`: runs a job module inside the
 * driver pod the operator made, exactly as `kuberdd run` would (the same loading, errors and
 * summary), with master `k8s`: executors are pods of the SparkJob, sized by its
 * `spec.executor`. The job's identity comes from the pod's environment (KUBERDD_JOB_NAMESPACE,
 * KUBERDD_JOB_NAME, KUBERDD_JOB_UID, KUBERDD_APP_ID, KUBERDD_ATTEMPT, KUBERDD_SECRET,
 * KUBERDD_NATS_URL and the NATS credentials).
 *
 * Before exiting it writes the outcome into the SparkJob's status: the summary always, and the
 * final phase when no restart is to follow (a failure under restartPolicy Never, a success
 * under Never or OnFailure), so the operator restarts a failed driver under OnFailure. A driver
 * stopped by SIGTERM (its pod deleted or evicted) writes nothing final.
 */
export async function driverCommand(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) return runCommand(['--help'], io);
  const logger = createLogger({ format: 'text', stream: io.stderr, level: io.env['KUBERDD_LOG_LEVEL'] ?? 'info', fields: { component: 'driver' } });
  let pod: DriverPodEnv;
  let job: SparkJob;
  let client: HttpKubeClient;
  let executorCommand: string[];
  try {
    executorCommand = executorCommandLine(io.env['KUBERDD_EXECUTOR_COMMAND']);
    pod = readDriverPodEnv(io.env);
    // KUBECONFIG when given (the stand-in's pod runner sets it), the pod's service account otherwise.
    client = HttpKubeClient.load(nonEmpty(io.env['KUBECONFIG']));
    const found = await client.get(sparkJobs, pod.namespace, pod.jobName);
    if (found === undefined || found.metadata.uid !== pod.jobUid) {
      logger.error('the SparkJob of this driver is gone; nothing to do', { job: `${pod.namespace}/${pod.jobName}` });
      return EXIT_FAILED;
    }
    job = found;
    if (job.spec.conf?.['kuberdd.kubernetes.executor.command'] !== undefined) executorCommand = executorCommandLine(job.spec.conf['kuberdd.kubernetes.executor.command']);
  } catch (error) {
    io.stderr.write(`${formatError(error, { env: io.env, cwd: io.cwd })}\n`);
    return isUsageError(error) ? EXIT_USAGE : EXIT_FAILED;
  }

  const spec = job.spec;
  const x = spec.executor ?? {};
  const credentials = spec.nats?.credentialsSecret?.name;
  const settings: KubernetesDriverSettings = {
    client,
    namespace: pod.namespace,
    jobName: pod.jobName,
    jobUid: pod.jobUid,
    attempt: pod.attempt,
    appId: pod.appId,
    secret: pod.secret,
    secretEnv: {
      KUBERDD_SECRET: { secretKeyRef: { name: jobSecretName(pod.jobName), key: SIGNING_KEY } },
      ...(credentials === undefined
        ? {}
        : {
            KUBERDD_NATS_USER: { secretKeyRef: { name: credentials, key: 'user', optional: true } },
            KUBERDD_NATS_PASSWORD: { secretKeyRef: { name: credentials, key: 'password', optional: true } },
            KUBERDD_NATS_TOKEN: { secretKeyRef: { name: credentials, key: 'token', optional: true } },
          }),
    },
    executor: {
      image: spec.image,
      imagePullPolicy: spec.imagePullPolicy,
      command: executorCommand,
      instances: x.instances ?? 2,
      cores: x.cores ?? 1,
      memory: x.memory,
      serviceAccountName: x.serviceAccountName,
      env: x.env,
      labels: x.labels,
      annotations: x.annotations,
      nodeSelector: x.nodeSelector,
      tolerations: x.tolerations,
      podTemplate: x.podTemplate,
    },
  };

  const summary = new JobSummary();
  const progress = new ProgressReporter(client, { namespace: pod.namespace, name: pod.jobName }, logger);
  const createContext: CreateContext = async (options) => {
    const { SparkContext } = await import('../driver/SparkContext.js');
    const sc = new SparkContext({ ...options, kubernetes: settings });
    sc.addListener(summary.listener);
    sc.addListener(progress.listener);
    return sc;
  };
  const restart = spec.restartPolicy ?? {};
  const extraConf: string[] = [];
  // Executors must outwait a driver restart to be reused by the next attempt.
  if (restart.type !== undefined && restart.type !== 'Never' && spec.conf?.['kuberdd.executor.driverTimeout'] === undefined) {
    extraConf.push('--conf', `kuberdd.executor.driverTimeout=${Math.round(restartWaitMs(restart) / 1000)}s`);
  }
  // What an earlier attempt that died mid-job left in an output directory is its own: cleaned and written again.
  if (pod.attempt > 1) extraConf.push('--conf', 'kuberdd.output.recoverUnfinished=true');
  const stderr = new LastWriteTee(io.stderr);
  const code = await runCommand(['--master', 'k8s', ...extraConf, ...argv], { ...io, stderr }, createContext);
  // Writes still buffered in the tee (the error is the last) are through once it has finished.
  await new Promise<void>((resolve) => stderr.end(resolve));
  progress.stop();
  if (code === EXIT_INTERRUPTED) {
    logger.info('stopped by a signal; leaving the job\'s status to the operator');
    return code;
  }
  await writeOutcome(client, pod, restart, code, summary, code === 0 ? undefined : stderr.last.trim(), logger);
  return code;
}

async function writeOutcome(
  client: HttpKubeClient,
  pod: DriverPodEnv,
  restart: RestartPolicy,
  code: number,
  summary: JobSummary,
  error: string | undefined,
  logger: Logger,
): Promise<void> {
  const stats = summary.stats();
  const totalTasks = stats.tasks.succeeded + stats.tasks.failed + stats.tasks.killed;
  const report: Record<string, unknown> = {
    attempt: pod.attempt,
    jobs: stats.jobs,
    stages: stats.stages,
    tasks: stats.tasks,
    durationMs: stats.wallTimeMs,
    shuffleBytesWritten: stats.shuffleBytesWritten,
    shuffleBytesRead: stats.shuffleBytesRead,
    spillBytes: stats.spillBytes,
    skippedRecords: stats.skippedRecords,
    exitCode: code,
    ...(error === undefined ? {} : { error }),
  };
  const type = restart.type ?? 'Never';
  const final = code === 0 ? type !== 'Always' : type === 'Never';
  const outcome: JobOutcome = {
    phase: code === 0 ? 'Succeeded' : 'Failed',
    reason: code === 0 ? 'JobSucceeded' : code === EXIT_USAGE ? 'InvalidJob' : 'JobFailed',
    message: code === 0 ? `The job succeeded on driver attempt ${pod.attempt}: ${stats.tasks.succeeded} tasks in ${stats.stages.run} stages.` : (error ?? `The driver exited with code ${code}.`),
    summary: report,
    progress: `${stats.tasks.succeeded}/${totalTasks} tasks`,
  };
  try {
    if (final) {
      const written = await reportJobOutcome(client, { namespace: pod.namespace, name: pod.jobName, uid: pod.jobUid }, outcome);
      logger.info(written ? 'wrote the job\'s final status' : 'the job already has a final status; left it', { phase: outcome.phase });
    } else {
      // A restart follows (the operator's decision): only the driver's own part of the status.
      await client.mergePatch(sparkJobs, pod.namespace, pod.jobName, { status: { summary: report, progress: outcome.progress } }, 'status');
    }
  } catch (e) {
    logger.error('could not write the job\'s status', { error: String((e as Error).message ?? e) });
  }
}

/** How long a restarted driver may take to come back: the longest backoff the policy allows, plus a margin. */
function restartWaitMs(policy: RestartPolicy): number {
  const initial = policy.backoff?.initialSeconds ?? 10;
  const max = policy.backoff?.maxSeconds ?? 300;
  const factor = policy.backoff?.factor ?? 2;
  const attempts = policy.maxAttempts ?? 3;
  return Math.max(60_000, Math.min(max, initial * factor ** Math.max(0, attempts - 1)) * 1000 + RESTART_MARGIN_MS);
}

/**
 * What executor containers run: `kuberdd.kubernetes.executor.command` in the SparkJob's conf
 * (or KUBERDD_EXECUTOR_COMMAND), a JSON array, when set; else this very program with
 * `executor` (the same image runs driver and executors).
 */
function executorCommandLine(configured: string | undefined): string[] {
  if (configured !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(configured);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string')) {
      throw usageError(`The executor command ${configured} is not a JSON array of strings.`, 'Give it as e.g. ["kuberdd","executor"].');
    }
    return parsed as string[];
  }
  const script = process.argv[1];
  return script === undefined ? ['kuberdd', 'executor'] : [process.execPath, script, 'executor'];
}

function readDriverPodEnv(env: Readonly<Record<string, string | undefined>>): DriverPodEnv {
  const need = (name: string): string => {
    const value = nonEmpty(env[name]);
    if (value === undefined) {
      throw usageError(`${name} is not set.`, 'kuberdd driver runs in a driver pod made by the operator, which sets it; to run a job elsewhere use kuberdd run.');
    }
    return value;
  };
  const attempt = Number(need('KUBERDD_ATTEMPT'));
  if (!Number.isInteger(attempt) || attempt < 1) throw usageError(`KUBERDD_ATTEMPT=${env['KUBERDD_ATTEMPT']} is not a whole number >= 1.`, 'The operator sets it to the driver attempt.');
  const hex = need('KUBERDD_SECRET');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex) || hex.length < 2 * MIN_SECRET_BYTES) {
    throw usageError(`KUBERDD_SECRET must be at least ${MIN_SECRET_BYTES} bytes written as hex digits.`, "It comes from the job's Secret (key signing-key).");
  }
  return {
    namespace: need('KUBERDD_JOB_NAMESPACE'),
    jobName: need('KUBERDD_JOB_NAME'),
    jobUid: need('KUBERDD_JOB_UID'),
    appId: need('KUBERDD_APP_ID'),
    attempt,
    secret: new Uint8Array(Buffer.from(hex, 'hex')),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Passes writes through and keeps the last one: the error runCommand reports last, for the status. */
class LastWriteTee extends Writable {
  last = '';
  readonly isTTY = false;
  readonly #to: NodeJS.WritableStream;

  constructor(to: NodeJS.WritableStream) {
    super();
    this.#to = to;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.last = chunk.toString('utf8');
    this.#to.write(chunk, callback);
  }
}
