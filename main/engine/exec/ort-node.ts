// onnxruntime-node (native CPU): the default executor in Node. Each compile writes the graph as
// ONNX and opens one session; run() wraps the feeds' typed arrays without copying.

import * as ort from 'onnxruntime-node';
import type { Graph } from '../ir/graph.js';
import type { CompiledGraph, Executor, ExecutorOptions } from './executor.js';
import { type OrtSessionOptions, compileWithOrt } from '../onnx/runtime.js';

export interface OrtNodeOptions extends ExecutorOptions {
  /** Overrides of the session options below (the benchmark measures these). */
  session?: Partial<OrtSessionOptions>;
}

export class OrtNodeExecutor implements Executor {
  readonly name = 'ort-node' as const;
  private readonly sessionOptions: OrtSessionOptions;

  constructor(options: OrtNodeOptions = {}) {
    this.sessionOptions = {
      executionProviders: ['cpu'],
      // 0 lets ORT pick (one thread per physical core).
      intraOpNumThreads: options.threads ?? 0,
      // Our graphs are one chain of big ops: parallelism lives inside ops, not between them.
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      ...options.session,
    };
  }

  compile(graph: Graph): Promise<CompiledGraph> {
    return compileWithOrt(ort, graph, this.sessionOptions, 'ort-node');
  }
}
