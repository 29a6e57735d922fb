import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nullLogger } from '../../../src/common/logging/nullLogger.js';
import { SparkContext } from '../../../src/index.js';
import { decodeControl, encodeControl } from '../../../src/transport/ControlCodec.js';
import { MessageBus } from '../../../src/transport/MessageBus.js';
import { NatsServerProcess } from '../../../src/transport/NatsServerProcess.js';
import { driverBlocksSubject, driverSubject, executorBlocksSubject, executorSubject } from '../../../src/transport/subjects.js';
import { capturingLogger, waitFor } from './clusterHelpers.js';

/*
 * Whoever can publish on the NATS server but lacks the application's secret can make an
 * executor run nothing: forged (unsigned, wrongly signed) and replayed launches are refused
 * and logged. Garbage on every subject crashes nobody and the job still completes.
 */

let nats: NatsServerProcess;
let spy: MessageBus;
let dir: string;

beforeAll(async () => {
  nats = await NatsServerProcess.start({ logger: nullLogger });
  spy = await MessageBus.connect({ servers: nats.url }, nullLogger);
  dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-hostile-'));
});

afterAll(async () => {
  await spy?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile messages', () => {
  it('forged, unsigned and replayed task launches are refused and logged; the executor runs nothing', async () => {
    const logger = capturingLogger();
    const sc = new SparkContext({ master: 'local-cluster[2]', conf: { 'kuberdd.nats.url': nats.url, 'spark.speculation': 'false' }, logger });
    try {
      await sc.range(0, 2, 1, 2).count(); // executors up: their subjects are known
      // Record a real launch of a task that appends a line to a file.
      const launches: Uint8Array[] = [];
      const sub = spy.subscribe(executorSubject(sc.appId, 'exec-0'), (msg) => {
        const d = decodeControl(msg.data, undefined, { requireSignature: false });
        if (d.ok && d.type === 'launch') launches.push(msg.data);
      });
      await spy.flush();
      const ran = path.join(dir, 'ran.txt');
      await sc.range(0, 4, 1, 4).foreach(() => fs.appendFileSync(ran, 'ran\n'), { fs: sc.module('node:fs'), ran });
      sub.unsubscribe();
      const legit = readFileSync(ran, 'utf8').split('\n').filter(Boolean).length;
      expect(legit).toBe(4);
      expect(launches.length).toBeGreaterThan(0);

      const original = launches[0]!;
      const decoded = decodeControl(original, undefined, { requireSignature: false });
      if (!decoded.ok) throw new Error(decoded.reason);
      const body = decoded.body as { task: Record<string, unknown> };
      // Fresh task ids, so not even the driver would recognise them.
      const forged = (taskId: number): { task: Record<string, unknown> } => ({ task: { ...body.task, taskId } });
      const subject = executorSubject(sc.appId, 'exec-0');
      spy.publish(subject, encodeControl('launch', forged(100_001), undefined));
      spy.publish(subject, encodeControl('launch', forged(100_002), new Uint8Array(randomBytes(32))));
      spy.publish(subject, original); // a replay of the genuine, signed message
      await spy.flush();

      const refusals = (): string[] =>
        logger.entries.filter((e) => e.message === 'refused a control message' && e.fields['executorId'] === 'exec-0').map((e) => String(e.fields['reason']));
      await waitFor(() => refusals().length >= 3, 'the executor to log three refusals');
      expect(refusals()).toEqual(expect.arrayContaining([expect.stringMatching(/missing signature/), expect.stringMatching(/bad signature/), expect.stringMatching(/replayed/)]));
      // Give a wrongly accepted task time to run, then check that none did.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(readFileSync(ran, 'utf8').split('\n').filter(Boolean).length).toBe(legit);
      // The executor is fine: it still runs genuine tasks.
      expect(await sc.range(0, 10, 1, 4).sum()).toBe(45);
    } finally {
      await sc.stop();
    }
  });

  it('garbage on every subject crashes nothing, and the job completes', async () => {
    const logger = capturingLogger();
    const sc = new SparkContext({ master: 'local-cluster[2]', conf: { 'kuberdd.nats.url': nats.url }, logger });
    try {
      await sc.range(0, 2, 1, 2).count();
      const subjects = [
        driverSubject(sc.appId),
        driverBlocksSubject(sc.appId),
        ...['exec-0', 'exec-1'].flatMap((id) => [executorSubject(sc.appId, id), executorBlocksSubject(sc.appId, id)]),
      ];
      let flooding = true;
      const flood = (async () => {
        let n = 0;
        while (flooding) {
          for (const subject of subjects) {
            const junk = new Uint8Array(randomBytes(1 + (n % 300)));
            spy.publish(subject, junk);
            // As requests too, so that servers try to answer garbage.
            spy.request(subject, junk, { timeoutMs: 500 }).catch(() => {});
            // And well-formed envelopes with bodies of the wrong shape.
            spy.publish(subject, encodeControl(n % 2 === 0 ? 'status' : 'launch', { task: 'nope', update: [n] }, undefined));
            n++;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        return n;
      })();
      const words = ['a', 'b', 'c', 'd', 'e'];
      const counts = await sc
        .range(0, 5_000, 1, 8)
        .map((i) => [words[i % 5], 1] as [string, number], { words })
        .reduceByKey((a, b) => a + b, 4)
        .collectAsMap();
      flooding = false;
      expect(await flood).toBeGreaterThan(10);
      expect(new Map(counts)).toEqual(new Map(words.map((w) => [w, 1_000])));
      // Both sides logged (and dropped) what they refused; no executor was lost.
      expect(logger.entries.some((e) => e.message === 'refused a control message' && e.fields['executorId'] === undefined)).toBe(true);
      expect(logger.entries.some((e) => e.message === 'refused a control message' && e.fields['executorId'] !== undefined)).toBe(true);
      expect(logger.entries.some((e) => e.message === 'executor lost')).toBe(false);
    } finally {
      await sc.stop();
    }
  });
});
