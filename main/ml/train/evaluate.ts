// What each variant reports about a trained model (worked-examples.md, table 6), measured on a
// fixed set of samples with fixed corruption (the same every time it is called with the same seed):
//   every model      reconstruction MSE / MAE against the clean samples, PSNR (and SSIM for
//                    images of at least 11×11 pixels) of the output clipped to [0, 1]; for a
//                    denoiser also the PSNR / SSIM of the noisy input, for comparison
//   with a latent    sparsity statistics of the code: mean activation, fraction of near-zero units
//   variational      KL, reconstruction and ELBO per sample, single-sample estimate at z = μ
//                    (Bernoulli likelihood with BCE; with MSE the "likelihood" is a Gaussian of
//                    variance ½ without its constant, so only differences are meaningful)
//   dense 1-layer    Jacobian sensitivity mean_n ‖∂z/∂x‖_F in closed form (contractive models)

import { Rng } from '../../../common/rng.js';
import { psnr, ssimPlane } from '../../imaging/metrics.js';
import type { NoiseSpec } from '../../../common/noise-spec.js';
import type { Executor } from '../../engine/exec/executor.js';
import { Tensor } from '../../engine/ir/tensor.js';
import { buildInference } from '../../engine/nn/build.js';
import { planOf } from '../../../common/model/plan.js';
import { makeBatch } from './batches.js';
import type { Dataset } from './datasets.js';
import { type ModelWeights, runOnce } from '../analysis/latent.js';

export interface Evaluation {
  samples: number;
  mse: number;
  mae: number;
  psnr: number;
  ssim: number | null;
  /** Of the corrupted input against the clean sample (denoisers only). */
  noisyPsnr: number | null;
  noisySsim: number | null;
  sparsity: { meanActivation: number; fractionNearZero: number; threshold: number } | null;
  vae: { recon: number; kl: number; elbo: number } | null;
  /** mean over samples of ‖∂z/∂x‖_F (one-layer dense encoders). */
  jacobianNorm: number | null;
}

export interface EvaluateOptions {
  executor: Executor;
  noise?: NoiseSpec | null;
  /** Seed of the sample choice (patch datasets) and of the corruption. */
  seed?: number;
  /** Evaluate at most this many samples (default 256). */
  maxSamples?: number;
  /** σ for the noise-level map of models that take one (default: the noise's own σ). */
  noiseLevel?: number;
}

/** Near-zero threshold of the sparsity statistics (sigmoid/ReLU codes live in [0, 1]-ish ranges). */
export const NEAR_ZERO = 0.05;

const clip01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

function meanOverSamples(n: number, size: number, f: (i: number, lo: number, hi: number) => number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += f(i, i * size, (i + 1) * size);
  return s / n;
}

function imageQuality(
  a: Float32Array,
  b: Float32Array,
  n: number,
  shape: readonly number[],
): { psnr: number; ssim: number | null } {
  const size = shape.reduce((x, y) => x * y, 1);
  const ca = Float32Array.from(a, clip01);
  const p = meanOverSamples(n, size, (_, lo, hi) => Math.min(psnr(ca.subarray(lo, hi), b.subarray(lo, hi)), 100));
  if (shape.length !== 3 || shape[1]! < 11 || shape[2]! < 11) return { psnr: p, ssim: null };
  const [c, h, w] = shape as [number, number, number];
  const s = meanOverSamples(n, size, (_, lo) => {
    let t = 0;
    for (let k = 0; k < c; k++)
      t += ssimPlane(
        ca.subarray(lo + k * h * w, lo + (k + 1) * h * w),
        b.subarray(lo + k * h * w, lo + (k + 1) * h * w),
        w,
        h,
        { dataRange: 1 },
      ).ssim;
    return t / c;
  });
  return { psnr: p, ssim: s };
}

