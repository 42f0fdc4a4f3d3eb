// Benchmark (not a test): peak memory and time to decode, denoise tile by tile and encode a
// 24-megapixel RGB photo. Run from the repository root:
//   npx esbuild main/imaging/bench-tiling.ts --bundle --platform=node --format=esm \
//     --packages=external --outfile=out/bench-tiling.mjs && node out/bench-tiling.mjs [model.onnx]
// (default model: the 5×5 blur test model, so the numbers measure the imaging pipeline itself).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { readImage, writeImage } from '../main/imaging/codec.js';
import { denoiseImage } from '../main/ml/inference/denoise.js';
import { openOnnxModel } from '../main/ml/inference/onnx-runner.js';

const modelPath = process.argv[2] ?? 'test/fixtures/imaging/models/blur5_rgb.onnx';
const W = 6000;
const H = 4000;

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const timer = setInterval(sample, 20);

const dir = mkdtempSync(path.join(tmpdir(), 'bench-tiling-'));
try {
  const input = path.join(dir, 'in.jpg');
  // A noisy 24-MP JPEG made by libvips itself (Gaussian noise image), so the input costs no JS memory.
  await sharp({
    create: {
      width: W,
      height: H,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  })
    .jpeg({ quality: 90 })
    .toFile(input);
  const base = process.memoryUsage().rss;
  peak = base;
  const t0 = performance.now();
  const image = await readImage(input);
  const t1 = performance.now();
  const model = await openOnnxModel(modelPath);
  let lastPct = -1;
  const result = await denoiseImage(image, model, {
    sigma: 25,
    onProgress: (done, total) => {
      const pct = Math.floor((100 * done) / total);
      if (pct % 25 === 0 && pct !== lastPct) console.error(`  ${pct}% (${done}/${total} tiles)`);
      lastPct = pct;
    },
  });
  const t2 = performance.now();
  await writeImage(result.image, path.join(dir, 'out.jpg'));
  const t3 = performance.now();
  await model.close();
  sample();
  console.log(
    JSON.stringify({
      megapixels: (W * H) / 1e6,
      model: modelPath,
      decode_ms: Math.round(t1 - t0),
      denoise_ms: Math.round(t2 - t1),
      encode_ms: Math.round(t3 - t2),
      rss_before_mb: Math.round(base / 2 ** 20),
      rss_peak_mb: Math.round(peak / 2 ** 20),
    }),
  );
} finally {
  clearInterval(timer);
  rmSync(dir, { recursive: true, force: true });
}
