// Turning a dataset into the feeds of one training step: which samples (a seeded permutation per
// epoch, or file order without shuffling), their corrupted copies (noise added on the fly), the
// VAE's ε and the noise-level map. Everything random draws from one Rng, in a fixed order, so a
// run is a function of its seed and can be resumed exactly from (order, cursor, Rng state).
//
// Batches have a fixed size (the step graph has static shapes): when an epoch runs out mid-batch,
// the batch continues with the first samples of the next epoch's order.

import type { Rng } from '../../../common/rng.js';
import { lumaOfPlanes, repeatPlane } from '../../imaging/image.js';
import { addNoise } from '../../../common/noise.js';
import type { NoiseSpec, TrainingNoise } from '../../../common/noise-spec.js';
import { compressJpeg } from '../../imaging/camera/index.js';
import { Tensor } from '../../engine/ir/tensor.js';
import {
  type PendingJpeg,
  cameraSample,
  cropCentre,
  drawJpegQuality,
  drawMixKind,
} from './camera-mix.js';
import type { Dataset } from './datasets.js';

export type { TrainingNoise };

export class BatchSampler {
  /** Epochs completed. */
  epoch: number;
  /** Position in the current epoch's order. */
  cursor: number;
  order: Int32Array;

  constructor(
    readonly length: number,
    readonly shuffle: boolean,
    private readonly rng: Rng,
    resume?: { order: Int32Array; epoch: number; cursor: number },
  ) {
    if (resume) {
      if (resume.order.length !== length)
        throw new RangeError(
          `resume: the checkpoint's epoch has ${resume.order.length} samples, the dataset ${length}`,
        );
      this.order = resume.order;
      this.epoch = resume.epoch;
      this.cursor = resume.cursor;
    } else {
      this.order = this.newOrder();
      this.epoch = 0;
      this.cursor = 0;
    }
  }

  private newOrder(): Int32Array {
    const order = new Int32Array(this.length);
    for (let i = 0; i < this.length; i++) order[i] = i;
    if (this.shuffle) this.rng.shuffle(order);
    return order;
  }

  /** The next `size` sample indices. */
  next(size: number): Int32Array {
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      if (this.cursor === this.length) {
        this.epoch++;
        this.cursor = 0;
        this.order = this.newOrder();
      }
      out[i] = this.order[this.cursor++]!;
    }
    return out;
  }
}

export interface BatchSpec {
  batch: number;
  sampleShape: readonly number[];
  /** Corruption of the inputs (null: x = clean). Levels on the 0–255 scale. */
  noise: TrainingNoise | null;
  /** Shape of the VAE's ε for one sample (null: not a VAE). */
  epsShape: readonly number[] | null;
  /**
   * Feed a noise-level map (σ/255 per pixel), FFDNet-style, so that one model learns the whole
   * range a strength slider offers. Per sample:
   *   gaussian σ          σ_s ~ U[0, σ]; map = σ_s
   *   poisson-gaussian    read noise σ_r ~ U[0, σ]; for half of the samples also shot noise with
   *     (photons P, σ)    P log-uniform in [P, 64·P] photons at full scale; map = the sample's RMS
   *                       noise level √(σ_r² + 255²·mean(x)/P), which is what a noise estimator
   *                       measures on a real photo
   * and, for both, half of the samples are clipped to [0, 1] and quantised to 8 bits, as saved
   * photos are (a model trained only on unclipped noise over-smooths highlights and shadows).
   * For RGB samples, a quarter are made grey (BT.601 luma in all three channels) with the same
   * noise in every channel, which is what a grey photo run through a colour model looks like:
   * measured, a model trained on independent channel noise only took such noise for detail and
   * left it (24.6 dB at σ 25 on the devset's grey photos, where NL-means reaches 27.7; see
   * scripts/train/README.md).
   *   camera-mix          per sample camera noise, the poisson-gaussian draw above, or none
   *                       (camera-mix.ts); the map of a camera sample varies per pixel
   */
  noiseLevelMap: boolean;
  /**
   * What y holds: the clean samples (default), or the noise-level map (σ/255, [N, 1, H, W]) for
   * training a noise estimator on the same draws. Needs `noiseLevelMap`.
   */
  target?: 'clean' | 'noise-level';
}

