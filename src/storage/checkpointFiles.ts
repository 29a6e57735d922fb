import { decode, encode } from '../common/codec/codec.js';
import { frameBlock, readFramedBlocks } from '../common/codec/frameBlock.js';
import { CheckpointError } from '../common/errors/CheckpointError.js';
import { checkpointStorageFromWire, type CheckpointStorage, type CheckpointStorageWire } from './CheckpointStorage.js';

/*
 * Checkpoint layout, per checkpointed RDD (one CheckpointStorage location):
 *   part-00000 … part-(N-1)  one per partition: checksummed frames (frameBlock), the first a
 *                            header { format, version, partition, batches, records }, then one
 *                            frame per record batch (codec-encoded array)
 *   _metadata                one frame { format, version, numPartitions, rddId }, written after
 *                            every part file: its presence marks a complete checkpoint
 * The header's counts catch a file cut at a frame boundary (which per-frame CRCs cannot).
 */
const PART_FORMAT = 'kuberdd-checkpoint-partition';
const META_FORMAT = 'kuberdd-checkpoint';
const VERSION = 1;
export const CHECKPOINT_METADATA = '_metadata';

export function checkpointPartName(index: number): string {
  return `part-${String(index).padStart(5, '0')}`;
}

interface PartHeader {
  readonly format: string;
  readonly version: number;
  readonly partition: number;
  readonly batches: number;
  readonly records: number;
}

export interface CheckpointMetadata {
  readonly format: string;
  readonly version: number;
  readonly numPartitions: number;
  readonly rddId: number;
}

/** The bytes of one partition's checkpoint file. */
export function encodeCheckpointPartition(partition: number, batches: Iterable<readonly unknown[]>): Uint8Array {
  const frames: Uint8Array[] = [];
  let records = 0;
  for (const batch of batches) {
    if (batch.length === 0) continue;
    records += batch.length;
    frames.push(frameBlock(encode(batch)));
  }
  const header: PartHeader = { format: PART_FORMAT, version: VERSION, partition, batches: frames.length, records };
  frames.unshift(frameBlock(encode(header)));
  return Buffer.concat(frames);
}

/**
 * Writes partition `partition` (runs inside a checkpoint job's task; an intrinsic, so the
 * shipped writer function can call it). Returns the number of records written.
 */
export function writeCheckpointPartition(wire: CheckpointStorageWire, partition: number, batches: Iterable<unknown[]>): number {
  const storage = checkpointStorageFromWire(wire);
  const bytes = encodeCheckpointPartition(partition, batches);
  storage.write(checkpointPartName(partition), bytes);
  return bytes.length;
}

/**
 * The record batches of partition `partition`, fully verified before any is returned.
 * Throws CheckpointError CHECKPOINT_MISSING or CHECKPOINT_CORRUPT naming the file.
 */
export function readCheckpointPartition(storage: CheckpointStorage, partition: number): unknown[][] {
  const name = checkpointPartName(partition);
  const file = `${storage.location}/${name}`;
  const bytes = storage.read(name);
  if (bytes === undefined) {
    throw new CheckpointError(
      'CHECKPOINT_MISSING',
      `checkpoint file ${file} is missing: the checkpoint of partition ${partition} was deleted or never completely written; recompute the RDD from its source and checkpoint it again`,
    );
  }
  const corrupt = (problem: string, cause?: unknown): CheckpointError =>
    new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `checkpoint file ${file} is corrupt: ${problem}; the file was damaged after it was written, recompute the RDD from its source and checkpoint it again`,
      { cause },
    );
  const payloads: Uint8Array[] = [];
  try {
    for (const payload of readFramedBlocks(bytes, file)) payloads.push(payload);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // readFramedBlocks names the file too; keep only where and what.
    const detail = /(at byte offset \d+: .*?)\. The data was damaged/.exec(message)?.[1] ?? message;
    throw corrupt(detail, error);
  }
  let header: PartHeader | undefined;
  const batches: unknown[][] = [];
  try {
    const [first, ...rest] = payloads;
    if (first === undefined) throw corrupt('the file is empty (no header)');
    header = decode<PartHeader>(first);
    for (const p of rest) batches.push(decode<unknown[]>(p));
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw corrupt(`undecodable content (${error instanceof Error ? error.message : String(error)})`, error);
  }
  if (header?.format !== PART_FORMAT || header.version !== VERSION) throw corrupt('not a kuberdd checkpoint partition file (bad header)');
  if (header.partition !== partition) throw corrupt(`it holds partition ${header.partition}, not ${partition}`);
  let records = 0;
  for (const b of batches) records += Array.isArray(b) ? b.length : Number.NaN;
  if (batches.length !== header.batches || records !== header.records) {
    throw corrupt(`truncated (header says ${header.batches} batches of ${header.records} records, found ${batches.length} batches of ${records} records)`);
  }
  return batches;
}

export function writeCheckpointMetadata(storage: CheckpointStorage, meta: { numPartitions: number; rddId: number }): void {
  const m: CheckpointMetadata = { format: META_FORMAT, version: VERSION, ...meta };
  storage.write(CHECKPOINT_METADATA, frameBlock(encode(m)));
}

/** A complete checkpoint's metadata; throws CHECKPOINT_MISSING / CHECKPOINT_CORRUPT naming the file. */
export function readCheckpointMetadata(storage: CheckpointStorage): CheckpointMetadata {
  const file = `${storage.location}/${CHECKPOINT_METADATA}`;
  const bytes = storage.read(CHECKPOINT_METADATA);
  if (bytes === undefined) {
    throw new CheckpointError(
      'CHECKPOINT_MISSING',
      `checkpoint file ${file} is missing: ${storage.location} is not a complete RDD checkpoint (give the directory that getCheckpointFile() returned, e.g. <checkpointDir>/<uuid>/rdd-3)`,
    );
  }
  try {
    const [payload] = [...readFramedBlocks(bytes, file)];
    if (payload === undefined) throw new Error('the file is empty');
    const meta = decode<CheckpointMetadata>(payload);
    if (meta?.format !== META_FORMAT || meta.version !== VERSION || !Number.isInteger(meta.numPartitions) || meta.numPartitions < 0) {
      throw new Error('not a kuberdd checkpoint metadata file');
    }
    return meta;
  } catch (error) {
    throw new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `checkpoint file ${file} is corrupt: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** Checks that every part file of a checkpoint exists (not their content); throws CHECKPOINT_MISSING naming the first absent one. */
export function verifyCheckpointParts(storage: CheckpointStorage, numPartitions: number): void {
  const present = new Set(storage.list());
  for (let p = 0; p < numPartitions; p++) {
    const name = checkpointPartName(p);
    if (!present.has(name)) {
      throw new CheckpointError(
        'CHECKPOINT_MISSING',
        `checkpoint file ${storage.location}/${name} is missing (the checkpoint has ${numPartitions} partitions); recompute the RDD from its source and checkpoint it again`,
      );
    }
  }
}
