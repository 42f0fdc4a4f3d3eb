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
import type { NoiseSpec } from '../../../common/noise-spec.js';
import { Tensor } from '../../engine/ir/tensor.js';
import type { Dataset } from './datasets.js';

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
  noise: NoiseSpec | null;
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
   */
  noiseLevelMap: boolean;
}

export interface Batch {
  /** The model's input (corrupted when training a denoiser). */
  x: Tensor;
  /** The clean target. */
  y: Tensor;
  eps?: Tensor;
  noiseLevel?: Tensor;
  indices: Int32Array;
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

/** Assembles one batch. Draw order: sample crops, then noise per sample, then ε. */
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
  const channels = spec.sampleShape.length === 3 ? spec.sampleShape[0]! : 1;
  if (spec.noiseLevelMap) {
    if (spec.sampleShape.length !== 3) throw new RangeError('a noise-level map needs image samples');
    const hw = spec.sampleShape[1]! * spec.sampleShape[2]!;
    noiseLevel = new Tensor('float32', [spec.batch, 1, spec.sampleShape[1]!, spec.sampleShape[2]!]);
    const noisy = new Float32Array(clean.length);
    for (let i = 0; i < spec.batch; i++) {
      const sample = clean.subarray(i * size, (i + 1) * size);
      const grey = channels === 3 && rng.uniform() < 0.25 ? lumaOfPlanes(sample, hw) : null;
      if (grey) sample.set(repeatPlane(grey, 3));
      const { noise, level } = mapNoise(spec.noise, sample, rng);
      (noiseLevel.data as Float32Array).fill(level / 255, i * hw, (i + 1) * hw);
      let out: Float32Array;
      if (!noise) out = Float32Array.from(sample);
      else if (grey) out = repeatPlane(addNoise(grey, 1, noise, rng, { clip: false }), 3);
      else out = addNoise(sample, channels, noise, rng, { clip: false });
      if (spec.noise && spec.noise.type !== 'gaussian' && spec.noise.type !== 'poisson-gaussian') {
        // Other noise models keep their own parameters; the map then only says "noisy".
      } else if (rng.uniform() < 0.5) {
        for (let k = 0; k < out.length; k++) out[k] = Math.round(Math.min(1, Math.max(0, out[k]!)) * 255) / 255;
      }
      noisy.set(out, i * size);
    }
    x = new Tensor('float32', shape, noisy);
  } else if (spec.noise) {
    const noisy = new Float32Array(clean.length);
    for (let i = 0; i < spec.batch; i++) {
      // Unclipped, as in DnCNN training: the target is the clean sample, the noise is zero-mean.
      noisy.set(
        addNoise(clean.subarray(i * size, (i + 1) * size), channels, spec.noise, rng, { clip: false }),
        i * size,
      );
    }
    x = new Tensor('float32', shape, noisy);
  }
  const batch: Batch = { x, y, indices };
  if (spec.epsShape) {
    const eps = new Tensor('float32', [spec.batch, ...spec.epsShape]);
    rng.fillNormal(eps.data as Float32Array);
    batch.eps = eps;
  }
  if (noiseLevel) batch.noiseLevel = noiseLevel;
  return batch;
}
