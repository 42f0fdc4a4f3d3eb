// onnxruntime-web (WebAssembly, SIMD, optionally multi-threaded): the executor of the browser
// renderer and the fallback where the native addon is missing. It also runs under Node (tests):
// there the package finds its .wasm files next to itself in node_modules/onnxruntime-web/dist.

import * as ort from 'onnxruntime-web';
import type { Graph } from '../ir/graph.js';
import type { CompiledGraph, ExecutorOptions, LoadedModel, ModelExecutor } from './executor.js';
import { type OrtSessionOptions, compileWithOrt, loadWithOrt } from '../onnx/runtime.js';

export interface OrtWebOptions extends ExecutorOptions {
  /** Where the ort-wasm-*.wasm/.mjs files are served from (browser builds that do not bundle them). */
  wasmPaths?: string;
  session?: Partial<OrtSessionOptions>;
}

/**
 * The wasm runtime is initialised once per process (or page) by the first session, so the thread
 * count and wasm location of the first executor that compiles win; later differing requests are
 * refused rather than silently ignored.
 */
let initialised: { threads: number; wasmPaths: string | undefined } | undefined;

export class OrtWebExecutor implements ModelExecutor {
  readonly name = 'ort-web' as const;
  private readonly threads: number;
  private readonly wasmPaths: string | undefined;
  private readonly sessionOptions: OrtSessionOptions;

  constructor(options: OrtWebOptions = {}) {
    this.threads = options.threads ?? 1;
    this.wasmPaths = options.wasmPaths;
    this.sessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all', ...options.session };
  }

  compile(graph: Graph): Promise<CompiledGraph> {
    const refused = this.initialise();
    return refused ? Promise.reject(refused) : compileWithOrt(ort, graph, this.sessionOptions, 'ort-web');
  }

  load(onnx: Uint8Array, label = 'ort-web'): Promise<LoadedModel> {
    const refused = this.initialise();
    return refused ? Promise.reject(refused) : loadWithOrt(ort, onnx, this.sessionOptions, label);
  }

  /** Sets up the wasm runtime on first use; an error when it already runs otherwise. */
  private initialise(): Error | undefined {
    if (!initialised) {
      ort.env.wasm.numThreads = this.threads;
      if (this.wasmPaths !== undefined) ort.env.wasm.wasmPaths = this.wasmPaths;
      initialised = { threads: this.threads, wasmPaths: this.wasmPaths };
    } else if (initialised.threads !== this.threads || initialised.wasmPaths !== this.wasmPaths) {
      return new Error(
        `ort-web: the wasm runtime already runs with ${initialised.threads} thread(s); it cannot change within one process`,
      );
    }
    return undefined;
  }
}
