import { spawnSync } from 'node:child_process';
import { KuberddError } from '../../common/errors/KuberddError.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';
import { rebatch } from './MapPartitionsNode.js';

/**
 * `pipe`: each partition's elements, one per line, go to an external command's stdin; its
 * stdout lines are the new elements (Spark's PipedRDD). A non-zero exit fails the task.
 */
export class PipedNode implements RDDNode<string> {
  readonly kind = 'piped';
  readonly displayName = 'PipedRDD';

  constructor(
    readonly dependencies: readonly Dependency[],
    readonly command: readonly string[],
    readonly env: Readonly<Record<string, string>>,
  ) {}

  getPartitions(): Partition[] {
    return [...this.dependencies[0]!.rdd.partitions];
  }

  compute(split: Partition, ctx: TaskContext): Iterable<string[]> {
    const parent = this.dependencies[0]!.rdd;
    const lines: string[] = [];
    for (const batch of parent.iterator(split, ctx)) for (const x of batch) lines.push(String(x));
    const [file, ...args] = this.command;
    const result = spawnSync(file!, args, {
      input: lines.length > 0 ? lines.join('\n') + '\n' : '',
      env: { ...process.env, ...this.env, KUBERDD_PARTITION: String(split.index) },
      maxBuffer: 1 << 30,
      encoding: 'utf8',
    });
    if (result.error !== undefined) {
      throw new KuberddError('PIPE_FAILED', `pipe(): could not run \`${this.command.join(' ')}\`: ${result.error.message}`, {
        cause: result.error,
      });
    }
    if (result.status !== 0) {
      const why = result.signal !== null ? `was killed by ${result.signal}` : `exited with status ${result.status}`;
      throw new KuberddError(
        'PIPE_FAILED',
        `pipe(): \`${this.command.join(' ')}\` ${why} on partition ${split.index}: ${result.stderr.trim().slice(0, 500)}`,
      );
    }
    const out = result.stdout.split('\n');
    if (out[out.length - 1] === '') out.pop();
    return rebatch(out, 'pipe');
  }

  toWire(): unknown {
    return { command: this.command, env: this.env };
  }
}
