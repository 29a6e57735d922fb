import { describe, expect, it } from 'vitest';
import { UserInputError } from '../common/errors/UserInputError.js';
import { checkpointStorageFromWire } from './CheckpointStorage.js';
import { checkpointStorageAt } from './checkpointStorageAt.js';
import { JetStreamCheckpointStorage } from './JetStreamCheckpointStorage.js';
import { LocalDirCheckpointStorage } from './LocalDirCheckpointStorage.js';

describe('JetStreamCheckpointStorage locations', () => {
  it('parses nats-js://<bucket>/<path> and round-trips through its wire form', () => {
    const storage = JetStreamCheckpointStorage.parse('nats-js://ckpt/jobs/1234/', 'nats://n:4222');
    expect(storage.location).toBe('nats-js://ckpt/jobs/1234');
    expect(storage.child('rdd-3').location).toBe('nats-js://ckpt/jobs/1234/rdd-3');
    expect(storage.toWire()).toEqual({ type: 'natsJetStream', servers: 'nats://n:4222', bucket: 'ckpt', prefix: 'jobs/1234' });
    expect(checkpointStorageFromWire(storage.toWire()).location).toBe('nats-js://ckpt/jobs/1234');
    expect(JetStreamCheckpointStorage.parse('nats-js://ckpt', 'nats://n:4222').location).toBe('nats-js://ckpt');
  });

  it('refuses a bad bucket or path segment, saying which', () => {
    expect(() => JetStreamCheckpointStorage.parse('nats-js://', 'nats://n')).toThrow(/the bucket \(after nats-js:\/\/\) must be letters/);
    expect(() => JetStreamCheckpointStorage.parse('nats-js://a.b/x', 'nats://n')).toThrow(UserInputError);
    expect(() => JetStreamCheckpointStorage.parse('nats-js://ok/../x', 'nats://n')).toThrow(/path segment "\.\."/);
    expect(() => JetStreamCheckpointStorage.parse('nats-js://ok/a b', 'nats://n')).toThrow(/path segment "a b"/);
  });

  it('checkpointStorageAt picks JetStream for nats-js:// (needing a server) and a directory otherwise', () => {
    expect(checkpointStorageAt('/tmp/x', undefined)).toBeInstanceOf(LocalDirCheckpointStorage);
    expect(checkpointStorageAt('nats-js://b/p', 'nats://n')).toBeInstanceOf(JetStreamCheckpointStorage);
    expect(() => checkpointStorageAt('nats-js://b/p', undefined)).toThrow(/set --conf kuberdd\.nats\.url=/);
  });
});
