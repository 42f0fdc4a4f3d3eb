// The latent space of a trained model as the Latent workspace sees it: the codes of all 1,797
// built-in digits, and the 2-D plot coordinates of a code — the code itself when the latent has
// two dimensions, its first two principal components (fitted on all digits' codes) when it has
// more. The PCA is a property of the model, not of the sample a request shows, so a point
// clicked in any scatter decodes to the same latent vector. Shared by the latent-* jobs.
import { DatasetError, SampleDataset, encode, openDataset } from '../../ml/train/index.js';
import type { ModelWeights } from '../../ml/train/index.js';
import { type Pca, fitPca, pcaProject, pcaUnproject } from '../../ml/analysis/pca.js';
import type { Executor } from '../../engine/exec/index.js';
import { ServiceError } from '../../../common/contract/index.js';
import type { JobContext } from '../job-context.js';
import { engineExecutor, engineModel } from '../../ml/inference/engine-models.js';

export interface LatentSpace {
  model: ModelWeights;
  executor: Executor;
  /** The digits, shaped for the model ([64] or [1, 8, 8]). */
  digits: SampleDataset;
  /** Latent size (all dimensions of the code, flattened). */
  dims: number;
  /** Codes of all digits, row major: digits.length × dims. */
  codes: Float32Array;
  /** Mean code: the centre of traversal grids. */
  mean: Float32Array;
  /** Standard deviation of each dimension's codes: how far traversal grids reach. */
  spread: Float32Array;
  pca: Pca | null;
  /** Plot coordinates of all digits: digits.length × 2. */
  plot: Float64Array;
}

/** Engine errors about what a model can do are the user's request not fitting the model. */
export async function asBadRequest<T>(work: () => Promise<T>, what: string): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof RangeError || e instanceof DatasetError)
      throw new ServiceError('bad-request', `${what}: ${e.message}`);
    throw e;
  }
}

export async function latentSpace(ctx: JobContext, modelId: string): Promise<LatentSpace> {
  const card = ctx.model(modelId);
  const model = await engineModel(card);
  const executor = await engineExecutor();
  const digits = await asBadRequest(async () => {
    const ds = await openDataset('digits', model.arch);
    if (!(ds instanceof SampleDataset)) throw new RangeError('the digits did not load as whole samples');
    return ds;
  }, `the latent views use the 8×8 digits, and model '${modelId}' cannot take them`);
  const { latent, shape } = await asBadRequest(
    () => encode(model, executor, digits.all, digits.length, digits.sampleShape),
    `model '${modelId}' has no latent space to show`,
  );
  const n = digits.length;
  const dims = shape.slice(1).reduce((a, b) => a * b, 1);
  const mean = new Float32Array(dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) mean[j]! += latent[i * dims + j]! / n;
  const spread = new Float32Array(dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) spread[j]! += (latent[i * dims + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < dims; j++) spread[j] = Math.sqrt(spread[j]!);
  let pca: Pca | null = null;
  let plot: Float64Array;
  if (dims > 2) {
    pca = fitPca(latent, n, dims, 2);
    plot = pcaProject(pca, latent, n);
  } else {
    plot = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      plot[i * 2] = latent[i * dims]!;
      plot[i * 2 + 1] = dims === 2 ? latent[i * dims + 1]! : 0;
    }
  }
  return { model, executor, digits, dims, codes: latent, mean, spread, pca, plot };
}

/** A point given in plot coordinates or as a full latent vector → the latent vector. */
export function toLatent(space: LatentSpace, point: readonly number[], where: 'plot' | 'latent'): Float32Array {
  if (where === 'latent') {
    if (point.length !== space.dims)
      throw new ServiceError('bad-request', `the latent has ${space.dims} dimensions, the point ${point.length}`);
    return Float32Array.from(point);
  }
  if (point.length !== 2) throw new ServiceError('bad-request', `a plot point has 2 coordinates, got ${point.length}`);
  if (space.pca) return Float32Array.from(pcaUnproject(space.pca, point));
  return Float32Array.from(point.slice(0, space.dims));
}
