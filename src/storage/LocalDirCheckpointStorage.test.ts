import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointStorageFromWire } from './CheckpointStorage.js';
import { LocalDirCheckpointStorage } from './LocalDirCheckpointStorage.js';

describe('LocalDirCheckpointStorage', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-ckpt-storage-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes (creating the directory), reads, lists sorted, replaces and deletes', () => {
    const s = new LocalDirCheckpointStorage(path.join(dir, 'rdd-1'));
    expect(s.list()).toEqual([]);
    expect(s.read('part-00000')).toBeUndefined();
    s.write('part-00001', new Uint8Array([4, 5]));
    s.write('part-00000', new Uint8Array([1, 2, 3]));
    expect(s.list()).toEqual(['part-00000', 'part-00001']);
    expect([...s.read('part-00000')!]).toEqual([1, 2, 3]);
    s.write('part-00000', new Uint8Array([9]));
    expect([...s.read('part-00000')!]).toEqual([9]);
    s.delete('part-00000');
    s.delete('part-00000');
    expect(s.list()).toEqual(['part-00001']);
  });

  it('leaves no temporary files behind and does not list in-progress writes', () => {
    const s = new LocalDirCheckpointStorage(dir);
    s.write('a', new Uint8Array(10));
    expect(readdirSync(dir)).toEqual(['a']);
    writeFileSync(path.join(dir, 'b.tmp-123-abcd'), 'partial');
    expect(s.list()).toEqual(['a']);
  });

  it('rejects names that would leave the directory', () => {
    const s = new LocalDirCheckpointStorage(dir);
    expect(() => s.write('../x', new Uint8Array(1))).toThrow(/invalid checkpoint file name/);
    expect(() => s.read('')).toThrow(/invalid checkpoint file name/);
  });

  it('round-trips through its wire form', () => {
    const s = new LocalDirCheckpointStorage(path.join(dir, 'rel', '..', 'x'));
    expect(s.location).toBe(path.join(dir, 'x'));
    s.write('f', new Uint8Array([7]));
    const back = checkpointStorageFromWire(structuredClone(s.toWire()));
    expect(back).toBeInstanceOf(LocalDirCheckpointStorage);
    expect([...back.read('f')!]).toEqual([7]);
  });
});
