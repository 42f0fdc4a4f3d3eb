// Regression guard for the int8 twin of the camera-noise model (models/camera-int8.onnx, made by
// `npm run quantize -- … --model models/camera.onnx --noise camera-mix`): it must be the QDQ graph
// the quantiser writes, read its noise level with the float model's estimator (it has none of its
// own), and on the camera model's test cases (two devset crops through the camera simulator,
// seed 13, blind) stay above PSNR floors set from its measured quality and within a measured
// distance of the float camera model. A stale twin (camera.onnx retrained, the twin not
// regenerated) or a calibration gone wrong fails here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectOnnx } from '../../../main/engine/onnx/index.js';
import { compareImages, readImage } from '../../../main/imaging/index.js';
import type { CameraNoiseLevel } from '../../../main/imaging/camera/index.js';
import { denoiseImage, openOnnxModel, type OnnxModel } from '../../../main/ml/inference/index.js';
import { estimatorFileFor, openNoiseEstimator, type NoiseEstimator } from '../../../main/ml/inference/noise-map.js';
import { modelsDir } from '../../../main/files/app-paths.js';
import { cameraCase } from '../../helpers/camera-case.js';
import { QDQ_TWIN_OP_COUNTS } from '../../helpers/qdq-twin.js';

const crops = path.resolve('test/fixtures/imaging/crops');
const twinFile = path.join(modelsDir, 'camera-int8.onnx');

/**
 * Measured blind (the estimator's map), PSNR in dB, camera → camera-int8, both as made after the
 * camera denoiser's second training run: astronaut medium 30.41 → 30.35, high 26.80 → 26.79,
 * medium + JPEG q 75 29.50 → 29.46; coffee medium 31.73 → 31.68, high 27.35 → 27.32, medium +
 * JPEG 30.26 → 30.21. Clean crops: 46.48 and 49.34 dB (the float model 47.62 and 52.39: with no
 * noise to remove, the int8 rounding is what is left).
 * Floors: the int8 model's PSNR − 0.2 dB, and its loss against the float camera model at most
 * the measured loss + 0.2 dB; clean crops − 0.3 dB.
 */
const CASES: { crop: string; level: CameraNoiseLevel; jpeg: number | null; int8: number; loss: number }[] = [
  { crop: 'astronaut_crop.png', level: 'medium', jpeg: null, int8: 30.35, loss: 0.05 },
  { crop: 'astronaut_crop.png', level: 'high', jpeg: null, int8: 26.79, loss: 0.02 },
  { crop: 'astronaut_crop.png', level: 'medium', jpeg: 75, int8: 29.46, loss: 0.03 },
  { crop: 'coffee_crop.png', level: 'medium', jpeg: null, int8: 31.68, loss: 0.05 },
  { crop: 'coffee_crop.png', level: 'high', jpeg: null, int8: 27.32, loss: 0.03 },
  { crop: 'coffee_crop.png', level: 'medium', jpeg: 75, int8: 30.21, loss: 0.05 },
];
const CLEAN: Record<string, number> = { 'astronaut_crop.png': 46.48, 'coffee_crop.png': 49.34 };

let float: OnnxModel;
let int8: OnnxModel;
let estimator: NoiseEstimator;

beforeAll(async () => {
  float = await openOnnxModel(path.join(modelsDir, 'camera.onnx'), { threads: 2 });
  int8 = await openOnnxModel(twinFile, { threads: 2 });
  estimator = await openNoiseEstimator(estimatorFileFor(twinFile)!, { threads: 2 });
});
afterAll(async () => {
  await float.close();
  await int8.close();
  await estimator.close();
});

describe('shipped camera-int8 model', () => {
  it('is the quantiser’s QDQ graph and reads noise with the camera model’s estimator', () => {
    const summary = inspectOnnx(readFileSync(twinFile));
    expect(summary.opCounts).toMatchObject(QDQ_TWIN_OP_COUNTS);
    expect(JSON.parse(summary.metadata['denoise_lab.model_card']!)).toMatchObject({ sizeMultiple: 2 });
    expect(estimatorFileFor(twinFile)).toBe(path.join(modelsDir, 'camera.estimator.onnx'));
  });

  it('cleans simulated camera noise blind above its floors, close to the float camera model', async () => {
    for (const c of CASES) {
      const { clean, noisy } = await cameraCase(c.crop, c.level, c.jpeg, 13);
      const a = compareImages(clean, (await denoiseImage(noisy, float, { estimator })).image).psnr;
      const b = compareImages(clean, (await denoiseImage(noisy, int8, { estimator })).image).psnr;
      const what = `${c.crop} ${c.level}${c.jpeg ? ` JPEG ${c.jpeg}` : ''}`;
      expect(b, what).toBeGreaterThan(c.int8 - 0.2);
      expect(a - b, `${what}: loss against camera`).toBeLessThan(c.loss + 0.2);
    }
  });

  it('leaves clean photos alone', async () => {
    for (const [crop, measured] of Object.entries(CLEAN)) {
      const photo = await readImage(path.join(crops, crop));
      const { image } = await denoiseImage(photo, int8, { estimator });
      expect(compareImages(photo, image).psnr, crop).toBeGreaterThan(measured - 0.3);
    }
  });
});
