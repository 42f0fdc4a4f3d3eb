// onnxruntime-node in a worker thread of its own: how the engine runs graphs side by side.
//
// The Node binding's run() occupies the JS thread that calls it until ORT is done (two sessions'
// runs started together in one thread took as long as one after the other: 91 ms against 45 ms
// for one ref-dae half-batch step), so graphs run at the same time only from different threads.
// Each compile() here starts one worker (the script `ort-node-thread-worker.ts` is built to, which
// the caller names: the engine does not know where the app's files lie) that opens the graph
// through the ORT-node executor, with the same bytes (NCHWc rewrite included) and session options
// that compile() would use in process. Feeds are checked against the graph here and copied to the
// worker; the results are copied back. dispose() lets the worker finish the runs asked for and end
// by itself (stopping a thread inside ONNX Runtime can bring the process down).

import { Worker } from 'node:worker_threads';
import type { Graph } from '../ir/graph.js';
import { type DType, type Shape, Tensor } from '../ir/tensor.js';
import { feedChecker } from '../onnx/runtime.js';
import type { CompiledGraph, Executor } from './executor.js';
import { OrtNodeExecutor, type OrtNodeOptions } from './ort-node.js';

export interface OrtNodeThreadOptions extends OrtNodeOptions {
  /** The built worker script (out/worker/ort-node-thread.js in the app). */
  script: string | URL;
}

/** What the worker is started with (workerData). */
export interface ThreadStart {
  bytes: Uint8Array;
  label: string;
  options: OrtNodeOptions;
}

/** A tensor as it crosses between threads. */
export interface WireTensor {
  dtype: DType;
  shape: Shape;
  data: Tensor['data'];
}

export type ThreadRequest =
  { id: number; feeds: Record<string, WireTensor>; outputs?: readonly string[] } | { close: true };
export type ThreadReply =
  | { type: 'ready'; inputs: string[] }
  | { type: 'failed'; message: string }
  | { id: number; results: Record<string, WireTensor> }
  | { id: number; error: string };

/** How long dispose() waits for the worker to end by itself before stopping it. */
const CLOSE_GRACE_MS = 30_000;

export class OrtNodeThreadExecutor implements Executor {
  readonly name = 'ort-node' as const;
  private readonly local: OrtNodeExecutor;
  /** The ONNX bytes of each graph compiled so far: the slices of one step share one graph. */
  private readonly forms = new WeakMap<Graph, { bytes: Uint8Array; label: string }>();

  constructor(private readonly options: OrtNodeThreadOptions) {
    const { script: _script, ...rest } = options;
    this.local = new OrtNodeExecutor(rest);
  }

  async compile(graph: Graph): Promise<CompiledGraph> {
    const { script, ...options } = this.options;
    let form = this.forms.get(graph);
    if (!form) this.forms.set(graph, (form = this.local.compiledForm(graph)));
    const { bytes, label } = form;
    const start: ThreadStart = { bytes, label: `${label} thread`, options };
    const worker = new Worker(script, { workerData: start });
    const pending = new Map<number, { resolve(r: Record<string, Tensor>): void; reject(e: Error): void }>();
    let failure: Error | null = null;
    const fail = (e: Error) => {
      failure ??= e;
      for (const p of pending.values()) p.reject(failure);
      pending.clear();
    };
    const inputs = await new Promise<string[]>((resolve, reject) => {
      const onReady = (m: ThreadReply) => {
        worker.off('error', onError);
        if ('type' in m && m.type === 'ready') resolve(m.inputs);
        else reject(new Error('type' in m && m.type === 'failed' ? m.message : `${label}: the worker did not start`));
      };
      const onError = (e: Error) => {
        worker.off('message', onReady);
        reject(e);
      };
      worker.once('message', onReady);
      worker.once('error', onError);
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    worker.on('message', (m: ThreadReply) => {
      if (!('id' in m)) return;
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(Object.fromEntries(Object.entries(m.results).map(([k, t]) => [k, fromWire(t)])));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${label}: the worker thread stopped (exit code ${code})`)));
    const check = feedChecker(
      graph,
      inputs.map((name) => ({ name })),
      label,
    );
    let nextId = 0;
    let disposed: Promise<void> | null = null;
    return {
      async run(feeds, outputs) {
        if (failure) throw failure;
        if (disposed) throw new Error(`${label}: disposed`);
        const checked = check(feeds);
        const id = nextId++;
        const wire: Record<string, WireTensor> = {};
        const transfer: ArrayBuffer[] = [];
        for (const [name, t] of Object.entries(checked)) {
          // A copy of just the tensor's elements (posting a view would copy its whole buffer), handed over.
          const data = t.data.slice();
          transfer.push(data.buffer as ArrayBuffer);
          wire[name] = { dtype: t.dtype, shape: t.shape, data };
        }
        const request: ThreadRequest = { id, feeds: wire, ...(outputs ? { outputs } : {}) };
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject });
          worker.postMessage(request, transfer);
        });
      },
      async dispose() {
        if (disposed) return disposed;
        // Stopping a thread inside ONNX Runtime can take the whole process down, so the worker
        // finishes the runs already asked for, releases its session and ends by itself.
        disposed = new Promise<void>((resolve) => {
          // A worker that has not ended long after its last run is stuck: stop it after all.
          const stuck = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS).unref();
          worker.removeAllListeners('exit');
          worker.once('exit', () => {
            clearTimeout(stuck);
            fail(new Error(`${label}: disposed`));
            resolve();
          });
          if (failure)
            void worker.terminate(); // it stopped or failed already
          else worker.postMessage({ close: true } satisfies ThreadRequest);
        });
        return disposed;
      },
    };
  }
}

export function fromWire(t: WireTensor): Tensor {
  return new Tensor(t.dtype, t.shape, t.data);
}
