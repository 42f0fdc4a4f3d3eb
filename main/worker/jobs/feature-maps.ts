// The bottleneck of a convolutional model, made visible: every channel of the bottleneck layer's
// output for (a centre crop of) an image, as a grid of grey maps, with the compression ratio
// (input values / bottleneck values). A residual denoiser has no bottleneck; its middle layer is
// shown instead (its "ratio" is below 1: it expands the image into many feature maps).
import { Tensor } from '../../engine/ir/tensor.js';
import { sizeMultiple } from '../../engine/nn/index.js';
import { planOf } from '../../../common/model/index.js';
import { featureMaps as runFeatureMaps } from '../../ml/train/index.js';
import { luma, plane, type Image } from '../../imaging/image.js';
import { ServiceError } from '../../../common/contract/index.js';
import { engineExecutor, engineModel } from '../../ml/inference/engine-models.js';
import { asBadRequest } from './latent-space.js';
import { sampleGrid } from './sample-grid.js';
import type { JobHandler } from './types.js';

/** Largest side of the crop that is encoded (feature maps are for looking at, not for whole photos). */
const MAX_SIDE = 128;

/** The centre crop of `image` with sides ≤ MAX_SIDE and multiples of `multiple`, as C×h×w planes. */
function centreCrop(image: Image, channels: number, multiple: number): { data: Float32Array; w: number; h: number } {
  const w = Math.floor(Math.min(image.width, MAX_SIDE) / multiple) * multiple;
  const h = Math.floor(Math.min(image.height, MAX_SIDE) / multiple) * multiple;
  if (w < 1 || h < 1)
    throw new ServiceError('bad-request', `the image is smaller than ${multiple}×${multiple}, the model's size step`);
  const x0 = Math.floor((image.width - w) / 2);
  const y0 = Math.floor((image.height - h) / 2);
  const grey = image.channels === 3 && channels === 1 ? luma(image) : null;
  const data = new Float32Array(channels * w * h);
  for (let c = 0; c < channels; c++) {
    // A grey image feeds every channel of a colour model; a colour image a grey model by its luma.
    const src = grey ?? plane(image, image.channels === 1 ? 0 : c);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) data[c * w * h + y * w + x] = src[(y0 + y) * image.width + x0 + x]!;
  }
  return { data, w, h };
}

export const featureMaps: JobHandler<'feature-maps'> = async (params, ctx) => {
  const model = await engineModel(ctx.model(params.modelId));
  const net = model.arch.network;
  if (net.type === 'dense')
    throw new ServiceError('bad-request', `model '${params.modelId}' is dense: its code is a vector, not feature maps`);
  const image = await ctx.images.load(params.imageId);
  const { data, w, h } = centreCrop(image, net.channels, sizeMultiple(model.arch));
  const plan = planOf(model.arch);
  const layer =
    plan.kind === 'autoencoder'
      ? (plan.heads?.mu ?? plan.encoder[plan.encoder.length - 1]!).name
      : plan.body[Math.floor((plan.body.length - 1) / 2)]!.name;
  await ctx.checkpoint();
  ctx.progress({ fraction: 0.3, message: `running the encoder on a ${w}×${h} crop` });
  const input = new Tensor('float32', [1, net.channels, h, w], data);
  const noiseLevel =
    net.type === 'residual' && net.noiseLevelInput
      ? new Tensor('float32', [1, 1, h, w], new Float32Array(w * h).fill(25 / 255))
      : undefined;
  const executor = await engineExecutor();
  const maps = await asBadRequest(() => runFeatureMaps(model, executor, input, noiseLevel), 'feature maps');
  const t = maps.get(layer);
  if (!t) throw new Error(`the model has no layer '${layer}'`);
  const [, channels, mapHeight, mapWidth] = t.shape as [number, number, number, number];
  const values = t.data as Float32Array;
  await ctx.checkpoint();
  const cols = Math.ceil(Math.sqrt(channels));
  const grid = sampleGrid(values, channels, [1, mapHeight, mapWidth], cols, { normalise: true });
  const info = await ctx.saveImage(grid, `${layer} feature maps (${channels})`);
  return {
    image: info,
    channels,
    mapWidth,
    mapHeight,
    compressionRatio: data.length / values.length,
    layer,
    inputWidth: w,
    inputHeight: h,
  };
};
