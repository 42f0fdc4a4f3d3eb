// What every executor offers: compile a graph once, then run it many times.
// Implementations: reference/ (plain TypeScript, float32 or float64, for tests and tiny networks),
// ort-node.ts (onnxruntime-node, native; the default in Node), ort-web.ts (onnxruntime-web wasm).

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
