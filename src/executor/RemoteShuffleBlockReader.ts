import path from 'node:path';
import { FetchFailedError } from '../shuffle/FetchFailedError.js';
import { LocalFileBlockReader } from '../shuffle/LocalFileBlockReader.js';
import type { MapStatus } from '../shuffle/MapStatus.js';
import type { ShuffleBlockReader } from '../shuffle/ShuffleBlockReader.js';
import type { FetchChannelClient } from './FetchChannelClient.js';

/** What the reader needs of the FetchChannel. */
export type SegmentFetches = Pick<FetchChannelClient, 'open' | 'next' | 'cancel'>;

/** Remote segments fetched ahead of the one being read, by default. */
export const DEFAULT_SEGMENTS_IN_FLIGHT = 4;

interface Segment {
  readonly status: MapStatus;
  readonly reduceId: number;
}

/**
 * One shuffle read's segments in an executor process: map outputs this executor wrote are read
 * from its disk; the others are fetched from the executors holding them, through the main
 * thread (FetchChannelClient), while the task waits synchronously. The reader knows every
 * segment the read needs (the map statuses and reduce range), so it fetches up to
 * `segmentsInFlight` of them ahead, in the order they will be read; the main thread bounds
 * the bytes each holds. A fetch that fails surfaces as FetchFailedError for that map output,
 * so the scheduler recomputes only it.
 */
export class RemoteShuffleBlockReader implements ShuffleBlockReader {
  readonly #executorId: string;
  readonly #client: SegmentFetches;
  readonly #local = new LocalFileBlockReader();
  readonly #segmentsInFlight: number;
  /** Remote segments in read order, and the next one not yet fetched ahead. */
  #plan: Segment[];
  #cursor = 0;
  /** Segments fetched ahead and not yet asked for: key → stream id. */
  readonly #ahead = new Map<string, number>();
  /** Segments asked for already (so never fetched ahead again). */
  readonly #claimed = new Set<string>();
  /** Streams open (fetched ahead or being read). */
  #open = 0;

  constructor(
    executorId: string,
    client: SegmentFetches,
    read: { readonly statuses: readonly MapStatus[]; readonly startPartition: number; readonly endPartition: number },
    segmentsInFlight = DEFAULT_SEGMENTS_IN_FLIGHT,
  ) {
    this.#executorId = executorId;
    this.#client = client;
    this.#segmentsInFlight = Math.max(1, segmentsInFlight);
    this.#plan = [];
    // The order LocalDiskShuffleManager reads them in: by map output, then reduce partition.
    for (const status of read.statuses) {
      if (status.executorId === executorId) continue;
      for (let r = read.startPartition; r < read.endPartition; r++) {
        if (status.offsets[r] !== status.offsets[r + 1]) this.#plan.push({ status, reduceId: r });
      }
    }
  }

  readSegment(status: MapStatus, reduceId: number): Iterable<Uint8Array> {
    if (status.executorId === this.#executorId) return this.#local.readSegment(status, reduceId);
    const start = status.offsets[reduceId];
    const end = status.offsets[reduceId + 1];
    if (start === undefined || end === undefined || end < start) {
      throw new RangeError(`Map output ${status.mapId} of shuffle ${status.shuffleId} has no segment for reduce partition ${reduceId}`);
    }
    return this.#remote({ status, reduceId }, start, end);
  }

  close(): void {
    for (const id of this.#ahead.values()) this.#client.cancel(id);
    this.#open -= this.#ahead.size;
    this.#ahead.clear();
    // Used again after a close, the reader fetches on demand.
    this.#plan = [];
    this.#cursor = 0;
    this.#claimed.clear();
    this.#local.close();
  }

  *#remote(segment: Segment, start: number, end: number): Generator<Uint8Array> {
    if (start === end) return;
    const key = keyOf(segment);
    this.#claimed.add(key);
    let id = this.#ahead.get(key);
    if (id === undefined) {
      id = this.#start(segment);
    } else {
      this.#ahead.delete(key);
    }
    this.#fetchAhead();
    let state: 'reading' | 'done' | 'failed' = 'reading';
    try {
      for (;;) {
        let chunk: Uint8Array | undefined;
        try {
          chunk = this.#client.next(id);
        } catch (error) {
          state = 'failed'; // the client closed the stream
          const { status, reduceId } = segment;
          throw new FetchFailedError({ shuffleId: status.shuffleId, mapId: status.mapId, reduceId, executorId: status.executorId }, error);
        }
        if (chunk === undefined) {
          state = 'done';
          return;
        }
        yield chunk;
      }
    } finally {
      this.#open--;
      if (state === 'reading') this.#client.cancel(id); // abandoned half-way
      // After a failure or an abandoned segment the read is ending: fetch nothing more ahead.
      if (state === 'done') this.#fetchAhead();
    }
  }

  #start(segment: Segment): number {
    const { status, reduceId } = segment;
    this.#open++;
    return this.#client.open({
      kind: 'segment',
      executorId: status.executorId,
      file: path.basename(status.dataPath),
      start: status.offsets[reduceId]!,
      end: status.offsets[reduceId + 1]!,
    });
  }

  #fetchAhead(): void {
    while (this.#open < this.#segmentsInFlight && this.#cursor < this.#plan.length) {
      const segment = this.#plan[this.#cursor++]!;
      const key = keyOf(segment);
      if (!this.#ahead.has(key) && !this.#claimed.has(key)) this.#ahead.set(key, this.#start(segment));
    }
  }
}

function keyOf(segment: Segment): string {
  return `${segment.status.executorId}|${segment.status.dataPath}|${segment.reduceId}`;
}