export interface Batch {
  /** The model's input (corrupted when training a denoiser). */
  x: Tensor;
  /** The clean target. */
  y: Tensor;
  eps?: Tensor;
  noiseLevel?: Tensor;
  indices: Int32Array;
  /** Camera-mix JPEG round trips still to do on x (and y): see compressPending. */
  pendingJpeg?: PendingJpeg[];
}

/** One sample's noise for a noise-level-map model, and the level (0–255 scale) its map states. */
function mapNoise(spec: NoiseSpec | null, sample: Float32Array, rng: Rng): { noise: NoiseSpec | null; level: number } {
  if (!spec) return { noise: null, level: 0 };
  if (spec.type === 'gaussian') {
    const sigma = rng.uniform() * spec.sigma;
    return { noise: { type: 'gaussian', sigma }, level: sigma };
  }
  if (spec.type === 'poisson-gaussian') {
    const sigma = rng.uniform() * spec.sigma;
    if (rng.uniform() < 0.5) return { noise: { type: 'gaussian', sigma }, level: sigma };
    const photons = spec.photons * Math.exp(rng.uniform() * Math.log(64));
    let mean = 0;
    for (let k = 0; k < sample.length; k++) mean += Math.max(0, sample[k]!);
    mean /= sample.length;
    return {
      noise: { type: 'poisson-gaussian', photons, sigma },
      level: Math.sqrt(sigma * sigma + (255 * 255 * mean) / photons),
    };
  }
  return { noise: spec, level: 'sigma' in spec ? spec.sigma : 0 };
}

/**
 * One sample's noisy copy and the level its map states, for a noise-level-map model (the grey
 * samples and 8-bit quantisation of BatchSpec.noiseLevelMap). Makes `sample` grey in place when
 * it draws grey. Draw order: grey?, the level, the noise, quantise?.
 */
function mappedNoise(
  spec: NoiseSpec | null,
  sample: Float32Array,
  channels: number,
  hw: number,
  rng: Rng,
): { out: Float32Array; level: number } {
  const grey = channels === 3 && rng.uniform() < 0.25 ? lumaOfPlanes(sample, hw) : null;
  if (grey) sample.set(repeatPlane(grey, 3));
  const { noise, level } = mapNoise(spec, sample, rng);
  let out: Float32Array;
  if (!noise) out = Float32Array.from(sample);
  else if (grey) out = repeatPlane(addNoise(grey, 1, noise, rng, { clip: false }), 3);
  else out = addNoise(sample, channels, noise, rng, { clip: false });
  if (spec && spec.type !== 'gaussian' && spec.type !== 'poisson-gaussian') {
    // Other noise models keep their own parameters; the map then only says "noisy".
  } else if (rng.uniform() < 0.5) {
    for (let k = 0; k < out.length; k++) out[k] = Math.round(Math.min(1, Math.max(0, out[k]!)) * 255) / 255;
  }
  return { out, level };
}

/**
 * Does a batch's pending JPEG round trips (camera-mix), in sample order. The batch is drawn
 * synchronously by makeBatch with every random draw made there, and only the JPEG step waits
 * here: sharp (libjpeg) has no synchronous API and is deterministic for a given quality, so the
 * result does not depend on timing, and a resumed run still continues bit for bit. (A JPEG codec
 * of our own in JS would be a second JPEG next to the one that writes users' photos.)
 */
export async function compressPending(batch: Batch): Promise<Batch> {
  if (!batch.pendingJpeg) return batch;
  const size = (batch.x.data as Float32Array).length / batch.x.shape[0]!;
  const [, , h, w] = batch.x.shape as [number, number, number, number];
  for (const p of batch.pendingJpeg) {
    const decoded = await compressJpeg(p.image, p.quality);
    const centre = cropCentre(decoded.data, 3, h, w, p.margin);
    (batch.x.data as Float32Array).set(centre, p.sample * size);
    if (p.target) (batch.y.data as Float32Array).set(centre, p.sample * size);
  }
  delete batch.pendingJpeg;
  return batch;
}

/** makeBatch, then its JPEG step: what the trainer uses (evaluate.ts refuses camera-mix, see trainer.ts). */
export async function assembleBatch(dataset: Dataset, indices: Int32Array, spec: BatchSpec, rng: Rng): Promise<Batch> {
  return compressPending(makeBatch(dataset, indices, spec, rng));
}

