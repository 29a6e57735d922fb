import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { decode } from '../common/codec/codec.js';
import { KuberddError } from '../common/errors/KuberddError.js';
import { readFramedBlocks } from '../common/codec/frameBlock.js';
import { FRAME_HEADER_BYTES } from './blockCodec.js';

/**
 * Blocks kept as files under one directory (the executor's `<localDir>/blocks`): each file is
 * the block's batches as concatenated frames (see blockCodec.ts). Writes and reads are
 * synchronous, like the task pipeline, and stream one batch at a time.
 */
export class DiskStore {
  readonly #files = new Map<string, number>();
  #dirMade = false;

  constructor(readonly dir: string) {}

  has(blockId: string): boolean {
    return this.#files.has(blockId);
  }

  /** Bytes of a block's file, or undefined when it has none. */
  size(blockId: string): number | undefined {
    return this.#files.get(blockId);
  }

  /** Bytes of every block file. */
  get bytesUsed(): number {
    let n = 0;
    for (const b of this.#files.values()) n += b;
    return n;
  }

  #path(blockId: string): string {
    return path.join(this.dir, `${blockId}.blk`);
  }

  /**
   * Writes a block's frames (pulled one at a time, so a partition streams to disk without being
   * held) and returns the bytes written. If pulling a frame throws (the computation failed or
   * the task was killed), the partial file is removed and the error rethrown.
   */
  write(blockId: string, frames: Iterable<Uint8Array>): number {
    if (!this.#dirMade) {
      mkdirSync(this.dir, { recursive: true });
      this.#dirMade = true;
    }
    this.remove(blockId);
    const file = this.#path(blockId);
    const fd = openSync(file, 'w');
    let bytes = 0;
    try {
      for (const frame of frames) {
        let off = 0;
        while (off < frame.length) off += writeSync(fd, frame, off, frame.length - off);
        bytes += frame.length;
      }
    } catch (error) {
      closeSync(fd);
      rmSync(file, { force: true });
      throw error;
    }
    closeSync(fd);
    this.#files.set(blockId, bytes);
    return bytes;
  }

  /**
   * A block's batches, read and decoded one frame at a time as the caller pulls. The file is
   * opened per frame, so an iterator abandoned half way holds no descriptor.
   */
  read(blockId: string): Iterable<unknown[]> | undefined {
    const total = this.#files.get(blockId);
    if (total === undefined) return undefined;
    const file = this.#path(blockId);
    return (function* (): Generator<unknown[]> {
      let pos = 0;
      while (pos < total) {
        const frame = readFrameAt(file, pos, total);
        for (const payload of readFramedBlocks(frame, `${file}@${pos}`)) yield decode<unknown[]>(payload);
        pos += frame.length;
      }
    })();
  }

  /** A block's whole file, frames undecoded (checked when they are decoded). */
  readBytes(blockId: string): Uint8Array {
    if (!this.#files.has(blockId)) throw new KuberddError('BLOCK_MISSING', `no block ${blockId} on disk`);
    return readFileSync(this.#path(blockId));
  }

  remove(blockId: string): boolean {
    if (!this.#files.delete(blockId)) return false;
    rmSync(this.#path(blockId), { force: true });
    return true;
  }

  /** Removes every block file and the directory. */
  clear(): void {
    this.#files.clear();
    rmSync(this.dir, { recursive: true, force: true });
    this.#dirMade = false;
  }
}

function readFrameAt(file: string, pos: number, total: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new KuberddError('BLOCK_MISSING', `cached block file ${file} is gone: ${String((error as Error).message)}`, { cause: error });
  }
  try {
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    readFully(fd, header, pos);
    const length = header.readUInt32LE(4);
    // A damaged length must not make us allocate gigabytes: the frame ends within the file.
    const size = Math.min(FRAME_HEADER_BYTES + length, total - pos);
    const frame = Buffer.alloc(size);
    header.copy(frame, 0);
    readFully(fd, frame.subarray(FRAME_HEADER_BYTES), pos + FRAME_HEADER_BYTES);
    return frame;
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let off = 0;
  while (off < into.length) {
    const n = readSync(fd, into, off, into.length - off, position + off);
    if (n === 0) break; // truncated: readFramedBlocks reports it
    off += n;
  }
}
