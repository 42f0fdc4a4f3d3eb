// Picks an executor by name. Each is imported lazily, so a process only loads the runtime it uses
// (the native addon, the wasm runtime, or neither for the reference interpreter).

import type { Executor, ModelExecutor } from './executor.js';
import type { OrtNodeOptions } from './ort-node.js';
import type { OrtWebOptions } from './ort-web.js';

export type ExecutorName = Executor['name'];
export const EXECUTOR_NAMES: readonly ExecutorName[] = ['ort-node', 'ort-web', 'reference'];

export type CreateExecutorOptions = OrtNodeOptions & OrtWebOptions;

/** The ORT executors also load ONNX models as they are. */
export function createExecutor(name: ModelExecutor['name'], options?: CreateExecutorOptions): Promise<ModelExecutor>;
export function createExecutor(name: ExecutorName, options?: CreateExecutorOptions): Promise<Executor>;
export async function createExecutor(name: ExecutorName, options: CreateExecutorOptions = {}): Promise<Executor> {
  switch (name) {
    case 'ort-node': {
      const { OrtNodeExecutor } = await import('./ort-node.js');
      return new OrtNodeExecutor(options);
    }
    case 'ort-web': {
      const { OrtWebExecutor } = await import('./ort-web.js');
      return new OrtWebExecutor(options);
    }
    case 'reference': {
      const { ReferenceExecutor } = await import('./reference/index.js');
      return new ReferenceExecutor();
    }
    default:
      throw new Error(`unknown executor '${String(name)}' (choose one of ${EXECUTOR_NAMES.join(', ')})`);
  }
}

export type { Executor, CompiledGraph, ExecutorOptions, LoadedModel, ModelExecutor, ModelValue } from './executor.js';
export { OrtError } from '../onnx/runtime.js';
