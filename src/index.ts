/** kuberdd's public API: what job files import. */
export { SparkContext, type SparkContextOptions } from './driver/SparkContext.js';
export { RDD, type Env, type PartitionSpec } from './engine/RDD.js';
export type { SaveOptions } from './engine/output/runOutputJob.js';
export type { TaskContext } from './engine/TaskContext.js';
export type { Partition } from './engine/Partition.js';
export type { Partitioner } from './engine/Partitioner.js';
export { HashPartitioner } from './engine/HashPartitioner.js';
export { RangePartitioner } from './engine/RangePartitioner.js';
export { StorageLevel } from './engine/StorageLevel.js';
export { StatCounter } from './engine/StatCounter.js';
export { Broadcast } from './engine/Broadcast.js';
export { Accumulator } from './engine/Accumulator.js';
export { ModuleRef } from './driver/ModuleRef.js';
export { KeyMap } from './common/keys/KeyMap.js';
export { keyEquals } from './common/keys/keyEquals.js';
export { compareKeys } from './common/keys/compareKeys.js';
export { hashKey } from './common/keys/hashKey.js';
export type { SparkListener, SparkListenerEvent } from './scheduler/SparkListenerEvent.js';
export { KuberddError } from './common/errors/KuberddError.js';
export { CheckpointError } from './common/errors/CheckpointError.js';
export { ClosureError } from './common/errors/ClosureError.js';
export { UserInputError } from './common/errors/UserInputError.js';
export { JobFailedError } from './common/errors/JobFailedError.js';
export { JobCancelledError } from './common/errors/JobCancelledError.js';

/** What a job file's default export looks like. */
export type JobMain = (sc: import('./driver/SparkContext.js').SparkContext, args: string[]) => unknown;
