import { decode } from '../common/codec/codec.js';
import { readFramedStream } from '../common/codec/frameBlock.js';
import type { Logger } from '../common/logging/Logger.js';
import type { FetchChannelClient } from './FetchChannelClient.js';

/**
 * Cached partitions held by other executors, for a task that runs where its input is not
 * cached: fetched whole (through the main thread, which asks the driver where the partition
 * is) and decoded before the task sees any record, so that any failure — the holder is gone,
 * busy, dropped the block, or the bytes are damaged — falls back to recomputing the partition
 * from its lineage instead of failing the task.
 */
export class RemoteCacheReader {
  constructor(
    private readonly client: FetchChannelClient,
    private readonly logger: Logger,
  ) {}

  /** The partition's batches, or undefined when no other executor could provide it. */
  read(rddId: number, partition: number): unknown[][] | undefined {
    const id = this.client.open({ kind: 'rdd', rddId, partition });
    const chunks: Uint8Array[] = [];
    try {
      for (let c = this.client.next(id); c !== undefined; c = this.client.next(id)) chunks.push(c);
    } catch (error) {
      this.logger.debug('cached partition not fetched; recomputing it', { rddId, partition, reason: String((error as Error).message ?? error) });
      return undefined;
    }
    try {
      const batches: unknown[][] = [];
      for (const payload of readFramedStream(chunks, `cached partition ${partition} of RDD ${rddId}`)) {
        const batch = decode(payload);
        if (!Array.isArray(batch)) throw new Error(`a block decoded to ${typeof batch}, not a record batch`);
        batches.push(batch);
      }
      return batches;
    } catch (error) {
      this.logger.warn('a fetched cached partition was damaged; recomputing it', { rddId, partition, error: String((error as Error).message ?? error) });
      return undefined;
    }
  }
}
