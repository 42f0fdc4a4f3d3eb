// Regression guard for the shipped camera-noise pair (models/camera.onnx with its noise estimator):
// on two devset crops through the camera simulator (fixed seeds), run blind as a user runs it, it
// must stay above PSNR floors set from its measured quality, and ahead of the default model run
// blind; a clean crop must come back nearly as it was. A retrained or broken pair fails here.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareImages, readImage } from '../../../main/imaging/index.js';
import type { CameraNoiseLevel } from '../../../main/imaging/camera/index.js';
import { denoiseImage, openOnnxModel, type OnnxModel } from '../../../main/ml/inference/index.js';
import { estimatorFileFor, openNoiseEstimator, type NoiseEstimator } from '../../../main/ml/inference/noise-map.js';
import { modelsDir } from '../../../main/files/app-paths.js';
import { cameraCase } from '../../helpers/camera-case.js';

const crops = path.resolve('test/fixtures/imaging/crops');

/**
 * Floors (dB): the measured PSNR minus 0.3 dB of slack for float differences across CPUs, and
 * the measured lead over the default model run blind minus 0.3 dB. Measured with the estimator
 * after its third run (15,000 more steps) and its fitted calibration (models/camera.estimator.json;
 * seed 13; noisy → camera pair / default blind), the denoiser after its second training run
 * (20,000 more steps, scripts/train/README.md): astronaut medium 25.58 → 30.75 / 27.22, high
 * 17.82 → 26.87 / 21.22, medium + JPEG q 75 24.83 → 29.58 / 26.18; coffee medium 26.61 → 32.01 /
 * 27.58, high 19.07 → 27.28 / 22.02, medium + JPEG 25.84 → 30.68 / 26.58 (the JPEGs with the
 * calibration's JPEG correction). Clean crops come back at 49.95 and 54.71 dB. With the estimator
 * after its second run: 30.78, 26.83, 29.66, 32.07, 27.41, 30.59; clean 46.22 and 54.28; with the
 * first: 30.41, 26.80, 29.50, 31.73, 27.35, 30.26; clean 47.62 and 52.39. The whole devset's
 * figures (npm run bench:real) are in models/camera.json and README.
 */
const CASES: { crop: string; level: CameraNoiseLevel; jpeg: number | null; floor: number; lead: number }[] = [
  { crop: 'astronaut_crop.png', level: 'medium', jpeg: null, floor: 30.45, lead: 3.23 },
  { crop: 'astronaut_crop.png', level: 'high', jpeg: null, floor: 26.57, lead: 5.34 },
  { crop: 'astronaut_crop.png', level: 'medium', jpeg: 75, floor: 29.28, lead: 3.1 },
  { crop: 'coffee_crop.png', level: 'medium', jpeg: null, floor: 31.71, lead: 4.13 },
  { crop: 'coffee_crop.png', level: 'high', jpeg: null, floor: 26.98, lead: 4.95 },
  { crop: 'coffee_crop.png', level: 'medium', jpeg: 75, floor: 30.38, lead: 3.8 },
];
const CLEAN_FLOOR = 49.65;

let camera: OnnxModel;
let estimator: NoiseEstimator;
let fallback: OnnxModel;

beforeAll(async () => {
  camera = await openOnnxModel(path.join(modelsDir, 'camera.onnx'), { threads: 2 });
  estimator = await openNoiseEstimator(estimatorFileFor(path.join(modelsDir, 'camera.onnx'))!, { threads: 2 });
  fallback = await openOnnxModel(path.join(modelsDir, 'default.onnx'), { threads: 2 });
});
afterAll(async () => {
  await camera.close();
  await estimator.close();
  await fallback.close();
});

describe('shipped camera-noise pair', () => {
  it('cleans simulated camera noise blind above its floors, ahead of the default model', async () => {
    for (const c of CASES) {
      const { clean, noisy } = await cameraCase(c.crop, c.level, c.jpeg, 13);
      const result = await denoiseImage(noisy, camera, { estimator });
      expect(result.estimator).toBe('network');
      const ours = compareImages(clean, result.image).psnr;
      const theirs = compareImages(clean, (await denoiseImage(noisy, fallback, {})).image).psnr;
      const what = `${c.crop} ${c.level}${c.jpeg ? ` JPEG ${c.jpeg}` : ''}`;
      expect(ours, what).toBeGreaterThan(c.floor);
      expect(ours - theirs, what).toBeGreaterThan(c.lead);
    }
  });

  it('reads white Gaussian noise as white: blind, within reach of the default told the true σ', async () => {
    // The fixture crops with white Gaussian noise of σ 25 (8-bit PNGs). The estimator's calibration
    // is fitted on camera noise and read white noise on colour photos about 1.2× too high, so the
    // camera pair smoothed them (astronaut 29.00, coffee 30.43 dB with the first estimator); its
    // white-noise correction (models/camera.estimator.json) brought them to 29.84 and 30.80, with
    // the estimator after its second run 29.87 and 30.64, after its third 29.86 and 30.95, where
    // the default told σ 25 gets 29.85 and 31.35. The grey crop is left as it was read (28.56;
    // 28.43 before the third run; lowered like the colour ones it fell to 26.74). Floors:
    // measured − 0.3 dB.
    for (const [crop, floor] of [
      ['astronaut_gaussian25.png', 29.56],
      ['coffee_gaussian25.png', 30.65],
      ['camera_gaussian25.png', 28.26],
    ] as const) {
      const clean = await readImage(path.join(crops, crop.replace('_gaussian25', '_crop')));
      const noisy = await readImage(path.join(crops, crop));
      const { image } = await denoiseImage(noisy, camera, { estimator });
      expect(compareImages(clean, image).psnr, crop).toBeGreaterThan(floor);
    }
  });

  it('leaves clean photos alone', async () => {
    for (const crop of ['astronaut_crop.png', 'coffee_crop.png']) {
      const photo = await readImage(path.join(crops, crop));
      const { image } = await denoiseImage(photo, camera, { estimator });
      expect(compareImages(photo, image).psnr, crop).toBeGreaterThan(CLEAN_FLOOR);
    }
  });
});
