// A grid of decodings over two latent dimensions (columns: dims[0], rows: dims[1]), the others
// held at the digits' mean code; each varied dimension spans mean ± spread·σ of its own codes
// unless the request gives one range for both.
import { latentTraversal as traverse } from '../../ml/train/index.js';
import { ServiceError } from '../../../common/contract/index.js';
import { asBadRequest, latentSpace } from './latent-space.js';
import { sampleGrid } from './sample-grid.js';
import type { JobHandler } from './types.js';

export const latentTraversal: JobHandler<'latent-traversal'> = async (params, ctx) => {
  const space = await latentSpace(ctx, params.modelId);
  const [a, b] = params.dims;
  if (a >= space.dims || b >= space.dims)
    throw new ServiceError('bad-request', `latent dimensions are 0…${space.dims - 1}, got ${a} and ${b}`);
  if (a === b && space.dims > 1) throw new ServiceError('bad-request', 'choose two different latent dimensions');
  await ctx.checkpoint();
  const varied: [number] | [number, number] = space.dims === 1 ? [a] : [a, b];
  const ranges = varied.map(
    (k): [number, number] =>
      params.range ?? [
        space.mean[k]! - params.spread * space.spread[k]!,
        space.mean[k]! + params.spread * space.spread[k]!,
      ],
  );
  const grid = await asBadRequest(
    () =>
      traverse(
        space.model,
        space.executor,
        { base: space.mean, dims: varied, ranges, steps: params.steps },
        space.digits.sampleShape,
      ),
    'traversal',
  );
  const image = await ctx.saveImage(
    sampleGrid(grid.images, grid.rows * grid.cols, space.digits.sampleShape, grid.cols),
    `traversal of latent dims ${a} × ${b}`,
  );
  return { image, rows: grid.rows, cols: grid.cols, ranges };
};
