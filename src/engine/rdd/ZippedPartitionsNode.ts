import type { Closure } from '../../common/closure/Closure.js';
import { UserInputError } from '../../common/errors/UserInputError.js';
import { BATCH_SIZE } from '../batchSize.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';
import { rebatch, records } from './MapPartitionsNode.js';

type ZipFn = (...iterators: Iterable<unknown>[]) => unknown;

/**
 * Partition i of every parent, side by side: `zip` pairs elements (equal counts required);
 * `zipPartitions` hands the user one iterator per parent.
 */
export class ZippedPartitionsNode<T> implements RDDNode<T> {
  readonly kind = 'zippedPartitions';
  readonly displayName = 'ZippedPartitionsRDD';

  constructor(
    readonly dependencies: readonly Dependency[],
    readonly fn: Closure<ZipFn> | undefined,
  ) {}

  getPartitions(): Partition[] {
    return this.dependencies[0]!.rdd.partitions.map((_, index) => ({ index }));
  }

  preferredLocations(split: Partition): readonly string[] {
    const first = this.dependencies[0]!.rdd;
    return first.preferredLocations(first.partitions[split.index]!);
  }

  compute(split: Partition, ctx: TaskContext): Iterable<T[]> {
    const inputs = this.dependencies.map((d) => d.rdd.iterator(d.rdd.partitions[split.index]!, ctx));
    if (this.fn === undefined) return zipPair(inputs[0]!, inputs[1]!, split.index) as Iterable<T[]>;
    return rebatch(this.fn.fn(...inputs.map((i) => records(i))), 'zipPartitions');
  }

  toWire(): unknown {
    return { fn: this.fn?.serialized };
  }
}

function* zipPair(a: Iterable<unknown[]>, b: Iterable<unknown[]>, partition: number): Generator<unknown[]> {
  const left = records(a);
  const right = records(b);
  let out: unknown[] = [];
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done !== y.done) {
      throw new UserInputError(
        `zip() can only zip RDDs with the same number of elements in each partition; partition ${partition} differs. ` +
          `Use zipWithIndex() on both and join on the index instead.`,
        { code: 'ZIP_SIZE_MISMATCH' },
      );
    }
    if (x.done) break;
    out.push([x.value, y.value]);
    if (out.length >= BATCH_SIZE) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
