// Regression guard for the shipped int8 twin of the default denoiser (models/default-int8.onnx,
// made by `npm run quantize`): it must be the QDQ graph the quantiser writes (int8 weights, uint8
// activations), and on three devset crops with σ 25 Gaussian noise (the default model's test
// crops and seed) stay above PSNR floors set from its measured quality, and within a measured
// distance of the float default. A stale or broken twin (the default retrained, the twin not
// regenerated; a calibration gone wrong) fails here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { addNoise } from '../../../common/noise.js';
import { inspectOnnx } from '../../../main/engine/onnx/index.js';
import { compareImages, readImage, withData } from '../../../main/imaging/index.js';
import { denoiseImage, openOnnxModel } from '../../../main/ml/inference/index.js';
import { modelsDir } from '../../../main/files/app-paths.js';
import { QDQ_TWIN_OP_COUNTS } from '../../helpers/qdq-twin.js';

const crops = path.resolve('test/fixtures/imaging/crops');

/**
 * Measured at σ 25 (true σ given), PSNR in dB, default → default-int8: astronaut 30.02 → 29.99,
 * coffee 31.31 → 31.27, camera (grey, run as R = G = B) 28.32 → 28.31. Floors: the int8 model's
 * PSNR − 0.2 dB, and its loss against the float default at most the measured loss + 0.2 dB. The
 * whole devset's figures (npm run bench:quality) are in models/default-int8.json and README.
 */
const MEASURED: Record<string, { int8: number; loss: number }> = {
  'astronaut_crop.png': { int8: 29.99, loss: 0.04 },
  'coffee_crop.png': { int8: 31.27, loss: 0.05 },
  'camera_crop.png': { int8: 28.31, loss: 0.01 },
};

describe('shipped default-int8 model', () => {
  it('is the quantiser’s QDQ graph: int8 convolutions between uint8 activations', () => {
    const summary = inspectOnnx(readFileSync(path.join(modelsDir, 'default-int8.onnx')));
    expect(summary.opCounts).toMatchObject(QDQ_TWIN_OP_COUNTS);
    expect(summary.inputs.map((v) => v.dims)).toEqual([
      ['N', 3, 'H', 'W'],
      ['N', 1, 'H', 'W'],
    ]);
    // The card the tile runner reads (half-resolution body: sizes padded to even) came along.
    expect(JSON.parse(summary.metadata['denoise_lab.model_card']!)).toMatchObject({ sizeMultiple: 2 });
  });

  it('denoises devset crops at σ 25 above its floors, close to the float default', async () => {
    const float = await openOnnxModel(path.join(modelsDir, 'default.onnx'), { threads: 2 });
    const int8 = await openOnnxModel(path.join(modelsDir, 'default-int8.onnx'), { threads: 2 });
    expect(int8.takesSigma).toBe(true);
    expect(int8.sizeMultiple).toBe(2);
    for (const [name, measured] of Object.entries(MEASURED)) {
      const clean = await readImage(path.join(crops, name));
      const noisy = withData(
        clean,
        addNoise(clean.data, clean.channels, { type: 'gaussian', sigma: 25 }, new Rng(25), { clip: true }),
      );
      const a = compareImages(clean, (await denoiseImage(noisy, float, { sigma: 25 })).image).psnr;
      const b = compareImages(clean, (await denoiseImage(noisy, int8, { sigma: 25 })).image).psnr;
      expect(b, `${name}: default-int8`).toBeGreaterThan(measured.int8 - 0.2);
      expect(a - b, `${name}: loss against default`).toBeLessThan(measured.loss + 0.2);
    }
    await float.close();
    await int8.close();
  });
});
