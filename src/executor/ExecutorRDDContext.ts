import type { ClosureRef } from '../common/closure/shippable.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { RDDContext } from '../engine/RDDContext.js';

/**
 * The context of RDDs rebuilt on an executor. Jobs cannot start from inside a task (Spark's
 * SPARK-5063), so everything that would start or change one is refused with a clear error.
 */
export class ExecutorRDDContext implements RDDContext {
  readonly defaultParallelism = 1;
  readonly defaultMinPartitions = 1;

  getConf(): string | undefined {
    return undefined;
  }

  newRddId(): number {
    throw refuse('create RDDs');
  }

  newShuffleId(): number {
    throw refuse('create shuffles');
  }

  runJob(): Promise<never> {
    return Promise.reject(refuse('run actions'));
  }

  autoBroadcast(): ClosureRef | undefined {
    return undefined;
  }

  persistRdd(): void {
    throw refuse('persist RDDs');
  }

  unpersistRdd(): void {
    throw refuse('unpersist RDDs');
  }

  startOutputJob(): void {
    throw refuse('save RDDs');
  }

  stopOutputJob(): void {
    throw refuse('save RDDs');
  }
}

function refuse(what: string): UserInputError {
  return new UserInputError(
    `code running inside a task cannot ${what}: RDD transformations and actions can only be called by the driver (the job's main function), not inside functions passed to them`,
  );
}
