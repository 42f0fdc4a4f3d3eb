// How much a camera denoiser's noise estimator leaves on the table (dev only): on bench:real's
// camera-noise cases (the same photos, settings and seeds), the denoiser told
//   - the estimator's map, as the app runs it (blind);
//   - that map times the best of a grid of factors for each photo (what a perfect estimate of
//     the photo's overall level, and nothing else, would add);
//   - the simulator's true map reduced to a noise level function of brightness, as the estimator's
//     readings are (what the form of the map costs);
//   - the simulator's true map itself (the denoiser's ceiling with a perfect estimator).
// Scored as bench:real scores (clipped, against the pipeline without noise): PSNR / SSIM, the
// best factor chosen by PSNR.
//   node out/bench/estimator-headroom.js [--model models/camera.onnx] [--devset …] [--limit N] [--seed 2026] [--threads 2]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../common/rng.js';
import { compareImages, readImage, withData, type ImageMetrics } from '../main/imaging/index.js';
import { denoiseImage, openOnnxModel } from '../main/ml/inference/index.js';
import { estimatorFileFor, levelByBrightness, openNoiseEstimator } from '../main/ml/inference/noise-map.js';
import { clip01, DEFAULT_DEVSET, devsetPhotos, log, mean } from './devset.js';
import { cameraNoiseCase, caseSeed, SETTINGS } from './real-settings.js';

const FACTORS = [0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.4, 1.6];
/** The map as read is the blind run itself (what denoiseImage does with the estimator). */
const AS_READ = FACTORS.indexOf(1);
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/camera.onnx' },
    devset: { type: 'string', default: DEFAULT_DEVSET },
    limit: { type: 'string' },
    seed: { type: 'string', default: '2026' },
    threads: { type: 'string', default: '2' },
  },
});
const modelFile = values.model!;
const estimatorFile = estimatorFileFor(modelFile);
if (!estimatorFile) throw new Error(`${modelFile} has no noise estimator beside it`);
const devset = path.resolve(values.devset!);
const photos = devsetPhotos('estimator-headroom', devset, values.limit ? Number(values.limit) : undefined);
const threads = Number(values.threads);
const model = await openOnnxModel(modelFile, { threads });
const estimator = await openNoiseEstimator(estimatorFile, { threads });

const columns = ['estimated map', '× best factor per photo', 'true level function', 'true map'] as const;
console.log(`| setting | ${columns.join(' | ')} |`);
console.log(`| --- |${' --- |'.repeat(columns.length)}`);
for (const [si, setting] of SETTINGS.entries()) {
  if (setting.level === null) continue;
  const scores: ImageMetrics[][] = columns.map(() => []);
  for (const [pi, photo] of photos.entries()) {
    const original = await readImage(path.join(devset, photo));
    const rng = new Rng(caseSeed(Number(values.seed), pi, si));
    const { noisy, ref, trueMap: truth } = await cameraNoiseCase(original, setting.level, setting.jpegQuality, rng);
    const score = async (noiseMap: Float32Array) => {
      const out = await denoiseImage(noisy, model, { noiseMap });
      return compareImages(ref, withData(ref, clip01(out.image.data)));
    };
    const map = await estimator.map(noisy);
    const scaled = [];
    for (const k of FACTORS) scaled.push(await score(map.map((v) => v * k)));
    scores[0]!.push(scaled[AS_READ]!);
    scores[1]!.push(scaled.reduce((best, s) => (s.psnr > best.psnr ? s : best)));
    scores[2]!.push(await score(levelByBrightness(truth, noisy, 0.5)));
    scores[3]!.push(await score(truth));
    log(`estimator-headroom: ${setting.name}, ${photo} done`);
  }
  const cell = (s: ImageMetrics[]) =>
    `${mean(s.map((v) => v.psnr)).toFixed(2)} / ${mean(s.map((v) => v.ssim)).toFixed(4)}`;
  console.log(`| ${setting.name} | ${scores.map(cell).join(' | ')} |`);
}
await estimator.close();
await model.close();
