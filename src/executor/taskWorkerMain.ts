import { parentPort, workerData } from 'node:worker_threads';
import { nullLogger } from '../common/logging/nullLogger.js';
import { encodeBatch } from '../storage/blockCodec.js';
import { Executor } from './Executor.js';
import { ExecutorThreadPort } from './ExecutorThreadPort.js';
import { FetchChannelClient } from './FetchChannelClient.js';
import { HeldBlockFiles } from './HeldBlockFiles.js';
import { RemoteCacheReader } from './RemoteCacheReader.js';
import { RemoteShuffleBlockReader } from './RemoteShuffleBlockReader.js';
import { ReplicaBlocks } from './ReplicaBlocks.js';
import { TEST_TASK_DELAY_ENV, TestTaskDelay } from './TestTaskDelay.js';
import type { FromTaskWorker, TaskWorkerData, ToTaskWorker } from './TaskWorkerMessage.js';

/* The task thread of an executor process (`kuberdd executor`): runs tasks as local mode's threads do, with shuffle segments and cached partitions of other executors fetched through the main thread. */

const data = workerData as TaskWorkerData;
const port = new ExecutorThreadPort<FromTaskWorker>(parentPort!);

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
      port.send({ t: 'started', taskId });
      if (testDelay.delayMs > 0) {
        port.flush(); // the driver counts the task as running while it sleeps
        testDelay.sleep(() => interrupt.includes(taskId + 1));
      }
    },
    statusUpdate: (update) => {
      // Copies of `_2` partitions go first: the main thread holds the status until they are stored.
      if (update.state === 'finished') for (const r of replicas.toPush(update)) port.send({ t: 'replicate', taskId: update.taskId, ...r });
      port.send({ t: 'status', update });
    },
    ...port.driverRequests(),
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

parentPort!.on('message', (msg: ToTaskWorker) => {
  if (port.handleCommon(msg, executor)) return;
  switch (msg.t) {
    case 'export': {
      let frames: Uint8Array[] | undefined;
      try {
        frames = exportBlock(msg.rddId, msg.partition);
      } catch {
        frames = undefined; // a damaged disk block: the asker recomputes the partition
      }
      port.send({ t: 'exported', requestId: msg.requestId, frames });
      break;
    }
    case 'storeReplica':
      try {
        port.send({ t: 'replicaStored', requestId: msg.requestId, bytes: replicas.store(msg.rddId, msg.partition, msg.level, msg.frames) });
      } catch (error) {
        port.send({ t: 'replicaStored', requestId: msg.requestId, error: String((error as Error).message ?? error) });
      }
      break;
    case 'handOver':
      port.send({ t: 'handedOver', requestId: msg.requestId, blocks: HeldBlockFiles.write(executor.blockManager, msg.rdds, msg.dir) });
      break;
    case 'adoptBlocks':
      port.send({ t: 'adoptedBlocks', requestId: msg.requestId, stored: HeldBlockFiles.adopt(replicas, msg.blocks) });
      break;
    case 'shutdown':
      executor.shutdown();
      port.send({ t: 'stopped' });
      port.flush();
      parentPort!.close();
      data.fetchPort.close();
      break;
    default:
      break;
  }
});

port.send({ t: 'ready' });
