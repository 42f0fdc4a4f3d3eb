// Half-resolution denoisers need even H and W; the ONNX adapter reads that from the model card
// and pads tiles by reflection, so photos and tiles of any size go through them.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { architecture } from '../../../common/model/architecture.js';
import { initialParams } from '../../../main/ml/train/trainer.js';
import { exportOnnx, modelCard } from '../../../main/ml/model-file.js';
import { createImage, denoiseTiled } from '../../../main/imaging/index.js';
import { denoiseImage } from '../../../main/ml/inference/denoise.js';
import { openOnnxModel } from '../../../main/ml/inference/onnx-runner.js';

const arch = architecture({
  network: {
    type: 'residual',
    channels: 1,
    features: 4,
    depth: 3,
    kernel: 3,
    noiseLevelInput: true,
    scale: 2,
    predicts: 'image',
  },
  init: 'kaiming',
});

describe('ONNX models with a size multiple', () => {
  it('run on odd-sized images, and tiled output equals whole-image output', async () => {
    const bytes = exportOnnx(arch, initialParams(arch, 3), modelCard(arch, {}));
    const model = await openOnnxModel(bytes, { threads: 1 });
    const image = createImage(37, 29, 1);
    const rng = new Rng(4);
    for (let i = 0; i < image.data.length; i++) image.data[i] = rng.uniform();
    // An odd-sized input goes straight through the runner (padded to even sizes inside).
    const direct = await model.runner(image.data, { c: 1, h: 29, w: 37 }, { sigma: 20 });
    expect(direct.length).toBe(29 * 37);
    expect(direct.every(Number.isFinite)).toBe(true);
    // The whole image as one tile with the same mirrored context as the small tiles get.
    const whole = await denoiseTiled(image, model.runner, { tile: 64, overlap: 16, sigma: 20, align: 2 });
    // Receptive radius of this net: 4×4/2 in, two 3×3 at half resolution, 4×4/2 out ≈ 7 px < overlap/2.
    const tiled = await denoiseTiled(image, model.runner, {
      tile: 9,
      overlap: 16,
      sigma: 20,
      align: model.sizeMultiple,
    });
    expect(model.sizeMultiple).toBe(2);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(tiled[i]! - whole[i]!));
    expect(worst).toBeLessThan(1 / 255);
    // Unaligned tiles put some tiles on the other sampling grid of the stride-2 layers: visible seams.
    const unaligned = await denoiseTiled(image, model.runner, { tile: 9, overlap: 16, sigma: 20 });
    let seams = 0;
    for (let i = 0; i < whole.length; i++) seams = Math.max(seams, Math.abs(unaligned[i]! - whole[i]!));
    expect(seams).toBeGreaterThan(1 / 255);
    const r = await denoiseImage(image, model, { sigma: 20 });
    expect([r.image.width, r.image.height]).toEqual([37, 29]);
    await model.close();
  });
});
