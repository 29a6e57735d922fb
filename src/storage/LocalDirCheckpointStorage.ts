import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { registerCheckpointStorageType, type CheckpointStorage, type CheckpointStorageWire } from './CheckpointStorage.js';

const TEMP_MARK = '.tmp-';

/**
 * Checkpoint files in a local or mounted directory (a PersistentVolume shared by driver and
 * executors on Kubernetes, any directory in local mode). Writes go to a temporary file in the
 * same directory and are renamed into place, which is atomic on POSIX file systems.
 */
export class LocalDirCheckpointStorage implements CheckpointStorage {
  readonly location: string;

  constructor(dir: string) {
    this.location = path.resolve(dir);
  }

  write(name: string, bytes: Uint8Array): void {
    const target = this.#path(name);
    mkdirSync(this.location, { recursive: true });
    const temp = `${target}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      writeFileSync(temp, bytes);
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  read(name: string): Uint8Array | undefined {
    try {
      return readFileSync(this.#path(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  list(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.location);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names.filter((n) => !n.includes(TEMP_MARK)).sort();
  }

  delete(name: string): void {
    rmSync(this.#path(name), { force: true });
  }

  toWire(): CheckpointStorageWire {
    return { type: 'localDir', dir: this.location };
  }

  #path(name: string): string {
    if (name.length === 0 || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
      throw new Error(`internal: invalid checkpoint file name "${name}"`);
    }
    return path.join(this.location, name);
  }
}

registerCheckpointStorageType('localDir', (wire) => new LocalDirCheckpointStorage(wire['dir'] as string));
