// Regression guard for the shipped default denoiser: on three devset crops (one grey) with σ 25
// Gaussian noise (fixed seed), and on a crop with Poisson shot noise, it must stay above PSNR
// floors set from its measured quality. A retrained or broken model that loses quality fails here.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { Rng } from '../../../common/rng.js';
import { addNoise } from '../../../common/noise.js';
import { compareImages, readImage, withData } from '../../../main/imaging/index.js';
import { denoiseImage, openOnnxModel } from '../../../main/ml/inference/index.js';
import { modelsDir } from '../../../main/files/app-paths.js';

const crops = path.resolve('test/fixtures/imaging/crops');

/**
 * PSNR floors (dB) at σ 25, set from the shipped model's measured values minus about 0.3 dB of
 * slack for float differences across CPUs. Measured, noisy → true σ / estimated σ: astronaut
 * 20.50 → 30.02 / 30.04, coffee 21.14 → 31.31 / 31.32, camera 20.58 → 28.32 / 28.35. The whole
 * devset's figures (npm run bench:quality) are in models/default.json and README. camera_crop is
 * a grey photo: it runs through the colour model as R = G = B.
 */
const FLOORS: Record<string, { denoised: number; gainOverNoisy: number }> = {
  'astronaut_crop.png': { denoised: 29.7, gainOverNoisy: 9.2 },
  'coffee_crop.png': { denoised: 31.0, gainOverNoisy: 9.85 },
  'camera_crop.png': { denoised: 28.0, gainOverNoisy: 7.4 },
};

describe('shipped default model', () => {
  it('denoises devset crops at σ 25 above its PSNR floors, with the true and the estimated σ', async () => {
    const model = await openOnnxModel(path.join(modelsDir, 'default.onnx'), { threads: 2 });
    expect(model.takesSigma).toBe(true);
    for (const [name, floor] of Object.entries(FLOORS)) {
      const clean = await readImage(path.join(crops, name));
      const noisy = withData(
        clean,
        addNoise(clean.data, clean.channels, { type: 'gaussian', sigma: 25 }, new Rng(25), { clip: true }),
      );
      const noisyPsnr = compareImages(clean, noisy).psnr;
      for (const sigma of [25, undefined]) {
        const { image } = await denoiseImage(noisy, model, sigma === undefined ? {} : { sigma });
        const psnr = compareImages(clean, image).psnr;
        expect(psnr, `${name}, σ ${sigma ?? 'estimated'}`).toBeGreaterThan(floor.denoised);
        expect(psnr - noisyPsnr, `${name} gain`).toBeGreaterThan(floor.gainOverNoisy);
      }
    }
    await model.close();
  });

  it('cleans shot (Poisson) noise with the estimated level: astronaut crop at 30 photons', async () => {
    const model = await openOnnxModel(path.join(modelsDir, 'default.onnx'), { threads: 2 });
    const clean = await readImage(path.join(crops, 'astronaut_crop.png'));
    const noisy = await readImage(path.join(crops, 'astronaut_poisson30.png'));
    const { image } = await denoiseImage(noisy, model, {});
    // Measured: 17.78 dB noisy → 28.13 dB (σ estimated 31.7, the RMS level the map was trained on).
    expect(compareImages(clean, noisy).psnr).toBeCloseTo(17.78, 1);
    expect(compareImages(clean, image).psnr).toBeGreaterThan(27.8);
    await model.close();
  });
});