export async function evaluateModel(model: ModelWeights, data: Dataset, o: EvaluateOptions): Promise<Evaluation> {
  const arch = model.arch;
  const n = Math.min(data.length, o.maxSamples ?? 256);
  if (n < 1) throw new RangeError('evaluate: the dataset is empty');
  const shape = data.sampleShape;
  const noise = o.noise === undefined ? arch.noise : o.noise;
  const net = arch.network;
  const nlMap = net.type === 'residual' && net.noiseLevelInput;
  const rng = new Rng(o.seed ?? 0);
  const indices = Int32Array.from({ length: n }, (_, i) => i);
  // The noise-level map of an evaluation is the level actually used, not a random one in [0, σ].
  const batch = makeBatch(
    data,
    indices,
    { batch: n, sampleShape: shape, noise: noise ?? null, epsShape: null, noiseLevelMap: false },
    rng,
  );
  const fg = buildInference(arch, { batch: n, sampleShape: shape, features: true });
  const feeds: Record<string, Tensor> = { input: batch.x };
  if (nlMap) {
    const sigma = o.noiseLevel ?? (noise && 'sigma' in noise ? noise.sigma : 0);
    feeds.noise_level = new Tensor(
      'float32',
      [n, 1, shape[1]!, shape[2]!],
      new Float32Array(n * shape[1]! * shape[2]!).fill(sigma / 255),
    );
  }
  const out = await runOnce(o.executor, fg.graph, model.params, feeds);
  const y = out.output!.data as Float32Array;
  const clean = batch.y.data as Float32Array;
  let se = 0;
  let ae = 0;
  for (let i = 0; i < y.length; i++) {
    const d = y[i]! - clean[i]!;
    se += d * d;
    ae += Math.abs(d);
  }
  const quality = imageQuality(y, clean, n, shape);
  const noisy = noise ? imageQuality(batch.x.data as Float32Array, clean, n, shape) : null;

  const plan = planOf(arch);
  let sparsity: Evaluation['sparsity'] = null;
  let vae: Evaluation['vae'] = null;
  let jacobianNorm: number | null = null;
  if (plan.kind === 'autoencoder') {
    const zName = plan.heads ? plan.heads.mu.name : plan.encoder[plan.encoder.length - 1]!.name;
    const z = out[`feature/${zName}`]!.data as Float32Array;
    let sum = 0;
    let near = 0;
    for (const v of z) {
      sum += v;
      if (Math.abs(v) < NEAR_ZERO) near++;
    }
    sparsity = { meanActivation: sum / z.length, fractionNearZero: near / z.length, threshold: NEAR_ZERO };
    if (plan.heads) {
      const mu = z;
      const logvar = out[`feature/${plan.heads.logvar.name}`]!.data as Float32Array;
      let kl = 0;
      for (let i = 0; i < mu.length; i++) kl += -0.5 * (1 + logvar[i]! - mu[i]! * mu[i]! - Math.exp(logvar[i]!));
      kl /= n;
      let recon = 0;
      if (arch.loss === 'bce') {
        for (let i = 0; i < y.length; i++) {
          const p = Math.min(Math.max(y[i]!, 1e-7), 1 - 1e-7);
          recon -= clean[i]! * Math.log(p) + (1 - clean[i]!) * Math.log(1 - p);
        }
      } else recon = se;
      recon /= n;
      vae = { recon, kl, elbo: -(recon + kl) };
    }
    const first = plan.encoder[0];
    if (!plan.heads && plan.encoder.length === 1 && first?.kind === 'dense') {
      const h = z;
      const W = model.params.get(`${first.name}.W`)!.data as Float32Array; // [in, out]
      const units = first.outFeatures;
      const colNorm = new Float64Array(units);
      for (let i = 0; i < first.inFeatures; i++) for (let j = 0; j < units; j++) colNorm[j]! += W[i * units + j]! ** 2;
      const deriv = (v: number): number => {
        switch (first.activation) {
          case 'sigmoid':
            return v * (1 - v);
          case 'tanh':
            return 1 - v * v;
          case 'relu':
            return v > 0 ? 1 : 0;
          case 'linear':
            return 1;
          default:
            return NaN; // leaky-relu / softplus: not needed by any preset
        }
      };
      jacobianNorm = meanOverSamples(n, units, (_, lo) => {
        let s = 0;
        for (let j = 0; j < units; j++) s += deriv(h[lo + j]!) ** 2 * colNorm[j]!;
        return Math.sqrt(s);
      });
      if (Number.isNaN(jacobianNorm)) jacobianNorm = null;
    }
  }
  return {
    samples: n,
    mse: se / y.length,
    mae: ae / y.length,
    psnr: quality.psnr,
    ssim: quality.ssim,
    noisyPsnr: noisy?.psnr ?? null,
    noisySsim: noisy?.ssim ?? null,
    sparsity,
    vae,
    jacobianNorm,
  };
}