/**
 * Assembles one batch. Draw order: sample crops, then noise per sample, then ε. Camera-mix JPEG
 * steps are left in `pendingJpeg` (see compressPending / assembleBatch).
 */
export function makeBatch(dataset: Dataset, indices: Int32Array, spec: BatchSpec, rng: Rng): Batch {
  const size = spec.sampleShape.reduce((a, b) => a * b, 1);
  const clean = new Float32Array(spec.batch * size);
  const one = new Float32Array(size);
  for (let i = 0; i < spec.batch; i++) {
    dataset.sample(indices[i]!, one, rng);
    clean.set(one, i * size);
  }
  const shape = [spec.batch, ...spec.sampleShape];
  const y = new Tensor('float32', shape, clean);
  let x = y;
  let noiseLevel: Tensor | undefined;
  let pendingJpeg: PendingJpeg[] | undefined;
  const channels = spec.sampleShape.length === 3 ? spec.sampleShape[0]! : 1;
  if (spec.noiseLevelMap) {
    if (spec.sampleShape.length !== 3) throw new RangeError('a noise-level map needs image samples');
    const [, h, w] = spec.sampleShape as [number, number, number];
    const hw = h * w;
    noiseLevel = new Tensor('float32', [spec.batch, 1, h, w]);
    const levels = noiseLevel.data as Float32Array;
    const noisy = new Float32Array(clean.length);
    const pending: PendingJpeg[] = [];
    for (let i = 0; i < spec.batch; i++) {
      const sample = clean.subarray(i * size, (i + 1) * size);
      const noise = spec.noise;
      if (noise?.type === 'camera-mix') {
        if (channels !== 3) throw new RangeError('camera-mix noise needs RGB samples');
        const kind = drawMixKind(rng);
        if (kind === 'camera') {
          const cam = cameraSample(sample, h, w, rng);
          sample.set(cam.clean);
          noisy.set(cam.noisy, i * size);
          levels.set(cam.level, i * hw);
          const q = cam.pipeline.jpegQuality;
          if (q !== null) pending.push({ sample: i, quality: q, ...cam.padded, target: false });
          continue;
        }
        if (kind === 'clean') {
          noisy.set(sample, i * size);
          if (rng.uniform() < 0.5) {
            const image = {
              width: w,
              height: h,
              channels: 3 as const,
              data: sample.slice(),
              bitDepth: 8 as const,
              meta: { format: 'raw' },
            };
            pending.push({
              sample: i,
              quality: drawJpegQuality(rng),
              image,
              margin: 0,
              target: spec.target !== 'noise-level',
            });
          }
          continue;
        }
        const classic = mappedNoise(
          { type: 'poisson-gaussian', photons: noise.photons, sigma: noise.sigma },
          sample,
          channels,
          hw,
          rng,
        );
        noisy.set(classic.out, i * size);
        levels.fill(classic.level / 255, i * hw, (i + 1) * hw);
        continue;
      }
      const { out, level } = mappedNoise(noise, sample, channels, hw, rng);
      levels.fill(level / 255, i * hw, (i + 1) * hw);
      noisy.set(out, i * size);
    }
    x = new Tensor('float32', shape, noisy);
    if (pending.length) pendingJpeg = pending;
  } else if (spec.noise) {
    if (spec.noise.type === 'camera-mix') throw new RangeError('camera-mix noise needs a noise-level map');
    const noise = spec.noise;
    const noisy = new Float32Array(clean.length);
    for (let i = 0; i < spec.batch; i++) {
      // Unclipped, as in DnCNN training: the target is the clean sample, the noise is zero-mean.
      noisy.set(addNoise(clean.subarray(i * size, (i + 1) * size), channels, noise, rng, { clip: false }), i * size);
    }
    x = new Tensor('float32', shape, noisy);
  }
  const batch: Batch = { x, y, indices };
  if (spec.target === 'noise-level') {
    if (!noiseLevel) throw new RangeError('a noise-level target needs a noise-level map');
    batch.y = noiseLevel;
  }
  if (pendingJpeg) batch.pendingJpeg = pendingJpeg;
  if (spec.epsShape) {
    const eps = new Tensor('float32', [spec.batch, ...spec.epsShape]);
    rng.fillNormal(eps.data as Float32Array);
    batch.eps = eps;
  }
  if (noiseLevel) batch.noiseLevel = noiseLevel;
  return batch;
}
