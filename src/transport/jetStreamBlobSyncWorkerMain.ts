import { workerData } from 'node:worker_threads';
import { JetStreamBlobError } from './JetStreamBlobError.js';
import { JetStreamBlobStore } from './JetStreamBlobStore.js';
import type { BlobSyncReply, BlobSyncRequest, BlobSyncWorkerData } from './JetStreamBlobSyncClient.js';

/* The helper thread of JetStreamBlobSyncClient: owns the store, answers one request at a time. */

const data = workerData as BlobSyncWorkerData;
let store: Promise<JetStreamBlobStore> | undefined;
let queue: Promise<void> = Promise.resolve();

function answer(reply: BlobSyncReply, transfer: ArrayBuffer[] = []): void {
  data.port.postMessage(reply, transfer);
  Atomics.store(data.signal, 0, 1);
  Atomics.notify(data.signal, 0);
}

async function handle(request: BlobSyncRequest): Promise<void> {
  try {
    // A failed connect is retried by the next request rather than remembered.
    store ??= JetStreamBlobStore.connect(data.nats, data.store).catch((e: unknown) => {
      store = undefined;
      throw e;
    });
    const s = await store;
    switch (request.op) {
      case 'put':
        await s.put(request.name, request.bytes);
        return answer({ id: request.id, ok: true, value: undefined });
      case 'get': {
        const bytes = await s.get(request.name);
        return answer({ id: request.id, ok: true, value: bytes }, bytes === undefined || bytes.byteLength === 0 ? [] : [bytes.buffer as ArrayBuffer]);
      }
      case 'list':
        return answer({ id: request.id, ok: true, value: await s.list(request.prefix) });
      case 'delete':
        return answer({ id: request.id, ok: true, value: await s.delete(request.name) });
    }
  } catch (e) {
    const code = e instanceof JetStreamBlobError ? (e.code as BlobSyncReply extends { code: infer C } ? C : never) : 'FAILED';
    answer({ id: request.id, ok: false, code, message: e instanceof Error ? e.message : String(e) });
  }
}

data.port.on('message', (request: BlobSyncRequest) => {
  queue = queue.then(() => handle(request));
});
