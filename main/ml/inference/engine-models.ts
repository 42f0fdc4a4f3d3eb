// The models the worker runs, each kind kept open in one ModelCache: ONNX denoisers as tile runners
// (any ONNX file), and models trained by Denoise Lab read back as architecture + weights (from the
// file's metadata) for the latent views; and the one shared executor (onnxruntime-node) that
// training and those views run on.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { createExecutor, type Executor } from '../../engine/exec/index.js';
import { importEngineModel, type ModelWeights } from '../train/index.js';
import { ServiceError } from '../../../common/contract/index.js';
import { ModelCache } from './model-cache.js';
import { estimatorFileFor, openNoiseEstimator, type NoiseEstimator } from './noise-map.js';
import { openOnnxModel, type OnnxModel } from './onnx-runner.js';

/** A model file as the service resolved it: its id (for messages) and its path. */
export interface ModelFileRef {
  id: string;
  file: string;
}

let shared: Promise<Executor> | null = null;

/**
 * Training leaves one core to the rest of the app: with every core busy in onnxruntime's
 * (spinning) thread pool, the window's own work waits, and the UI stutters (the end-to-end perf
 * test measured a 65 ms long task on 2 cores).
 */
export const ENGINE_THREADS = Math.max(1, availableParallelism() - 1);

export function engineExecutor(): Promise<Executor> {
  shared ??= createExecutor('ort-node', { threads: ENGINE_THREADS });
  return shared;
}

const onnxModels = new ModelCache<ModelFileRef, OnnxModel>({
  keep: 3,
  // A missing or unreadable file is reported by openOnnxModel, with the model's name.
  load: (model) => openOnnxModel(model.file, { name: model.id }),
  release: (open) => open.close(),
});

/** A model file as a tile runner (any ONNX denoiser). */
export function onnxModel(model: ModelFileRef): Promise<OnnxModel> {
  return onnxModels.get(model);
}

const estimators = new ModelCache<ModelFileRef, NoiseEstimator>({
  keep: 2,
  load: (estimator) => openNoiseEstimator(estimator.file),
  release: (open) => open.close(),
});

/** The noise estimator shipped beside a model (`<model>.estimator.onnx`), or null if it has none. */
export async function noiseEstimatorFor(model: ModelFileRef): Promise<NoiseEstimator | null> {
  const file = estimatorFileFor(model.file);
  return file ? estimators.get({ id: `${model.id} estimator`, file }) : null;
}

const engineModels = new ModelCache<ModelFileRef, ModelWeights>({
  keep: 4,
  async load(model) {
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
  },
});

/** Architecture and weights of a model trained by Denoise Lab; other models are refused clearly. */
export function engineModel(model: ModelFileRef): Promise<ModelWeights> {
  return engineModels.get(model);
}
