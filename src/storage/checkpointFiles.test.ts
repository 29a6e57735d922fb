import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointError } from '../common/errors/CheckpointError.js';
import {
  checkpointPartName,
  encodeCheckpointPartition,
  readCheckpointMetadata,
  readCheckpointPartition,
  verifyCheckpointParts,
  writeCheckpointMetadata,
  writeCheckpointPartition,
} from './checkpointFiles.js';
import { LocalDirCheckpointStorage } from './LocalDirCheckpointStorage.js';

function thrown(f: () => unknown): CheckpointError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

describe('checkpoint files', () => {
  let dir: string;
  let storage: LocalDirCheckpointStorage;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-ckpt-files-'));
    storage = new LocalDirCheckpointStorage(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names parts like Spark', () => {
    expect(checkpointPartName(0)).toBe('part-00000');
    expect(checkpointPartName(123456)).toBe('part-123456');
  });

  it('round-trips batches of any encodable records, dropping empty batches', () => {
    const batches = [[1, 'a', [2, { b: null }]], [], [new Map([[1, 2]]), 3n]];
    writeCheckpointPartition(storage.toWire(), 2, batches);
    expect(readCheckpointPartition(storage, 2)).toEqual([batches[0], batches[2]]);
    writeCheckpointPartition(storage.toWire(), 3, []);
    expect(readCheckpointPartition(storage, 3)).toEqual([]);
  });

  it('a missing part is CHECKPOINT_MISSING naming the file', () => {
    const e = thrown(() => readCheckpointPartition(storage, 4));
    expect(e.code).toBe('CHECKPOINT_MISSING');
    expect(e.name).toBe('CheckpointMissingError');
    expect(e.message).toContain(path.join(dir, 'part-00004'));
  });

  it('any flipped byte, a cut, an empty file or another partition\'s file is CHECKPOINT_CORRUPT naming the file', () => {
    const good = encodeCheckpointPartition(0, [[1, 2, 3], ['x', 'y']]);
    const file = path.join(dir, 'part-00000');
    for (let i = 0; i < good.length; i++) {
      const bad = good.slice();
      bad[i] = bad[i]! ^ 0x41;
      storage.write('part-00000', bad);
      const e = thrown(() => readCheckpointPartition(storage, 0));
      expect(e.code).toBe('CHECKPOINT_CORRUPT');
      expect(e.message).toContain(file);
    }
    for (const cut of [0, 5, good.length - 1]) {
      storage.write('part-00000', good.subarray(0, cut));
      expect(thrown(() => readCheckpointPartition(storage, 0)).code).toBe('CHECKPOINT_CORRUPT');
    }
    // Cut exactly at a frame boundary: only the header's counts can tell.
    const headerOnly = encodeCheckpointPartition(0, [[1, 2, 3]]);
    const oneBatch = encodeCheckpointPartition(0, []);
    storage.write('part-00000', headerOnly.subarray(0, oneBatch.length));
    expect(thrown(() => readCheckpointPartition(storage, 0)).code).toBe('CHECKPOINT_CORRUPT');
    storage.write('part-00000', encodeCheckpointPartition(1, [[1]]));
    expect(thrown(() => readCheckpointPartition(storage, 0)).message).toMatch(/holds partition 1, not 0/);
  });

  it('metadata marks a complete checkpoint; verifyCheckpointParts names the first missing part', () => {
    expect(thrown(() => readCheckpointMetadata(storage)).code).toBe('CHECKPOINT_MISSING');
    writeCheckpointMetadata(storage, { numPartitions: 3, rddId: 7 });
    expect(readCheckpointMetadata(storage)).toMatchObject({ numPartitions: 3, rddId: 7 });
    writeCheckpointPartition(storage.toWire(), 0, [[1]]);
    writeCheckpointPartition(storage.toWire(), 2, [[3]]);
    const e = thrown(() => verifyCheckpointParts(storage, 3));
    expect(e.code).toBe('CHECKPOINT_MISSING');
    expect(e.message).toContain(path.join(dir, 'part-00001'));
    writeCheckpointPartition(storage.toWire(), 1, [[2]]);
    expect(() => verifyCheckpointParts(storage, 3)).not.toThrow();

    const meta = storage.read('_metadata')!;
    meta[meta.length - 1] = meta[meta.length - 1]! ^ 1;
    storage.write('_metadata', meta);
    const c = thrown(() => readCheckpointMetadata(storage));
    expect(c.code).toBe('CHECKPOINT_CORRUPT');
    expect(c.message).toContain(path.join(dir, '_metadata'));
  });
});

describe('CheckpointError.fromRemote', () => {
  it('rebuilds the error a task raised from its name and message', () => {
    const original = new CheckpointError('CHECKPOINT_CORRUPT', 'checkpoint file /x is corrupt');
    const back = CheckpointError.fromRemote(original.name, original.message);
    expect(back).toBeInstanceOf(CheckpointError);
    expect(back?.code).toBe('CHECKPOINT_CORRUPT');
    expect(back?.message).toBe(original.message);
    expect(CheckpointError.fromRemote('Error', 'x')).toBeUndefined();
  });
});
