import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { encode } from '../../common/codec/codec.js';
import { frameBlock } from '../../common/codec/frameBlock.js';
import { KuberddError } from '../../common/errors/KuberddError.js';
import type { TaskContext } from '../TaskContext.js';
import { partFileName, type PendingCommit } from './PendingCommit.js';

/** What each output task is told: where to write and in which format. Plain data (shipped). */
export interface OutputTaskSpec {
  readonly jobKey: string;
  /** Absolute path of the output directory. */
  readonly outputDir: string;
  /** `text`: one `String(x)` line per element; `object`: CBOR batches in checksummed frames. */
  readonly format: 'text' | 'object';
}

/**
 * Runs on the executor as an output job's result function: streams the partition into the
 * attempt's own file under `_temporary` (synchronously, batch by batch) and returns the
 * PendingCommit the executor completes after asking the driver. If the partition fails
 * half-way, the half-written attempt directory is removed.
 */
export function writeOutputPartition(batches: Iterable<unknown[]>, ctx: TaskContext, spec: OutputTaskSpec): PendingCommit {
  const jobDir = path.join(spec.outputDir, '_temporary', spec.jobKey);
  const name = partFileName(ctx.partitionId);
  const attemptDir = path.join(jobDir, `attempt_${ctx.stageId}_${ctx.partitionId}_${ctx.attemptNumber}_${ctx.taskAttemptId}`);
  try {
    // Not recursive: the driver made the job directory; once it is gone (the job failed or
    // ended) a late attempt must not bring the output directory back.
    mkdirSync(attemptDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KuberddError('OUTPUT_JOB_ENDED', `the output job writing ${spec.outputDir} is no longer running (${jobDir} is gone)`, { cause: error });
    }
    throw error;
  }
  const attemptFile = path.join(attemptDir, name);
  let records = 0;
  let bytes = 0;
  let fd: number | undefined;
  try {
    fd = openSync(attemptFile, 'wx');
    for (const batch of batches) {
      if (batch.length === 0) continue;
      let chunk: Uint8Array;
      if (spec.format === 'text') {
        let text = '';
        for (let i = 0; i < batch.length; i++) text += `${String(batch[i])}\n`;
        chunk = Buffer.from(text, 'utf8');
      } else {
        chunk = frameBlock(encode(batch));
      }
      for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off, chunk.length - off);
      records += batch.length;
      bytes += chunk.length;
    }
    closeSync(fd);
    fd = undefined;
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(attemptDir, { recursive: true, force: true });
    throw error;
  }
  ctx.metrics.recordsWritten += records;
  ctx.metrics.bytesWritten += bytes;
  return {
    kind: 'kuberdd.pendingCommit',
    jobKey: spec.jobKey,
    partition: ctx.partitionId,
    outputDir: spec.outputDir,
    attemptDir,
    attemptFile,
    finalFile: path.join(spec.outputDir, name),
    result: records,
  };
}
