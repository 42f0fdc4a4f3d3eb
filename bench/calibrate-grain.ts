// The white-noise correction of a noise estimator's calibration (dev only; it prints the `white`
// and `whiteRamp` numbers of `<model>.estimator.json`). The rest of the calibration is fitted on
// camera noise, whose grain demosaicking made coarser than a pixel and which the network reads
// low; noise that is white from pixel to pixel (synthetic Gaussian noise, a photo scaled down) it
// reads nearer its true level, so the same line puts it too high and the denoiser smooths the
// photo. The photo's noise grain (imaging/noise-grain.ts: 0.5 for white noise, about 1 and above
// for a camera's) tells them apart, and the correction lowers the level by the factor `white`
// at or below whiteRamp[0], rising linearly to none at whiteRamp[1] (ml/inference/noise-map.ts,
// grainFactor). This script picks the three numbers by what the user sees, the denoiser's PSNR,
// on TRAINING photos only (never the devset): per photo (a centre crop) five cases —
//   clean; the camera simulator at a random camera and level; the same with the camera's JPEG
//   (quality 60–98); the simulator on a crop twice the size, then binned 2×2 (a photo scaled
//   down: its noise is nearly white); white Gaussian noise of σ 3–50 —
// each denoised by the shipped denoiser at the estimator's map (its JPEG correction included,
// without any white-noise correction) times each factor of a grid; every candidate correction is
// scored by the mean PSNR it gives the noisy cases (interpolated between the grid's factors).
// Camera noise must never be lowered: demosaicking with Malvar–He–Cutler leaves a fairly fine
// grain (0.7–1.2; bilinear 1.0–2.0), and the estimator reads it right. So the script first draws
// the grain of the simulator's noise on every training photo (three levels, two cameras each) and
// only ramps that end below the lowest are candidates. (A ramp fitted without that bound, to
// 1.1, left these crops' camera cases alone but cost the devset's camera noise 0.17–0.36 dB.)
//   node out/bench/calibrate-grain.js <trainset folder> <model.onnx> [photos]
import path from 'node:path';
import { addNoise } from '../common/noise.js';
import { Rng } from '../common/rng.js';
import { readImage } from '../main/imaging/codec.js';
import { compareImages } from '../main/imaging/metrics.js';
import { withData, type Image } from '../main/imaging/image.js';
import { binned2x2, noiseGrain } from '../main/imaging/noise-grain.js';
import { compressJpeg, simulateCameraNoise } from '../main/imaging/camera/index.js';
import { denoiseImage } from '../main/ml/inference/index.js';
import { grainFactor } from '../main/ml/inference/noise-map.js';
import { centreCrop, clip01, mean, quantise8 } from './devset.js';
import { openCalibrationStudy, psnrAtFactor, spreadPhotos } from './calibration-cases.js';

const { dir, files, model, estimator } = await openCalibrationStudy('calibrate-grain', { white: 1 });
/** Factors on the map each case is denoised at; a correction's PSNR is interpolated in ln(factor). */
const FACTORS = [0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25];
const CROP = 384;

// The lowest grain of camera noise: every training photo's centre crop, three levels, two cameras.
const cameraGrains: number[] = [];
for (const [pi, f] of spreadPhotos(dir, Infinity).entries()) {
  const photo = centreCrop(await readImage(path.join(dir, f)), CROP);
  for (const level of ['low', 'medium', 'high'] as const)
    for (let k = 0; k < 2; k++) {
      const sim = simulateCameraNoise(photo, { level, jpegQuality: null }, new Rng(50000 + pi * 10 + k), {});
      const grain = noiseGrain(sim.noisy);
      if (grain !== null) cameraGrains.push(grain);
    }
}
const cameraFloor = Math.min(...cameraGrains);
/** Candidate corrections: the factor for white noise, and the grain ramp back to none. */
const CANDIDATES = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9].flatMap((white) =>
  steps(0.3, cameraFloor - 0.05).flatMap((from) =>
    steps(from + 0.05, cameraFloor).map((to) => ({ white, whiteRamp: [from, to] as [number, number] })),
  ),
);
const KINDS = ['clean', 'camera', 'camera + JPEG', 'camera, binned 2×2', 'white Gaussian'] as const;
type Kind = (typeof KINDS)[number];

