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
    const lines = spec.format === 'text' ? new LineWriter(fd) : undefined;
    for (const batch of batches) {
      if (batch.length === 0) continue;
      if (lines !== undefined) {
        bytes += lines.write(batch);
      } else {
        const chunk = frameBlock(encode(batch));
        writeFully(fd, chunk, chunk.length);
        bytes += chunk.length;
      }
      records += batch.length;
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

function writeFully(fd: number, bytes: Uint8Array, length: number): void {
  for (let off = 0; off < length; ) off += writeSync(fd, bytes, off, length - off);
}

const INITIAL_LINE_BUFFER_BYTES = 1 << 20;

/** Writes elements as `String(x)` lines, a batch per write, through one reused buffer. */
class LineWriter {
  #buf = Buffer.allocUnsafeSlow(INITIAL_LINE_BUFFER_BYTES);

  constructor(private readonly fd: number) {}

  /** Writes the batch's lines; returns their byte length. */
  write(batch: readonly unknown[]): number {
    let text: string;
    if (batch.every((x) => typeof x === 'string')) {
      // One join builds the text flat; per-line concatenation built a rope to flatten again.
      text = (batch as readonly string[]).join('\n');
    } else {
      text = String(batch[0]);
      for (let i = 1; i < batch.length; i++) text += `\n${String(batch[i])}`;
    }
    const length = Buffer.byteLength(text, 'utf8');
    if (length + 1 > this.#buf.length) this.#buf = Buffer.allocUnsafeSlow(length + 1);
    // A text whose UTF-8 is as long as it is, is ASCII: its Latin-1 bytes are the same, copied.
    if (length === text.length) (this.#buf as unknown as { latin1Write(s: string, at: number): number }).latin1Write(text, 0);
    else this.#buf.write(text, 0, 'utf8');
    this.#buf[length] = 0x0a;
    writeFully(this.fd, this.#buf, length + 1);
    return length + 1;
  }
}
