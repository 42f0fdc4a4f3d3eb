// The worker thread behind OrtNodeThreadExecutor (ort-node-thread.ts): opens one graph's ONNX bytes
// through the ORT-node executor and runs it on request. Built to out/worker/ort-node-thread.js.

import { parentPort, workerData } from 'node:worker_threads';
import { OrtNodeExecutor } from './ort-node.js';
import type { ThreadReply, ThreadRequest, ThreadStart, WireTensor } from './ort-node-thread.js';
import { fromWire } from './ort-node-thread.js';

const port = parentPort!;
const start = workerData as ThreadStart;
const reply = (m: ThreadReply) => port.postMessage(m);

try {
  const model = await new OrtNodeExecutor(start.options).load(start.bytes, start.label);
  // One request at a time, in order: a close waits for the runs before it, so the session is
  // released between runs and the thread ends by itself, never stopped inside ONNX Runtime.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: ThreadRequest) => {
    queue = queue.then(async () => {
      if ('close' in m) {
        await model.dispose();
        port.close();
        return;
      }
      try {
        const feeds = Object.fromEntries(Object.entries(m.feeds).map(([k, t]) => [k, fromWire(t)]));
        const out = await model.run(feeds, m.outputs);
        const results: Record<string, WireTensor> = {};
        for (const [k, t] of Object.entries(out)) results[k] = { dtype: t.dtype, shape: t.shape, data: t.data };
        reply({ id: m.id, results });
      } catch (e) {
        reply({ id: m.id, error: (e as Error).message });
      }
    });
  });
  reply({ type: 'ready', inputs: model.inputs.map((v) => v.name) });
} catch (e) {
  reply({ type: 'failed', message: (e as Error).message });
}
