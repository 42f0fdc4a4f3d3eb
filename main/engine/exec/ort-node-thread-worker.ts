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
  port.on('message', async (m: ThreadRequest) => {
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
  reply({ type: 'ready', inputs: model.inputs.map((v) => v.name) });
} catch (e) {
  reply({ type: 'failed', message: (e as Error).message });
}
