// The engine side of the worker: one shared executor (onnxruntime-node) for training and the
// latent views, and trained models read back from their ONNX files (architecture + weights from
// the file's metadata), the last few kept in memory.
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { createExecutor, type Executor } from '../../engine/exec/index.js';
import { importEngineModel, type ModelWeights } from '../train/index.js';
import { ServiceError } from '../../../common/contract/index.js';

let shared: Promise<Executor> | null = null;

/**
 * Training leaves one core to the rest of the app: with every core busy in onnxruntime's
 * (spinning) thread pool, the window's own work waits, and the UI stutters (the end-to-end perf
 * test measured a 65 ms long task on 2 cores).
 */
export function engineExecutor(): Promise<Executor> {
  shared ??= createExecutor('ort-node', { threads: Math.max(1, availableParallelism() - 1) });
  return shared;
}

const KEEP = 4;
const cache = new Map<string, Promise<ModelWeights>>();

/**
 * Architecture and weights of a model trained by Denoise Lab; other models are refused clearly.
 * Keyed by file and modification time, so a model saved again under the same name is re-read.
 */
/** A model file as the service resolved it: its id (for messages) and its path. */
export interface ModelFileRef {
  id: string;
  file: string;
}

export async function engineModel(model: ModelFileRef): Promise<ModelWeights> {
  const st = await stat(model.file).catch((e: Error) => {
    throw new ServiceError('not-found', `model '${model.id}': cannot read ${model.file} (${e.message})`);
  });
  const key = `${model.file}@${st.mtimeMs}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const loading = (async () => {
    const bytes = await readFile(model.file).catch((e: Error) => {
      throw new ServiceError('not-found', `model '${model.id}': cannot read ${model.file} (${e.message})`);
    });
    try {
      const { arch, params } = importEngineModel(bytes, model.id);
      return { arch, params };
    } catch (e) {
      throw new ServiceError(
        'bad-request',
        `${(e as Error).message}; this view needs a model trained in Denoise Lab (its architecture travels in the file)`,
      );
    }
  })();
  loading.catch(() => cache.delete(key));
  cache.set(key, loading);
  while (cache.size > KEEP) cache.delete(cache.keys().next().value as string);
  return loading;
}
