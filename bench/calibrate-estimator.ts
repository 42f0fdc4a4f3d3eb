// Calibration study (dev only): how the noise estimator's reading, reduced to a noise level function
// at a given quantile (main/ml/inference/noise-map.ts), compares with the simulator's true noise
// map, on TRAINING photos (never the devset). Prints, per quantile, the mean reading and the mean
// true level per camera level, and the reading on clean photos.
//   node out/bench/calibrate-estimator.js <trainset folder> <estimator.onnx> [photos]
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { Rng } from '../common/rng.js';
import { readImage } from '../main/imaging/codec.js';
import { simulateCameraNoise, compressJpeg, type CameraNoiseLevel } from '../main/imaging/camera/index.js';
import { levelByBrightness, openNoiseEstimator } from '../main/ml/inference/noise-map.js';

const [dir, estimatorFile, count = '8'] = process.argv.slice(2);
if (!dir || !estimatorFile) throw new Error('usage: calibrate-estimator <trainset> <estimator.onnx> [photos]');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.png'))
  .slice(0, Number(count));
const estimator = await openNoiseEstimator(estimatorFile);
const QS = [0.05, 0.1, 0.15, 0.25];
const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
const rows: Record<string, { truth: number[]; read: Record<number, number[]> }> = {};
const settings: [string, CameraNoiseLevel | null, number | null][] = [
  ['clean', null, null],
  ['low', 'low', null],
  ['medium', 'medium', null],
  ['high', 'high', null],
  ['medium+jpeg', 'medium', 80],
];
for (const [pi, f] of files.entries()) {
  const photo = await readImage(path.join(dir, f));
  if (photo.width * photo.height > 1.2e6) continue;
  for (const [si, [name, level, q]] of settings.entries()) {
    const row = (rows[name] ??= { truth: [], read: Object.fromEntries(QS.map((x) => [x, []])) });
    let noisy = photo;
    let truth = 0;
    if (level) {
      const sim = simulateCameraNoise(photo, { level, jpegQuality: q }, new Rng(1000 + pi * 10 + si), { clean: true });
      noisy = q ? await compressJpeg(sim.noisy, q) : sim.noisy;
      truth = mean(sim.noiseMap);
    }
    row.truth.push(truth);
    const raw = await estimator.raw(noisy);
    for (const x of QS) row.read[x]!.push(mean(levelByBrightness(raw, noisy, x)));
  }
  process.stderr.write(`${f} done\n`);
}
const avg = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
console.log(`setting | true σ | ${QS.map((q) => `q ${q}`).join(' | ')}`);
for (const [name, r] of Object.entries(rows))
  console.log(`${name} | ${avg(r.truth).toFixed(2)} | ${QS.map((q) => avg(r.read[q]!).toFixed(2)).join(' | ')}`);
await estimator.close();
