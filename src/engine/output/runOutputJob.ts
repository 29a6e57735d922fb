import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserInputError } from '../../common/errors/UserInputError.js';
import { rddLineageIdentity } from '../lineageIdentity.js';
import type { RDD } from '../RDD.js';
import type { TaskContext } from '../TaskContext.js';
import { walkLineage } from '../walkLineage.js';
import { writeOutputPartition, type OutputTaskSpec } from './writeOutputPartition.js';

export interface SaveOptions {
  /**
   * Replace an existing output directory. The old directory is replaced only when the new job
   * has committed every partition: until then the job writes into a staging sibling
   * (`<out>.<jobKey>.staging`), which is swapped in at the end. A failed job leaves the old
   * output as it was, and an RDD may read the directory it overwrites.
   */
  readonly overwrite?: boolean;
}

/**
 * Runs an output job on the driver (`saveAsTextFile`, `saveAsObjectFile`) with the output
 * commit protocol: tasks write under `<out>/_temporary/<jobKey>/`, each partition is committed
 * once by the attempt the driver's coordinator authorizes, and on success `_SUCCESS` is written
 * and `_temporary` removed. On failure the output directory is removed entirely, so no part
 * files are left at the final path (with `overwrite`, the old output stays).
 *
 * `_SUCCESS` names what was written: the lineage identity of the RDD and the format. A driver
 * restarted after a crash (supervise) runs the job's code again from the start; an output its
 * earlier attempt committed with the same identity is left as it is instead of failing with
 * OUTPUT_EXISTS, and one it left unfinished is removed and written again: either way each part
 * file is committed exactly once.
 */
export async function runOutputJob(
  rdd: RDD<unknown>,
  outPath: string,
  format: OutputTaskSpec['format'],
  options: SaveOptions,
  action: string,
): Promise<void> {
  if (typeof outPath !== 'string' || outPath.length === 0) throw new UserInputError(`${action}() needs an output directory path`);
  const finalDir = path.resolve(outPath.startsWith('file:') ? fileURLToPath(outPath) : outPath);
  const jobKey = `job_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const exists = (): UserInputError =>
    new UserInputError(`${action}(): output directory ${outPath} already exists; remove it, or pass { overwrite: true } to replace it`, {
      code: 'OUTPUT_EXISTS',
    });
  // A driver restarted after dying mid-job finds what its earlier attempt left.
  if (rdd.context.getConf('kuberdd.output.recoverUnfinished') === 'true') {
    if (isUnfinishedOutput(finalDir)) removeFailedOutput(finalDir, `${jobKey}.unfinished`);
    else if (existsSync(path.join(finalDir, '_SUCCESS')) && committedAs(finalDir, await preparedSuccessMarker(rdd, format))) return;
  }
  const replacing = existsSync(finalDir);
  if (replacing && options.overwrite !== true) throw exists();
  // Tasks write and commit into `outputDir`: the final directory, or a staging sibling swapped in at the end.
  const outputDir = replacing ? `${finalDir}.${jobKey}.staging` : finalDir;
  const spec: OutputTaskSpec = { jobKey, outputDir, format };
  const lib = { writeOutputPartition };
  // Captured first: a function that cannot be shipped fails before anything touches the disk.
  const write = rdd.capture(
    (batches: Iterable<unknown[]>, ctx: TaskContext) => lib.writeOutputPartition(batches, ctx, spec),
    { lib, spec },
    action,
  );
  mkdirSync(path.dirname(outputDir), { recursive: true });
  try {
    // Not recursive: of two jobs racing to create the same output directory, one gets an error.
    mkdirSync(outputDir);
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === 'EEXIST' ? exists() : error;
  }
  mkdirSync(path.join(outputDir, '_temporary', jobKey), { recursive: true });
  rdd.context.startOutputJob(jobKey);
  try {
    await rdd.context.runJob(rdd, write, { description: action });
  } catch (error) {
    rdd.context.stopOutputJob(jobKey);
    removeFailedOutput(outputDir, jobKey);
    throw error;
  }
  rdd.context.stopOutputJob(jobKey);
  rmSync(path.join(outputDir, '_temporary'), { recursive: true, force: true });
  // After the job: a sortByKey's range bounds, part of its lineage, exist only once its sampling job ran.
  writeFileSync(path.join(outputDir, '_SUCCESS'), successMarker(rdd, format));
  if (replacing) {
    const old = `${finalDir}.${jobKey}.old`;
    renameSync(finalDir, old);
    renameSync(outputDir, finalDir);
    rmSync(old, { recursive: true, force: true });
  }
}

/** What `_SUCCESS` holds: one JSON line naming the output's lineage and format. */
function successMarker(rdd: RDD<unknown>, format: OutputTaskSpec['format']): string {
  return `${JSON.stringify({ lineage: rddLineageIdentity(rdd), format })}\n`;
}

/** successMarker once every node of the lineage is prepared (sortByKey samples its range bounds). */
async function preparedSuccessMarker(rdd: RDD<unknown>, format: OutputTaskSpec['format']): Promise<string> {
  const lineage: RDD<unknown>[] = [];
  walkLineage(rdd, (r) => {
    lineage.push(r);
  });
  // In any order: a sampling job prepares the lineage it runs on itself.
  for (const r of lineage) await r.node.prepare?.();
  return successMarker(rdd, format);
}

/** The directory holds a committed output of the same lineage and format (an earlier driver attempt's). */
function committedAs(dir: string, marker: string): boolean {
  try {
    return readFileSync(path.join(dir, '_SUCCESS'), 'utf8') === marker;
  } catch {
    return false;
  }
}

/**
 * An output directory a job started and never committed: `_temporary` without `_SUCCESS`.
 * Only a driver restarted after a crash (kuberdd driver, attempt 2 or later, sets
 * `kuberdd.output.recoverUnfinished`) treats it as its own earlier attempt's.
 */
function isUnfinishedOutput(dir: string): boolean {
  return existsSync(path.join(dir, '_temporary')) && !existsSync(path.join(dir, '_SUCCESS'));
}

/**
 * Moves the directory aside before deleting it: an authorized attempt still finishing its
 * rename then finds its source gone instead of dropping a part file into the final path.
 */
function removeFailedOutput(outputDir: string, jobKey: string): void {
  const aside = `${outputDir}.${jobKey}.failed`;
  try {
    renameSync(outputDir, aside);
    rmSync(aside, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    rmSync(outputDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
