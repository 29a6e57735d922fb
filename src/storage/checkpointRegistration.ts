import { registerIntrinsic } from '../common/closure/intrinsics.js';
import type { CheckpointStorageWire } from './CheckpointStorage.js';
import { writeCheckpointPartition } from './checkpointFiles.js';
import './LocalDirCheckpointStorage.js';
import './JetStreamCheckpointStorage.js';
import { registerRDDNodeKind } from '../engine/rddNodeKinds.js';
import { ReliableCheckpointNode } from './ReliableCheckpointNode.js';

/*
 * Loaded by the driver (SparkContext) and by executors: rebuilds checkpoint nodes and storages
 * from their wire form, and lets the checkpoint job's shipped function call the writer.
 */
registerRDDNodeKind(
  'reliableCheckpoint',
  ({ args }) => new ReliableCheckpointNode(args.storage as CheckpointStorageWire, args.numPartitions as number),
);
registerIntrinsic('writeCheckpointPartition', writeCheckpointPartition);