function steps(from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = 0; from + 0.05 * k <= to + 1e-9; k++) out.push(Math.round((from + 0.05 * k) * 100) / 100);
  return out;
}
/** A photo scaled down 2× by binning (imaging/noise-grain.ts), as an image. */
const binnedImage = (im: Image): Image => ({ ...im, ...binned2x2(im), channels: im.channels });
/** A photo as an 8-bit file stores it. */
const to8bit = (im: Image) => withData(im, quantise8(im.data));

interface Case {
  kind: Kind;
  grain: number | null;
  psnr: number[];
}
const cases: Case[] = [];
for (const [pi, f] of files.entries()) {
  const full = await readImage(path.join(dir, f));
  const photo = centreCrop(full, CROP);
  const rng = new Rng(9000 + pi);
  const make: Record<Kind, () => Promise<{ noisy: Image; clean: Image }>> = {
    clean: async () => ({ noisy: photo, clean: photo }),
    camera: async () => {
      const sim = simulateCameraNoise(photo, { jpegQuality: null }, rng, { clean: true });
      return { noisy: sim.noisy, clean: sim.clean! };
    },
    'camera + JPEG': async () => {
      const quality = 60 + rng.int(39);
      const sim = simulateCameraNoise(photo, { jpegQuality: quality }, rng, { clean: true });
      return { noisy: await compressJpeg(sim.noisy, quality), clean: sim.clean! };
    },
    'camera, binned 2×2': async () => {
      const sim = simulateCameraNoise(centreCrop(full, 2 * CROP), { jpegQuality: null }, rng, { clean: true });
      return {
        noisy: to8bit(binnedImage(sim.noisy)),
        clean: binnedImage(sim.clean!),
      };
    },
    'white Gaussian': async () => {
      const sigma = 3 + 47 * rng.uniform();
      return {
        noisy: withData(photo, quantise8(addNoise(photo.data, photo.channels, { type: 'gaussian', sigma }, rng))),
        clean: photo,
      };
    },
  };
  for (const kind of KINDS) {
    const { noisy, clean } = await make[kind]();
    const map = await estimator.map(noisy);
    const psnr: number[] = [];
    for (const factor of FACTORS) {
      const result = await denoiseImage(noisy, model, { noiseMap: map.map((v) => v * factor) });
      psnr.push(compareImages(clean, withData(clean, clip01(result.image.data))).psnr);
    }
    cases.push({ kind, grain: noiseGrain(noisy), psnr });
  }
  process.stderr.write(`${f} done\n`);
}
await estimator.close();
await model.close();

/** A case's PSNR at any factor in the grid's span, linear in ln(factor) between grid points. */
const psnrAt = (c: Case, factor: number): number => psnrAtFactor(FACTORS, c.psnr, factor);
type Candidate = (typeof CANDIDATES)[number];
const meanOf = (these: Case[], cand: Candidate) => mean(these.map((c) => psnrAt(c, grainFactor(cand, c.grain))));
const noisy = cases.filter((c) => c.kind !== 'clean');
const best = CANDIDATES.reduce((b, c) => (meanOf(noisy, c) > meanOf(noisy, b) ? c : b));
const none: Candidate = { white: 1, whiteRamp: [0.5, 1] };
const quantiles = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return [0.1, 0.5, 0.9].map((q) => s[Math.floor(q * (s.length - 1))]!.toFixed(2)).join(' / ');
};
console.log(
  `camera noise's grain on ${cameraGrains.length} training crops: ${quantiles(cameraGrains)} (q10/50/90), ` +
    `lowest ${cameraFloor.toFixed(2)}: ramps end at or below it`,
);
console.log(`${cases.length} cases from ${files.length} trainset photos (centre ${CROP}² crops); mean PSNR, dB`);
console.log(`${'cases'.padEnd(20)}   n  grain q10/50/90   none   best  oracle`);
for (const kind of KINDS) {
  const these = cases.filter((c) => c.kind === kind);
  const grains = these.map((c) => c.grain).filter((g) => g !== null);
  console.log(
    `${kind.padEnd(20)} ${String(these.length).padStart(3)}  ${(grains.length ? quantiles(grains) : '–').padEnd(16)}` +
      `${meanOf(these, none).toFixed(2).padStart(6)} ${meanOf(these, best).toFixed(2).padStart(6)} ` +
      `${mean(these.map((c) => Math.max(...c.psnr)))
        .toFixed(2)
        .padStart(7)}`,
  );
}
console.log(`noisy cases, all: ${meanOf(noisy, none).toFixed(3)} → ${meanOf(noisy, best).toFixed(3)} dB`);
console.log(JSON.stringify(best));
