// Benchmark (not a test): CPU time per megapixel of the camera-noise simulator's synchronous part
// (no JPEG), one thread, on a synthetic 2-megapixel photo. CPU time rather than wall time, so a
// busy machine reports roughly what a quiet one would. Run from the repository root:
//   npx esbuild bench/camera-simulator.ts --bundle --platform=node --format=esm \
//     --packages=external --outfile=out/bench-camera.mjs && node out/bench-camera.mjs

import { Rng } from '../common/rng.js';
import { createImage } from '../main/imaging/image.js';
import { resolveCameraParams, type CameraNoiseParams } from '../main/imaging/camera/params.js';
import { simulateCameraNoise } from '../main/imaging/camera/pipeline.js';

const width = 2048;
const height = 1024;
const image = createImage(width, height, 3);
const rng = new Rng(1);
for (let i = 0; i < image.data.length; i++) image.data[i] = 0.3 + 0.4 * ((i % width) / width) + 0.1 * rng.uniform();

const plain = { sharpen: { amount: 0, sigma: 1 }, chromaDenoise: { strength: 0, sigma: 1 }, jpegQuality: null };
const finished = {
  sharpen: { amount: 0.6, sigma: 1.2 },
  chromaDenoise: { strength: 0.6, sigma: 1.5 },
  jpegQuality: null,
};
const cases: Array<[string, CameraNoiseParams]> = [
  ['bilinear', { ...plain, demosaic: 'bilinear' }],
  ['mhc', { ...plain, demosaic: 'mhc' }],
  ['mhc + sharpening + chroma NR', { ...finished, demosaic: 'mhc' }],
];
const megapixels = (width * height) / 1e6;
// Best of three rounds of three runs each: on a shared machine the minimum is the steadiest figure.
const best = new Map<string, number>();
for (let round = 0; round < 3; round++)
  for (const [name, params] of cases) {
    const pipeline = resolveCameraParams({ level: 'high', ...params }, new Rng(2));
    simulateCameraNoise(image, pipeline, new Rng(0)); // warm-up (JIT)
    const runs = 3;
    const start = process.cpuUsage();
    for (let k = 1; k <= runs; k++) simulateCameraNoise(image, pipeline, new Rng(k));
    const used = process.cpuUsage(start);
    const ms = (used.user + used.system) / 1000 / runs / megapixels;
    best.set(name, Math.min(best.get(name) ?? Infinity, ms));
  }
for (const [name, ms] of best) console.log(`${name.padEnd(30)} ${ms.toFixed(1)} ms CPU per megapixel`);
