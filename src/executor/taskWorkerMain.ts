import { parentPort, workerData } from 'node:worker_threads';
import { decode } from '../common/codec/codec.js';
import { nullLogger } from '../common/logging/nullLogger.js';
import type { CommitDecision } from '../scheduler/OutputCommitCoordinator.js';
import { encodeBatch } from '../storage/blockCodec.js';
import { Executor } from './Executor.js';
import { FetchChannelClient } from './FetchChannelClient.js';
import { RemoteCacheReader } from './RemoteCacheReader.js';
import { RemoteShuffleBlockReader } from './RemoteShuffleBlockReader.js';
import { ReplicaBlocks } from './ReplicaBlocks.js';
import { TEST_TASK_DELAY_ENV, TestTaskDelay } from './TestTaskDelay.js';
import type { FromTaskWorker, TaskWorkerData, ToTaskWorker } from './TaskWorkerMessage.js';

/* The task thread of an executor process (`kuberdd executor`): runs tasks as local mode's threads do, with shuffle segments and cached partitions of other executors fetched through the main thread. */

const data = workerData as TaskWorkerData;
const port = parentPort!;
const pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
let nextRequest = 0;

let outbox: FromTaskWorker[] = [];
const flush = (): void => {
  if (outbox.length === 0) return;
  const batch = outbox;
  outbox = [];
  port.postMessage(batch);
};
const send = (msg: FromTaskWorker): void => {
  if (outbox.push(msg) === 1) queueMicrotask(flush);
};
const request = (what: 'broadcast' | 'binary' | 'commit', key: string): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const requestId = nextRequest++;
    pending.set(requestId, { resolve, reject });
    send({ t: 'request', requestId, what, key });
  });

const fetches = new FetchChannelClient(data.fetchPort, data.fetchSignal, data.fetchWaitMs);
const remoteCache = new RemoteCacheReader(fetches, nullLogger);
const interrupt = new Int32Array(data.interrupt);
// A testing knob (the straggler test), off unless the variable is set.
const testDelay = TestTaskDelay.parse(process.env[TEST_TASK_DELAY_ENV], data.executorId);

const executor = new Executor(
  data.executorId,
  data.localDir,
  {
    taskStarted: (taskId) => {
      send({ t: 'started', taskId });
      if (testDelay.delayMs > 0) {
        flush(); // the driver counts the task as running while it sleeps
        testDelay.sleep(() => interrupt.includes(taskId + 1));
      }
    },
    statusUpdate: (update) => {
      // Copies of `_2` partitions go first: the main thread holds the status until they are stored.
      if (update.state === 'finished') for (const r of replicas.toPush(update)) send({ t: 'replicate', taskId: update.taskId, ...r });
      send({ t: 'status', update });
    },
    fetchBroadcast: (id) => request('broadcast', String(id)),
    fetchStageBinary: (binaryId) => request('binary', binaryId),
    canCommit: async (req) => decode<CommitDecision>(await request('commit', JSON.stringify(req))),
  },
  nullLogger,
  interrupt,
  {
    storageBytes: data.storageBytes,
    shuffleSpillBytes: data.shuffleSpillBytes,
    shuffleBlockReader: (read) => new RemoteShuffleBlockReader(data.executorId, fetches, read),
    remoteCache: (rddId, partition) => remoteCache.read(rddId, partition),
  },
);

const replicas = new ReplicaBlocks(executor.blockManager);

/** A cached partition as framed batches, for another executor; undefined when not held here. */
function exportBlock(rddId: number, partition: number): Uint8Array[] | undefined {
  const batches = executor.blockManager.get(rddId, partition);
  if (batches === undefined) return undefined;
  const frames: Uint8Array[] = [];
  for (const batch of batches) frames.push(encodeBatch(batch));
  return frames;
}

port.on('message', (msg: ToTaskWorker) => {
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
    case 'export': {
      let frames: Uint8Array[] | undefined;
      try {
        frames = exportBlock(msg.rddId, msg.partition);
      } catch {
        frames = undefined; // a damaged disk block: the asker recomputes the partition
      }
      send({ t: 'exported', requestId: msg.requestId, frames });
      break;
    }
    case 'storeReplica':
      try {
        send({ t: 'replicaStored', requestId: msg.requestId, bytes: replicas.store(msg.rddId, msg.partition, msg.level, msg.frames) });
      } catch (error) {
        send({ t: 'replicaStored', requestId: msg.requestId, error: String((error as Error).message ?? error) });
      }
      break;
    case 'shutdown':
      executor.shutdown();
      send({ t: 'stopped' });
      flush();
      port.close();
      data.fetchPort.close();
      break;
  }
});

send({ t: 'ready' });
