// What the calibration scripts of a noise estimator (calibrate-jpeg.ts, calibrate-grain.ts) share:
// their command line and what it opens, which training photos they sample, and how they read a
// case's PSNR at any factor on its noise map from the PSNRs measured at a grid of factors.
import { readdirSync } from 'node:fs';
import { openOnnxModel } from '../main/ml/inference/index.js';
import { estimatorFileFor, openNoiseEstimator, type EstimatorCalibration } from '../main/ml/inference/noise-map.js';

/**
 * `<script> <trainset folder> <model.onnx> [photos]`: the folder, its spread sample of photos, the
 * denoiser and the noise estimator beside it (2 threads each), `calibration` replacing stored
 * fields of the estimator's (the part being fitted, switched off).
 */
export async function openCalibrationStudy(script: string, calibration?: Partial<EstimatorCalibration>) {
  const [dir, modelFile, count = '32'] = process.argv.slice(2);
  if (!dir || !modelFile) throw new Error(`usage: ${script} <trainset> <model.onnx> [photos]`);
  const estimatorFile = estimatorFileFor(modelFile);
  if (!estimatorFile) throw new Error(`${modelFile} has no noise estimator beside it`);
  const files = spreadPhotos(dir, Number(count));
  const model = await openOnnxModel(modelFile, { threads: 2 });
  const estimator = await openNoiseEstimator(estimatorFile, { threads: 2, ...(calibration ? { calibration } : {}) });
  return { dir, files, model, estimator };
}

/** `count` PNGs of a folder, every k-th by name, so that the sample spans the whole set. */
export function spreadPhotos(dir: string, count: number): string[] {
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort();
  const stride = Math.max(1, Math.floor(all.length / count));
  return all.filter((_, i) => i % stride === 0).slice(0, count);
}

/**
 * The PSNR at `factor` on the map, from `psnr[k]` measured at `factors[k]` (ascending): linear in
 * ln(factor) between grid points, held at the grid's ends.
 */
export function psnrAtFactor(factors: readonly number[], psnr: readonly number[], factor: number): number {
  const x = Math.log(Math.min(factors.at(-1)!, Math.max(factors[0]!, factor)));
  let k = 0;
  while (k < factors.length - 2 && Math.log(factors[k + 1]!) < x) k++;
  const [a, b] = [Math.log(factors[k]!), Math.log(factors[k + 1]!)];
  const t = (x - a) / (b - a);
  return (1 - t) * psnr[k]! + t * psnr[k + 1]!;
}
