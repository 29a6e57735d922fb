import { availableParallelism } from 'node:os';
import { UserInputError } from '../common/errors/UserInputError.js';

export type Master =
  | { readonly kind: 'local'; readonly threads: number }
  /** Executor processes on this machine, reaching the driver over NATS. */
  | {
      readonly kind: 'local-cluster';
      readonly executors: number;
      /** Task slots each executor offers. */
      readonly cores: number;
      /** Heap limit of each executor's task thread, in MiB; undefined: Node's default. */
      readonly memoryMiB: number | undefined;
    }
  /** Executor pods on Kubernetes, made by a driver running in a pod (`kuberdd driver`); their number and size come from the SparkJob. */
  | { readonly kind: 'k8s' };

const HELP =
  'use local, local[N] (N worker threads), local[*] (one per core), local-cluster[N] (N executor processes) ' +
  'or local-cluster[N,cores,memoryMiB] (k8s is for drivers in a pod: kuberdd driver)';

/** `local`, `local[N]`, `local[*]`, `local-cluster[N]`, `local-cluster[N,cores,memoryMiB]` or `k8s`. */
export function parseMaster(master: string): Master {
  if (master === 'local') return { kind: 'local', threads: 1 };
  if (master === 'k8s') return { kind: 'k8s' };
  const m = /^local\[(\*|[1-9]\d*)\]$/.exec(master);
  if (m) return { kind: 'local', threads: m[1] === '*' ? availableParallelism() : Number(m[1]) };
  const c = /^local-cluster\[\s*([1-9]\d*)\s*(?:,\s*([1-9]\d*)\s*,\s*([1-9]\d*)\s*)?\]$/.exec(master);
  if (c) {
    const executors = Number(c[1]);
    const cores = c[2] === undefined ? 1 : Number(c[2]);
    const memoryMiB = c[3] === undefined ? undefined : Number(c[3]);
    if (executors > 64) throw new UserInputError(`master "${master}": at most 64 local executor processes, not ${executors}`, { code: 'BAD_MASTER' });
    if (memoryMiB !== undefined && memoryMiB < 64) {
      throw new UserInputError(`master "${master}": each executor needs at least 64 MiB of memory, not ${memoryMiB}`, { code: 'BAD_MASTER' });
    }
    return { kind: 'local-cluster', executors, cores, memoryMiB };
  }
  throw new UserInputError(`unknown master "${master}": ${HELP}`, { code: 'BAD_MASTER' });
}
