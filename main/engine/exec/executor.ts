// What every executor offers: compile a graph once, then run it many times.
// Implementations: reference/ (plain TypeScript, float32 or float64, for tests and tiny networks),
// ort-node.ts (onnxruntime-node, native; the default in Node), ort-web.ts (onnxruntime-web wasm).
// The ORT executors also load ONNX models as they are (ModelExecutor): a denoiser file may use ops
// outside our IR and keeps its symbolic sizes, so it is opened, not compiled.

import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';

export interface CompiledGraph {
  /**
   * Runs the graph. `feeds` holds every graph input and parameter by name (constants live in the
   * graph). Returns the requested outputs (default: all graph outputs) by name.
   */
  run(feeds: Readonly<Record<string, Tensor>>, outputs?: readonly string[]): Promise<Record<string, Tensor>>;
  dispose(): Promise<void>;
}

export interface ExecutorOptions {
  /** Threads for intra-op parallelism (ORT executors); 0 = library default. */
  threads?: number;
}

export interface Executor {
  readonly name: 'reference' | 'ort-node' | 'ort-web';
  compile(graph: Graph): Promise<CompiledGraph>;
}

/** One input or output of a loaded model, as the model declares it. */
export interface ModelValue {
  name: string;
  /** Element type of a tensor ('float32', 'int64', 'float16', …); null for a sequence or map. */
  type: string | null;
  /** Dimensions; symbolic ones by name (empty when the model does not say). */
  shape: readonly (number | string)[];
}

/** An ONNX model opened as it is: run it on any sizes its symbolic dimensions allow. */
export interface LoadedModel {
  readonly inputs: readonly ModelValue[];
  readonly outputs: readonly ModelValue[];
  /** Runs the model on `feeds` (each of its inputs by name); returns the requested outputs (default: all). */
  run(feeds: Readonly<Record<string, Tensor>>, outputs?: readonly string[]): Promise<Record<string, Tensor>>;
  dispose(): Promise<void>;
}

export interface ModelExecutor extends Executor {
  readonly name: 'ort-node' | 'ort-web';
  /** Opens ONNX bytes as they are; `label` names the model in errors. */
  load(onnx: Uint8Array, label?: string): Promise<LoadedModel>;
}
