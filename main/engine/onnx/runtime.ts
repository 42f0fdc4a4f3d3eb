// Running our graphs on ONNX Runtime. onnxruntime-node and onnxruntime-web share one API
// (onnxruntime-common), so both executors compile through this: graph → ONNX bytes → session,
// and feed/fetch tensors by wrapping the same typed arrays (no copies in either direction).

import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { Graph } from '../ir/graph.js';
import { type DType, Tensor } from '../ir/tensor.js';
import type { CompiledGraph } from '../exec/executor.js';
import { toOnnx } from './writer.js';

/** The part of an onnxruntime package we use (both packages export these). */
export interface OrtModule {
  InferenceSession: { create(bytes: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: typeof OrtTensor;
}

export type OrtSessionOptions = InferenceSession.SessionOptions;

const ortTypes: Record<DType, OrtTensor.Type> = {
  float32: 'float32',
  float64: 'float64',
  int64: 'int64',
  bool: 'bool',
};

export async function compileWithOrt(
  ort: OrtModule,
  graph: Graph,
  sessionOptions: OrtSessionOptions,
  label: string,
  // The graph as ONNX; an executor may hand in a rewritten form of it (ORT-node's NCHWc convs).
  bytes: Uint8Array = toOnnx(graph),
): Promise<CompiledGraph> {
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions);
  } catch (e) {
    throw new Error(`${label}: ONNX Runtime refused the graph: ${firstLine(e)}`, { cause: e });
  }
  const inputs = session.inputNames.map((name) => graph.value(name));

  return {
    async run(feeds, outputs) {
      const ortFeeds: Record<string, OrtTensor> = {};
      for (const v of inputs) {
        const t = feeds[v.name];
        if (!t) throw new Error(`${label}: no feed for ${graph.kind(v.name)} '${v.name}'`);
        if (t.dtype !== v.dtype || t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
          throw new Error(
            `${label}: feed '${v.name}' is ${t.dtype} [${t.shape}], the graph expects ${v.dtype} [${v.shape}]`,
          );
        }
        ortFeeds[v.name] = new ort.Tensor(ortTypes[t.dtype], t.data as OrtTensor.DataTypeMap[OrtTensor.Type], [
          ...t.shape,
        ]);
      }
      const names = outputs ?? graph.outputs.map((v) => v.name);
      let results: InferenceSession.OnnxValueMapType;
      try {
        results = await session.run(ortFeeds, [...names]);
      } catch (e) {
        throw new Error(`${label}: run failed: ${firstLine(e)}`, { cause: e });
      }
      const out: Record<string, Tensor> = {};
      for (const name of names) {
        const r = results[name] as OrtTensor;
        out[name] = new Tensor(graph.value(name).dtype, r.dims, r.data as Float32Array);
      }
      return out;
    },
    dispose: () => session.release(),
  };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}
