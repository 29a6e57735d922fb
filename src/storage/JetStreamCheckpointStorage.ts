import { CheckpointError } from '../common/errors/CheckpointError.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import { JetStreamBlobError } from '../transport/JetStreamBlobError.js';
import { JetStreamBlobSyncClient } from '../transport/JetStreamBlobSyncClient.js';
import { parseNatsConnectOptions } from '../transport/NatsConnectOptions.js';
import { registerCheckpointStorageType, type CheckpointStorage, type CheckpointStorageWire } from './CheckpointStorage.js';

export const JETSTREAM_CHECKPOINT_SCHEME = 'nats-js://';
const BUCKET = /^[A-Za-z0-9_-]+$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** One helper thread per server and bucket in each thread that uses them. */
const clients = new Map<string, JetStreamBlobSyncClient>();

function clientFor(servers: string, bucket: string): JetStreamBlobSyncClient {
  const key = `${servers}\u0000${bucket}`;
  let client = clients.get(key);
  if (client === undefined) {
    // Credentials come from the environment (KUBERDD_NATS_USER / _PASSWORD / _TOKEN / _TLS_*), as for the application's own connection.
    client = new JetStreamBlobSyncClient(parseNatsConnectOptions({ '--nats': servers }, process.env), { bucket });
    clients.set(key, client);
  }
  return client;
}

/**
 * Checkpoint files as blobs in a NATS JetStream bucket (JetStreamBlobStore), so checkpoints
 * survive on Kubernetes without a shared volume. Location `nats-js://<bucket>/<prefix>`; the file
 * `name` is the blob `<prefix>/<name>`. The server is the application's (`kuberdd.nats.url`),
 * which must run JetStream with file storage. A blob is written whole before its manifest,
 * so a reader sees the complete file or none; every chunk carries a CRC32, and the checkpoint
 * format its own frame checksums.
 */
export class JetStreamCheckpointStorage implements CheckpointStorage {
  readonly location: string;

  constructor(
    private readonly servers: string,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.location = `${JETSTREAM_CHECKPOINT_SCHEME}${bucket}${prefix === '' ? '' : `/${prefix}`}`;
  }

  /** Parses `nats-js://<bucket>[/<path>]`; throws UserInputError saying what is wrong. */
  static parse(url: string, servers: string): JetStreamCheckpointStorage {
    const rest = url.slice(JETSTREAM_CHECKPOINT_SCHEME.length).replace(/\/+$/, '');
    const [bucket = '', ...segments] = rest.split('/');
    if (!BUCKET.test(bucket)) {
      throw new UserInputError(`Invalid checkpoint location ${JSON.stringify(url)}: the bucket (after ${JETSTREAM_CHECKPOINT_SCHEME}) must be letters, digits, '_' or '-', e.g. nats-js://checkpoints.`, { code: 'INVALID_CHECKPOINT_DIR' });
    }
    for (const s of segments) {
      if (!SEGMENT.test(s) || s === '.' || s === '..') {
        throw new UserInputError(`Invalid checkpoint location ${JSON.stringify(url)}: path segment ${JSON.stringify(s)} may hold only letters, digits, '.', '_' and '-'.`, { code: 'INVALID_CHECKPOINT_DIR' });
      }
    }
    return new JetStreamCheckpointStorage(servers, bucket, segments.join('/'));
  }

  /** The storage of `<location>/<child>` (a sub-directory, e.g. `rdd-3`). */
  child(name: string): JetStreamCheckpointStorage {
    this.#blob(name);
    return new JetStreamCheckpointStorage(this.servers, this.bucket, this.prefix === '' ? name : `${this.prefix}/${name}`);
  }

  write(name: string, bytes: Uint8Array): void {
    clientFor(this.servers, this.bucket).put(this.#blob(name), bytes);
  }

  read(name: string): Uint8Array | undefined {
    try {
      return clientFor(this.servers, this.bucket).get(this.#blob(name));
    } catch (error) {
      if (error instanceof JetStreamBlobError && error.code === 'CORRUPT') {
        throw new CheckpointError(
          'CHECKPOINT_CORRUPT',
          `checkpoint file ${this.location}/${name} is corrupt: ${error.message} Recompute the RDD from its source and checkpoint it again`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  list(): string[] {
    const dir = this.prefix === '' ? '' : `${this.prefix}/`;
    return clientFor(this.servers, this.bucket)
      .list(dir)
      .map((n) => n.slice(dir.length))
      .filter((n) => n.length > 0 && !n.includes('/'))
      .sort();
  }

  delete(name: string): void {
    clientFor(this.servers, this.bucket).delete(this.#blob(name));
  }

  toWire(): CheckpointStorageWire {
    return { type: 'natsJetStream', servers: this.servers, bucket: this.bucket, prefix: this.prefix };
  }

  #blob(name: string): string {
    if (name.length === 0 || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
      throw new Error(`internal: invalid checkpoint file name "${name}"`);
    }
    return this.prefix === '' ? name : `${this.prefix}/${name}`;
  }
}

registerCheckpointStorageType('natsJetStream', (wire) => new JetStreamCheckpointStorage(wire['servers'] as string, wire['bucket'] as string, wire['prefix'] as string));
