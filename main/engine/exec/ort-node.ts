// onnxruntime-node (native CPU): the default executor in Node, and the only module that imports
// onnxruntime-node (lint refuses it elsewhere), so every ORT session in Node gets these session
// options and the telemetry switch. Each compile writes the graph as ONNX and opens one session;
// load() opens a model file's bytes as they are; run() wraps the feeds' typed arrays without copying.
//
// Where the CPU has ORT's blocked-layout kernels (x86-64 Linux with AVX2 or AVX-512F), the Convs
// are rewritten to them first (../onnx/nchwc.ts says why: ORT does this itself only for constant
// weights, never for a training step's; measured 0.82x → 1.05x PyTorch on the ref-dae step).
// `{ nchwc: false }` or DENOISE_LAB_NCHWC=0 compiles the plain graph instead, e.g. to rule the
// rewrite out when a graph is refused or its numbers look wrong.

import '../onnx/no-telemetry.js';
import * as ort from 'onnxruntime-node';
import type { Graph } from '../ir/graph.js';
import type { CompiledGraph, ExecutorOptions, LoadedModel, ModelExecutor } from './executor.js';
import { nchwcBlockSize, withNchwcConvs } from '../onnx/nchwc.js';
import { type OrtSessionOptions, compileWithOrt, loadWithOrt } from '../onnx/runtime.js';
import { toOnnx } from '../onnx/writer.js';

export interface OrtNodeOptions extends ExecutorOptions {
  /** Overrides of the session options below (the benchmark measures these). */
  session?: Partial<OrtSessionOptions>;
  /** Rewrite Convs to ORT's NCHWc kernels where the CPU has them (default: unless DENOISE_LAB_NCHWC=0). */
  nchwc?: boolean;
}

export class OrtNodeExecutor implements ModelExecutor {
  readonly name = 'ort-node' as const;
  private readonly sessionOptions: OrtSessionOptions;
  /** The NCHWc block size the Convs are rewritten for, or null to compile the plain graph. */
  readonly nchwcBlock: number | null;

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
    const nchwc = options.nchwc ?? process.env.DENOISE_LAB_NCHWC !== '0';
    this.nchwcBlock = nchwc ? nchwcBlockSize() : null;
  }

  compile(graph: Graph): Promise<CompiledGraph> {
    const { bytes, label } = this.compiledForm(graph);
    return compileWithOrt(ort, graph, this.sessionOptions, label, bytes);
  }

  /** The ONNX bytes compile() opens for `graph` (with the NCHWc rewrite where it applies) and their label. */
  compiledForm(graph: Graph): { bytes: Uint8Array; label: string } {
    if (this.nchwcBlock === null) return { bytes: toOnnx(graph), label: 'ort-node' };
    return {
      bytes: withNchwcConvs(graph, this.nchwcBlock).bytes,
      label: 'ort-node (NCHWc convs, DENOISE_LAB_NCHWC=0 disables)',
    };
  }

  // No NCHWc rewrite here: a model's weights are constants, which ORT itself lays out for those kernels.
  load(onnx: Uint8Array, label = 'ort-node'): Promise<LoadedModel> {
    return loadWithOrt(ort, onnx, this.sessionOptions, label);
  }
}
