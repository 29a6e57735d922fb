import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nullLogger } from '../../../src/common/logging/nullLogger.js';
import { decodeControlMessage, encodeControlMessage, type ControlMessages } from '../../../src/executor/ExecutorProtocol.js';
import { ExecutorProcess } from '../../../src/executor/ExecutorProcess.js';
import { MessageBus, type IncomingMessage } from '../../../src/transport/MessageBus.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';
import { driverSubject } from '../../../src/transport/subjects.js';
import { capturingLogger } from './clusterHelpers.js';

/*
 * ExecutorProcess against a stand-in driver (this test, on the bus): it keeps asking until
 * the driver answers its registration, accepts a refusal as final, and ends by itself — its
 * directory removed — once the driver has been silent for the driver timeout.
 */

let nats: NatsServerProcess;
let driverBus: MessageBus;
let dir: string;
const secret = new Uint8Array(randomBytes(32));

beforeAll(async () => {
  nats = await NatsServerProcess.start({ logger: nullLogger });
  driverBus = await MessageBus.connect({ servers: nats.url }, nullLogger);
  dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-executor-process-'));
});

afterAll(async () => {
  await driverBus?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A driver that answers registrations with `answer`, and the first `heartbeats` heartbeats. */
function standInDriver(app: string, answer: ControlMessages['registered'], heartbeats: number, delayRegistrationMs = 0): { registrations: number; stop(): void } {
  const state = { registrations: 0, heartbeatsAnswered: 0 };
  const reply = <K extends keyof ControlMessages>(msg: IncomingMessage, type: K, body: ControlMessages[K]): void => void msg.respond(encodeControlMessage(type, body, secret));
  const started = Date.now();
  const sub = driverBus.subscribe(driverSubject(app), (msg) => {
    const m = decodeControlMessage(msg.data, secret, ['register', 'heartbeat']);
    if (!m.ok) throw new Error(m.reason);
    if (m.value.type === 'register') {
      state.registrations++;
      if (Date.now() - started >= delayRegistrationMs) reply(msg, 'registered', answer);
    } else if (state.heartbeatsAnswered < heartbeats) {
      state.heartbeatsAnswered++;
      reply(msg, 'heartbeatReply', { known: true });
    }
  });
  return {
    get registrations() {
      return state.registrations;
    },
    stop: () => sub.unsubscribe(),
  };
}

const settings = { heartbeatIntervalMs: 100, driverTimeoutMs: 1_500, fetchTimeoutMs: 1_000 };

describe('ExecutorProcess', () => {
  it('retries its registration until the driver answers, then stops by itself once the driver is gone', async () => {
    const app = `app-${randomBytes(3).toString('hex')}`;
    const driver = standInDriver(app, { accepted: true, settings }, 3, 2_500);
    const logger = capturingLogger();
    const executor = await ExecutorProcess.start({ appId: app, executorId: 'e1', cores: 1, secret, nats: { servers: nats.url }, localDir: dir, logger });
    try {
      expect(driver.registrations).toBeGreaterThan(1);
      expect(existsSync(executor.localDir)).toBe(true);
      const exit = await executor.exited;
      expect(exit).toMatchObject({ kind: 'driverLost', reason: expect.stringMatching(/no answer from the driver for \d+ s/) });
      expect(existsSync(executor.localDir)).toBe(false);
    } finally {
      driver.stop();
      await executor.stop();
    }
  });

  it('takes a refusal as final, saying why', async () => {
    const app = `app-${randomBytes(3).toString('hex')}`;
    const driver = standInDriver(app, { accepted: false, reason: 'it speaks executor protocol 9' }, 0);
    try {
      await expect(ExecutorProcess.start({ appId: app, executorId: 'e2', cores: 1, secret, nats: { servers: nats.url }, localDir: dir, logger: nullLogger })).rejects.toThrow(
        /the driver refused executor e2: it speaks executor protocol 9/,
      );
      expect(driver.registrations).toBe(1);
    } finally {
      driver.stop();
    }
  });
});
