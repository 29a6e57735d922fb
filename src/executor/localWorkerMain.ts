import { parentPort, workerData } from 'node:worker_threads';
import { nullLogger } from '../common/logging/nullLogger.js';
import { Executor } from './Executor.js';
import { ExecutorThreadPort } from './ExecutorThreadPort.js';
import type { FromLocalWorker, LocalWorkerData, ToLocalWorker } from './LocalWorkerMessage.js';

/* The entry point of a local-mode executor thread (`--master local[N]`). */

const data = workerData as LocalWorkerData;
const port = new ExecutorThreadPort<FromLocalWorker>(parentPort!);

const executor = new Executor(
  data.executorId,
  data.localDir,
  {
    taskStarted: (taskId) => port.send({ t: 'started', taskId }),
    statusUpdate: (update) => port.send({ t: 'status', update }),
    ...port.driverRequests(),
  },
  nullLogger,
  new Int32Array(data.interrupt),
  { storageBytes: data.storageBytes, shuffleSpillBytes: data.shuffleSpillBytes },
);

parentPort!.on('message', (msg: ToLocalWorker) => {
  if (port.handleCommon(msg, executor)) return;
  if (msg.t === 'shutdown') {
    executor.shutdown();
    port.send({ t: 'stopped' });
    parentPort!.close();
  }
});

port.send({ t: 'ready' });
