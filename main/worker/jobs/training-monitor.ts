// What the Lab shows while a model trains, measured at the monitor's own pace (every couple of
// seconds of wall time, not every N steps, so a fast dense model and a slow conv model both get a
// lively but cheap display): validation PSNR/SSIM/MSE of the current parameters, and the
// reconstruction gallery (clean / noisy / output) of a fixed handful of validation samples.
import { Rng } from '../../../common/rng.js';
import type { Executor } from '../../engine/exec/index.js';
import type { Tensor } from '../../engine/ir/tensor.js';
import { buildInference } from '../../engine/nn/index.js';
import { type Architecture } from '../../../common/model/index.js';
import { makeBatch, type Batch } from '../../ml/train/batches.js';
import { type Dataset, type Evaluation, evaluateModel, runOnce } from '../../ml/train/index.js';
import type { NoiseSpec } from '../../../common/noise-spec.js';
import type { ImageInfo } from '../../../common/contract/index.js';
import type { JobContext } from '../job-context.js';
import { pictureShape, sampleGrid } from './sample-grid.js';

/** Samples in the gallery. */
const GALLERY = 8;
/** Seed of the gallery's and the validation's corruption: the same every pass, so passes compare. */
const MONITOR_SEED = 12345;

export type Preview = { label: string; image: ImageInfo }[];

export interface MonitorOptions {
  arch: Architecture;
  validation: Dataset;
  noise: NoiseSpec | null;
  executor: Executor;
  ctx: JobContext;
}

/** Validation samples per pass: all of a small vector set, fewer big image patches (cost ∝ pixels). */
export function validationSamples(data: Dataset): number {
  const perSample = data.sampleShape.reduce((a, b) => a * b, 1);
  return Math.max(4, Math.min(256, data.length, Math.floor(65_536 / perSample)));
}

/** The validation figures as flat, finite metrics (the names the Lab's charts sort by). */
export function validationMetrics(v: Evaluation): Record<string, number> {
  const m: Record<string, number> = { val_mse: v.mse, val_psnr: v.psnr };
  if (v.ssim !== null) m.val_ssim = v.ssim;
  if (v.noisyPsnr !== null) m.val_noisy_psnr = v.noisyPsnr;
  if (v.noisySsim !== null) m.val_noisy_ssim = v.noisySsim;
  if (v.vae) m.val_kl = v.vae.kl;
  return m;
}

export class TrainingMonitor {
  private readonly gallery: Batch | null;
  private readonly galleryCount: number;
  private fixedImages: Preview | null = null;

  constructor(private readonly o: MonitorOptions) {
    const shape = o.validation.sampleShape;
    this.galleryCount = Math.min(GALLERY, o.validation.length);
    const net = o.arch.network;
    this.gallery =
      pictureShape(shape) && this.galleryCount > 0
        ? makeBatch(
            o.validation,
            Int32Array.from({ length: this.galleryCount }, (_, i) => i),
            {
              batch: this.galleryCount,
              sampleShape: shape,
              noise: o.noise,
              epsShape: null,
              noiseLevelMap: net.type === 'residual' && net.noiseLevelInput,
            },
            new Rng(MONITOR_SEED),
          )
        : null;
  }

  /** Validation of the given parameters. */
  async validate(params: ReadonlyMap<string, Tensor>): Promise<Evaluation> {
    return evaluateModel({ arch: this.o.arch, params }, this.o.validation, {
      executor: this.o.executor,
      noise: this.o.noise,
      seed: MONITOR_SEED,
      maxSamples: validationSamples(this.o.validation),
    });
  }

  /** The gallery for the given parameters (clean and noisy are stored once, the output each time). */
  async preview(params: ReadonlyMap<string, Tensor>): Promise<Preview | null> {
    const g = this.gallery;
    if (!g) return null;
    const n = this.galleryCount;
    const shape = this.o.validation.sampleShape;
    const cols = Math.min(n, 8);
    if (!this.fixedImages) {
      const clean = await this.o.ctx.saveImage(
        sampleGrid(g.y.data as Float32Array, n, shape, cols),
        'training gallery: clean',
      );
      const noisy = await this.o.ctx.saveImage(
        sampleGrid(g.x.data as Float32Array, n, shape, cols),
        'training gallery: noisy',
      );
      this.fixedImages = [
        { label: 'clean', image: clean },
        { label: 'noisy', image: noisy },
      ];
    }
    const fg = buildInference(this.o.arch, { batch: n, sampleShape: shape });
    const feeds: Record<string, Tensor> = { input: g.x };
    if (fg.noiseLevel && g.noiseLevel) feeds[fg.noiseLevel.name] = g.noiseLevel;
    const out = await runOnce(this.o.executor, fg.graph, params, feeds);
    const image = await this.o.ctx.saveImage(
      sampleGrid(out.output!.data as Float32Array, n, shape, cols),
      'training gallery: output',
    );
    return [...this.fixedImages, { label: 'output', image }];
  }
}
