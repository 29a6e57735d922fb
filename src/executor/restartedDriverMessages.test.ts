import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeControlMessage, encodeControlMessage, parseControlBody, type ControlMessages } from './ExecutorProtocol.js';

const secret = new Uint8Array(randomBytes(32));
const base = { executorId: 'job-exec-0', host: 'pod', pid: 7, cores: 2, protocolVersion: 1 };
const output = {
  identity: 'a3f9c2d4e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c0',
  status: { shuffleId: 1_000_000_000, mapId: 3, executorId: 'job-exec-0', dataPath: '/tmp/e/shuffle/shuffle_1000000000_3_0.data', offsets: [0, 5, 9], records: [1, 2] },
};

describe('register with the map outputs an executor of an earlier driver attempt holds', () => {
  it('round-trips the outputs, and leaves them out when there are none', () => {
    const body: ControlMessages['register'] = { ...base, mapOutputs: [output] };
    const decoded = decodeControlMessage(encodeControlMessage('register', body, secret), secret, ['register']);
    expect(decoded).toEqual({ ok: true, value: { type: 'register', body } });
    const plain = decodeControlMessage(encodeControlMessage('register', base, secret), secret, ['register']);
    expect(plain.ok && Object.keys(plain.value.body)).not.toContain('mapOutputs');
  });

  it('refuses malformed outputs, naming the field', () => {
    expect(parseControlBody('register', { ...base, mapOutputs: [{ ...output, identity: 'not an id!' }] })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/register\.mapOutputs\[0\]\.identity/),
    });
    expect(parseControlBody('register', { ...base, mapOutputs: [{ identity: output.identity, status: { ...output.status, offsets: 'x' } }] })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/register\.mapOutputs\[0\]\.status\.offsets/),
    });
    expect(parseControlBody('register', { ...base, mapOutputs: 5 })).toMatchObject({ ok: false, reason: expect.stringMatching(/register\.mapOutputs must be an array/) });
  });
});

describe('cached partitions kept for a restarted driver', () => {
  const held = { identity: 'b'.repeat(40), heldId: 4, partition: 2, bytes: 1234, level: 'MEMORY_AND_DISK' };

  it('round-trips register.cachedBlocks, adoptBlocks and adoptedBlocks', () => {
    const body: ControlMessages['register'] = { ...base, cachedBlocks: [held] };
    expect(decodeControlMessage(encodeControlMessage('register', body, secret), secret, ['register'])).toEqual({ ok: true, value: { type: 'register', body } });
    const adopt: ControlMessages['adoptBlocks'] = { blocks: [{ heldId: 4, rddId: 17 }] };
    expect(decodeControlMessage(encodeControlMessage('adoptBlocks', adopt, secret), secret, ['adoptBlocks'])).toEqual({ ok: true, value: { type: 'adoptBlocks', body: adopt } });
    const adopted: ControlMessages['adoptedBlocks'] = { stored: [{ rddId: 17, partition: 2, bytes: 1234, level: 'MEMORY_AND_DISK' }] };
    expect(decodeControlMessage(encodeControlMessage('adoptedBlocks', adopted, secret), secret, ['adoptedBlocks'])).toEqual({ ok: true, value: { type: 'adoptedBlocks', body: adopted } });
  });

  it('refuses malformed ones, naming the field', () => {
    expect(parseControlBody('register', { ...base, cachedBlocks: [{ ...held, heldId: 'four' }] })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/register\.cachedBlocks\[0\]\.heldId/),
    });
    expect(parseControlBody('register', { ...base, cachedBlocks: [{ ...held, identity: '../../etc' }] })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/register\.cachedBlocks\[0\]\.identity/),
    });
    expect(parseControlBody('adoptBlocks', { blocks: [{ heldId: 1 }] })).toMatchObject({ ok: false, reason: expect.stringMatching(/adoptBlocks\.blocks\[0\]\.rddId/) });
    expect(parseControlBody('adoptedBlocks', { stored: {} })).toMatchObject({ ok: false, reason: expect.stringMatching(/adoptedBlocks\.stored/) });
  });
});
