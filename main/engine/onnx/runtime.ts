// Running ONNX on ONNX Runtime: the one place that opens an ORT session. onnxruntime-node and
// onnxruntime-web share one API (onnxruntime-common), so both executors open through this, for two
// jobs: compiling one of our graphs (graph → ONNX bytes → session) and loading an ONNX model as it
// is (a denoiser file, any op ORT has, symbolic sizes kept). Feeds and fetches wrap the same typed
// arrays in both directions, without copies.

import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { Graph } from '../ir/graph.js';
import { type DType, Tensor } from '../ir/tensor.js';
import type { CompiledGraph, LoadedModel, ModelValue } from '../exec/executor.js';
import { toOnnx } from './writer.js';

/** The part of an onnxruntime package we use (both packages export these). */
export interface OrtModule {
  InferenceSession: { create(bytes: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: typeof OrtTensor;
}

export type OrtSessionOptions = InferenceSession.SessionOptions;

/**
 * ONNX Runtime refused a model or failed a run. `reason` is the first line of its own message, for
 * callers that word the failure for people themselves.
 */
export class OrtError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    options: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OrtError';
  }
}

const ortTypes: Record<DType, OrtTensor.Type> = {
  float32: 'float32',
  float64: 'float64',
  int64: 'int64',
  bool: 'bool',
  int8: 'int8',
  uint8: 'uint8',
};
const engineTypes = new Map<string, DType>(Object.entries(ortTypes).map(([dtype, ort]) => [ort, dtype as DType]));

/** Opens a session on ONNX bytes; `what` names them in the refusal ('graph' or 'model'). */
async function openSession(
  ort: OrtModule,
  bytes: Uint8Array,
  sessionOptions: OrtSessionOptions,
  label: string,
  what: string,
): Promise<LoadedModel> {
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions);
  } catch (e) {
    const reason = firstLine(e);
    throw new OrtError(`${label}: ONNX Runtime refused the ${what}: ${reason}`, reason, { cause: e });
  }
  return {
    inputs: session.inputMetadata.map(valueOf),
    outputs: session.outputMetadata.map(valueOf),
    async run(feeds, outputs) {
      const ortFeeds: Record<string, OrtTensor> = {};
      for (const [name, t] of Object.entries(feeds))
        ortFeeds[name] = new ort.Tensor(ortTypes[t.dtype], t.data as OrtTensor.DataTypeMap[OrtTensor.Type], [
          ...t.shape,
        ]);
      let results: InferenceSession.OnnxValueMapType;
      try {
        results = outputs ? await session.run(ortFeeds, [...outputs]) : await session.run(ortFeeds);
      } catch (e) {
        const reason = firstLine(e);
        throw new OrtError(`${label}: run failed: ${reason}`, reason, { cause: e });
      }
      const out: Record<string, Tensor> = {};
      for (const [name, value] of Object.entries(results)) {
        const r = value as OrtTensor;
        const dtype = engineTypes.get(r.type);
        if (!dtype) {
          const reason = `output '${name}' is ${r.type}, which the engine's tensors do not hold`;
          throw new OrtError(`${label}: ${reason}`, reason, {});
        }
        out[name] = new Tensor(dtype, r.dims, r.data as Float32Array);
      }
      return out;
    },
    dispose: () => session.release(),
  };
}

function valueOf(v: InferenceSession.ValueMetadata): ModelValue {
  return v.isTensor ? { name: v.name, type: v.type, shape: v.shape } : { name: v.name, type: null, shape: [] };
}

/** Loads an ONNX model as it is: inputs and outputs as the model declares them. */
export function loadWithOrt(
  ort: OrtModule,
  bytes: Uint8Array,
  sessionOptions: OrtSessionOptions,
  label: string,
): Promise<LoadedModel> {
  return openSession(ort, bytes, sessionOptions, label, 'model');
}

export async function compileWithOrt(
  ort: OrtModule,
  graph: Graph,
  sessionOptions: OrtSessionOptions,
  label: string,
  // The graph as ONNX; an executor may hand in a rewritten form of it (ORT-node's NCHWc convs).
  bytes: Uint8Array = toOnnx(graph),
): Promise<CompiledGraph> {
  const session = await openSession(ort, bytes, sessionOptions, label, 'graph');
  const check = feedChecker(graph, session.inputs, label);
  return {
    run: (feeds, outputs) => session.run(check(feeds), outputs ?? graph.outputs.map((v) => v.name)),
    dispose: () => session.dispose(),
  };
}

/**
 * Picks exactly a session's inputs out of `feeds`, each checked against the graph it was compiled
 * from (ORT's own errors name no graph kinds).
 */
export function feedChecker(
  graph: Graph,
  sessionInputs: readonly { name: string }[],
  label: string,
): (feeds: Readonly<Record<string, Tensor>>) => Record<string, Tensor> {
  const inputs = sessionInputs.map(({ name }) => graph.value(name));
  return (feeds) => {
    const checked: Record<string, Tensor> = {};
    for (const v of inputs) {
      const t = feeds[v.name];
      if (!t) throw new Error(`${label}: no feed for ${graph.kind(v.name)} '${v.name}'`);
      if (t.dtype !== v.dtype || t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
        throw new Error(
          `${label}: feed '${v.name}' is ${t.dtype} [${t.shape}], the graph expects ${v.dtype} [${v.shape}]`,
        );
      }
      checked[v.name] = t;
    }
    return checked;
  };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}
