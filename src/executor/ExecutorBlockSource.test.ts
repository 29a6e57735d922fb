import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutorBlockSource } from './ExecutorBlockSource.js';
import { StagedPayloads } from './StagedPayloads.js';

let dir: string;
let staged: StagedPayloads;
let source: ExecutorBlockSource;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-blocksource-'));
  mkdirSync(path.join(dir, 'shuffle'));
  writeFileSync(path.join(dir, 'shuffle', 'shuffle_1_2_3.data'), Buffer.from('0123456789'));
  writeFileSync(path.join(dir, 'secret.txt'), 'do not serve');
  staged = new StagedPayloads(60_000);
  source = new ExecutorBlockSource(path.join(dir, 'shuffle'), staged);
});

afterEach(() => {
  staged.clear();
  rmSync(dir, { recursive: true, force: true });
});

describe('ExecutorBlockSource', () => {
  it('serves the byte range of a map output file a segment id names', () => {
    const block = source.open(ExecutorBlockSource.segmentBlockId('shuffle_1_2_3.data', 2, 7))!;
    expect(block.size).toBe(5);
    expect(Buffer.from(block.read(0, 5)).toString()).toBe('23456');
    expect(Buffer.from(block.read(3, 2)).toString()).toBe('56');
    block.close?.();
  });

  it('serves nothing outside the shuffle directory, nothing missing, and no range past the end', () => {
    for (const id of ['../secret.txt:0-4', 'shuffle_1_2_3.data/../../secret.txt:0-4', 'secret.txt:0-4', 'shuffle_1_2_3.data:0-11', 'shuffle_1_2_3.data:5-2', 'shuffle_9_9_9.data:0-1', 'anything']) {
      expect(source.open(id)).toBeUndefined();
    }
  });

  it('serves a staged payload once: the fetch that closes it drops it', () => {
    const { blockId, size } = staged.stage(new Uint8Array([1, 2, 3]));
    expect(size).toBe(3);
    const block = source.open(blockId)!;
    expect([...block.read(1, 2)]).toEqual([2, 3]);
    block.close?.();
    expect(source.open(blockId)).toBeUndefined();
    expect(source.open('staged-0000')).toBeUndefined();
  });
});
