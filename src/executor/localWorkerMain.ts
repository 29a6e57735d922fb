import { parentPort, workerData } from 'node:worker_threads';
import { decode } from '../common/codec/codec.js';
import { nullLogger } from '../common/logging/nullLogger.js';
import type { CommitDecision } from '../scheduler/OutputCommitCoordinator.js';
import { Executor } from './Executor.js';
import type { FromLocalWorker, LocalWorkerData, ToLocalWorker } from './LocalWorkerMessage.js';

/* The entry point of a local-mode executor thread (`--master local[N]`). */

const data = workerData as LocalWorkerData;
const port = parentPort!;
const pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
let nextRequest = 0;

// Messages leave in batches, one postMessage per turn of the event loop: a finished task's
// status and the next task's start usually travel together.
let outbox: FromLocalWorker[] = [];
const flush = (): void => {
  const batch = outbox;
  outbox = [];
  port.postMessage(batch);
};
const send = (msg: FromLocalWorker): void => {
  if (outbox.push(msg) === 1) queueMicrotask(flush);
};
const request = (what: 'broadcast' | 'binary' | 'commit', key: string): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const requestId = nextRequest++;
    pending.set(requestId, { resolve, reject });
    send({ t: 'request', requestId, what, key });
  });

const executor = new Executor(
  data.executorId,
  data.localDir,
  {
    taskStarted: (taskId) => send({ t: 'started', taskId }),
    statusUpdate: (update) => send({ t: 'status', update }),
    fetchBroadcast: (id) => request('broadcast', String(id)),
    fetchStageBinary: (binaryId) => request('binary', binaryId),
    canCommit: async (req) => decode<CommitDecision>(await request('commit', JSON.stringify(req))),
  },
  nullLogger,
  new Int32Array(data.interrupt),
  { storageBytes: data.storageBytes, shuffleSpillBytes: data.shuffleSpillBytes },
);

port.on('message', (msg: ToLocalWorker) => {
  switch (msg.t) {
    case 'launch':
      executor.launchTask(msg.task);
      break;
    case 'kill':
      executor.killTask(msg.taskId);
      break;
    case 'removeRdd':
      executor.removeRdd(msg.rddId);
      break;
    case 'removeShuffle':
      executor.removeShuffle(msg.shuffleId);
      break;
    case 'removeBroadcast':
      executor.removeBroadcast(msg.id);
      break;
    case 'reply': {
      const p = pending.get(msg.requestId);
      pending.delete(msg.requestId);
      if (msg.bytes !== undefined) p?.resolve(msg.bytes);
      else p?.reject(new Error(msg.error ?? 'request failed'));
      break;
    }
    case 'shutdown':
      executor.shutdown();
      send({ t: 'stopped' });
      port.close();
      break;
  }
});

send({ t: 'ready' });
