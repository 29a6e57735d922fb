import { UserInputError } from '../common/errors/UserInputError.js';
import type { CheckpointStorage } from './CheckpointStorage.js';
import { JETSTREAM_CHECKPOINT_SCHEME, JetStreamCheckpointStorage } from './JetStreamCheckpointStorage.js';
import { LocalDirCheckpointStorage } from './LocalDirCheckpointStorage.js';

/**
 * The checkpoint storage a location names: `nats-js://<bucket>/<path>` (JetStream, on the
 * application's NATS server `natsServers`, i.e. `kuberdd.nats.url`) or a directory path.
 */
export function checkpointStorageAt(location: string, natsServers: string | undefined): CheckpointStorage {
  if (!location.startsWith(JETSTREAM_CHECKPOINT_SCHEME)) return new LocalDirCheckpointStorage(location);
  if (natsServers === undefined) {
    throw new UserInputError(
      `Checkpoint location ${location} is in NATS JetStream, but no NATS server is configured: set --conf kuberdd.nats.url=nats://host:4222 (a server running JetStream with file storage, e.g. nats-server -js -sd /data).`,
      { code: 'CHECKPOINT_DIR_NO_NATS' },
    );
  }
  return JetStreamCheckpointStorage.parse(location, natsServers);
}
