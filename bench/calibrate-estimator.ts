// Calibration of a noise estimator (dev only; it writes the numbers of `<model>.estimator.json`).
// The estimator's per-pixel readings become a noise level function (main/ml/inference/noise-map.ts:
// the readings box-averaged, per brightness bin a low quantile of them, then level = max(0,
// (reading − offset) / gain)). This script measures, on TRAINING photos (never the devset) through
// the camera simulator, how the reading at each candidate smoothing and quantile relates to the simulator's true level, fits offset and
// gain by least squares (reading = offset + gain · true σ, clean photos included at σ 0), and keeps
// the smoothing and quantile whose calibrated levels are closest to the truth in ratio (RMS of ln(level / true)
// over the noisy cases: being 30 % off costs the same at σ 3 as at σ 30).
//   node out/bench/calibrate-estimator.js <trainset folder> <estimator.onnx> [photos]
// Prints a table per candidate and the `calibration` block to store.
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { Rng } from '../common/rng.js';
import { readImage } from '../main/imaging/codec.js';
import { centreCrop, mean } from './devset.js';
import { simulateCameraNoise, compressJpeg, levelMap, type CameraNoiseLevel } from '../main/imaging/camera/index.js';
import { boxSmooth, levelByBrightness, openNoiseEstimator } from '../main/ml/inference/noise-map.js';

const [dir, estimatorFile, count = '24'] = process.argv.slice(2);
if (!dir || !estimatorFile) throw new Error('usage: calibrate-estimator <trainset> <estimator.onnx> [photos]');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.png'))
  .sort()
  .slice(0, Number(count));
const estimator = await openNoiseEstimator(estimatorFile, { threads: 2 });
const CANDIDATES = [0, 4, 8].flatMap((smoothing) =>
  [0.05, 0.1, 0.15, 0.25, 0.4, 0.5].map((quantile) => ({ smoothing, quantile })),
);
/** Crops keep the study fast; 640² holds every brightness of most photos. */
const CROP = 640;
const SETTINGS: { name: string; level: CameraNoiseLevel | null; jpeg: boolean }[] = [
  { name: 'clean', level: null, jpeg: false },
  { name: 'low', level: 'low', jpeg: false },
  { name: 'medium', level: 'medium', jpeg: false },
  { name: 'high', level: 'high', jpeg: false },
  { name: 'medium + JPEG', level: 'medium', jpeg: true },
  { name: 'high + JPEG', level: 'high', jpeg: true },
];

interface Case {
  setting: string;
  truth: number;
  read: number[];
}
const cases: Case[] = [];
for (const [pi, f] of files.entries()) {
  const photo = centreCrop(await readImage(path.join(dir, f)), CROP);
  for (const [si, s] of SETTINGS.entries()) {
    const rng = new Rng(7000 + pi * 10 + si);
    let noisy = photo;
    let truth = 0;
    if (s.level) {
      const quality = s.jpeg ? 60 + rng.int(36) : null;
      const sim = simulateCameraNoise(photo, { level: s.level, jpegQuality: quality }, rng, { clean: true });
      noisy = quality ? await compressJpeg(sim.noisy, quality) : sim.noisy;
      truth = mean(levelMap(sim.noiseMap, photo.width * photo.height));
    }
    const raw = await estimator.raw(noisy);
    const smoothed = new Map<number, Float32Array>();
    const at = (r: number) =>
      smoothed.get(r) ?? smoothed.set(r, r ? boxSmooth(raw, noisy.width, noisy.height, r) : raw).get(r)!;
    cases.push({
      setting: s.name,
      truth,
      read: CANDIDATES.map(({ smoothing, quantile }) => mean(levelByBrightness(at(smoothing), noisy, quantile))),
    });
  }
  process.stderr.write(`${f} done\n`);
}
await estimator.close();

const fits = CANDIDATES.map(({ smoothing, quantile }, qi) => {
  // Least squares of reading on truth.
  const xs = cases.map((c) => c.truth);
  const ys = cases.map((c) => c.read[qi]!);
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const gain = sxy / sxx;
  const offset = my - gain * mx;
  const level = (c: Case) => Math.max(0, (c.read[qi]! - offset) / gain);
  // A level of 0 on a noisy photo is a miss, not −∞: floor it at σ 0.5.
  const logErr = (c: Case) => Math.log(Math.max(0.5, level(c)) / c.truth);
  const noisy = cases.filter((c) => c.truth > 0);
  const rms = Math.sqrt(mean(noisy.map((c) => logErr(c) ** 2)));
  const bySetting = SETTINGS.map((s) => {
    const these = cases.filter((c) => c.setting === s.name);
    return s.level
      ? `${s.name} ${mean(these.map((c) => c.truth)).toFixed(1)}→${mean(these.map(level)).toFixed(1)}`
      : `${s.name} →${mean(these.map(level)).toFixed(2)}`;
  });
  return { smoothing, quantile, offset, gain, rms, bySetting };
});
console.log(`${cases.length} cases from ${files.length} trainset photos (centre ${CROP}² crops)`);
console.log('smoothing | quantile | offset | gain | RMS ln(level/true) | mean true → calibrated level per setting');
for (const f of fits)
  console.log(
    `${f.smoothing} | ${f.quantile} | ${f.offset.toFixed(2)} | ${f.gain.toFixed(3)} | ${f.rms.toFixed(3)} | ${f.bySetting.join(', ')}`,
  );
const best = fits.reduce((a, b) => (b.rms < a.rms ? b : a));
console.log(
  JSON.stringify(
    {
      calibration: {
        quantile: best.quantile,
        offset: +best.offset.toFixed(2),
        gain: +best.gain.toFixed(3),
        smoothing: best.smoothing,
      },
    },
    null,
    2,
  ),
);
