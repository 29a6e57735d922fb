import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FetchFailedError } from '../shuffle/FetchFailedError.js';
import type { MapStatus } from '../shuffle/MapStatus.js';
import { FetchChannelError } from './FetchChannelError.js';
import { RemoteShuffleBlockReader, type SegmentFetches } from './RemoteShuffleBlockReader.js';
import type { FetchTarget } from './TaskWorkerMessage.js';

/** A FetchChannel stand-in: serves each segment's bytes as chunks of 3 and records what was asked. */
class FakeFetches implements SegmentFetches {
  readonly opened: FetchTarget[] = [];
  readonly cancelled: number[] = [];
  readonly #streams = new Map<number, Uint8Array[]>();
  #open = 0;
  maxOpen = 0;
  failing = new Set<string>();

  open(target: FetchTarget): number {
    const id = this.opened.push(target) - 1;
    if (target.kind !== 'segment') throw new Error('unexpected');
    const bytes = Buffer.from(`${target.file}[${target.start},${target.end})`);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.subarray(i, i + 3));
    this.#streams.set(id, chunks);
    this.maxOpen = Math.max(this.maxOpen, ++this.#open);
    return id;
  }

  next(id: number): Uint8Array | undefined {
    const target = this.opened[id]!;
    if (target.kind === 'segment' && this.failing.has(target.file)) {
      this.#close(id);
      throw new FetchChannelError(`no responders for ${target.executorId}`);
    }
    const chunk = this.#streams.get(id)?.shift();
    if (chunk === undefined) this.#close(id);
    return chunk;
  }

  cancel(id: number): void {
    this.cancelled.push(id);
    this.#close(id);
  }

  #close(id: number): void {
    if (this.#streams.delete(id)) this.#open--;
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-remote-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function status(mapId: number, executorId: string, offsets: number[]): MapStatus {
  return { shuffleId: 1, mapId, executorId, dataPath: path.join(dir, `shuffle_1_${mapId}_${mapId}.data`), offsets, records: offsets.slice(1).map(() => 1) };
}

function text(chunks: Iterable<Uint8Array>): string {
  return Buffer.concat([...chunks].map((c) => Buffer.from(c))).toString();
}

describe('RemoteShuffleBlockReader', () => {
  const statuses = [status(0, 'exec-b', [0, 5, 5, 9]), status(1, 'exec-a', [0, 2, 4, 6]), status(2, 'exec-c', [0, 1, 2, 3]), status(3, 'exec-b', [0, 4, 8, 12])];

  it('reads its own map outputs from disk and fetches the others, in order, a bounded number ahead', () => {
    writeFileSync(statuses[1]!.dataPath, 'aabbcc');
    const fetches = new FakeFetches();
    const reader = new RemoteShuffleBlockReader('exec-a', fetches, { statuses, startPartition: 0, endPartition: 3 }, 2);
    const read: string[] = [];
    for (const s of statuses) for (let r = 0; r < 3; r++) if (s.offsets[r] !== s.offsets[r + 1]) read.push(text(reader.readSegment(s, r)));
    reader.close();
    expect(read).toEqual([
      'shuffle_1_0_0.data[0,5)',
      'shuffle_1_0_0.data[5,9)',
      'aa',
      'bb',
      'cc',
      'shuffle_1_2_2.data[0,1)',
      'shuffle_1_2_2.data[1,2)',
      'shuffle_1_2_2.data[2,3)',
      'shuffle_1_3_3.data[0,4)',
      'shuffle_1_3_3.data[4,8)',
      'shuffle_1_3_3.data[8,12)',
    ]);
    // Every remote segment fetched once (the empty one never), from the executor holding it, never more than 2 at once.
    expect(fetches.opened).toHaveLength(8);
    expect(fetches.opened[0]).toEqual({ kind: 'segment', executorId: 'exec-b', file: 'shuffle_1_0_0.data', start: 0, end: 5 });
    expect(fetches.maxOpen).toBe(2);
    expect(fetches.cancelled).toEqual([]);
  });

  it('a failed fetch is a FetchFailedError for that map output; close() cancels what was fetched ahead', () => {
    const fetches = new FakeFetches();
    fetches.failing.add('shuffle_1_2_2.data');
    const reader = new RemoteShuffleBlockReader('exec-a', fetches, { statuses: [statuses[2]!, statuses[3]!], startPartition: 0, endPartition: 3 }, 3);
    let error: unknown;
    try {
      text(reader.readSegment(statuses[2]!, 0));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FetchFailedError);
    expect(error).toMatchObject({ shuffleId: 1, mapId: 2, reduceId: 0, executorId: 'exec-c' });
    reader.close();
    expect(fetches.cancelled).toHaveLength(2);
    // Still usable after close(): it fetches on demand.
    expect(text(reader.readSegment(statuses[3]!, 1))).toBe('shuffle_1_3_3.data[4,8)');
  });

  it('a segment abandoned half-way is cancelled', () => {
    const fetches = new FakeFetches();
    const reader = new RemoteShuffleBlockReader('exec-a', fetches, { statuses: [statuses[3]!], startPartition: 0, endPartition: 1 }, 1);
    const it = reader.readSegment(statuses[3]!, 0)[Symbol.iterator]();
    expect(it.next().done).toBe(false);
    it.return?.();
    expect(fetches.cancelled).toEqual([0]);
  });
});
