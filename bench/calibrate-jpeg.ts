// The JPEG correction of a noise estimator's calibration (dev only; it prints the `jpeg` and
// `jpegKnee` numbers of `<model>.estimator.json`). Compression removes the fine grain the estimator
// reads and leaves the coarse blotches, so it reads a JPEG's noise low, the lower the quality the
// more; the denoiser then leaves blotches in. The correction raises a JPEG's level by a factor
// that grows linearly as the quality falls below a knee, 1 + jpeg · (knee − q) / (knee − 60)
// (main/ml/inference/noise-map.ts, jpegFactor), and this script picks both numbers by what the
// user sees: the denoiser's PSNR. On TRAINING photos only (never the devset), through the camera
// simulator at medium and high and a JPEG quality spread over 60–98, it runs the shipped denoiser
// with the estimator's map times each factor of a grid, and scores every candidate correction by
// the mean PSNR it would give (interpolated between the grid's factors). Clean JPEGs (no noise
// added; a denoiser should leave them alone) are scored too, as a check that the correction does
// not smooth them away.
//   node out/bench/calibrate-jpeg.js <trainset folder> <model.onnx> [photos]
import path from 'node:path';
import { Rng } from '../common/rng.js';
import { readImage } from '../main/imaging/codec.js';
import { compareImages } from '../main/imaging/metrics.js';
import { withData, withoutJpegQuality, type Image } from '../main/imaging/image.js';
import { compressJpeg, simulateCameraNoise, type CameraNoiseLevel } from '../main/imaging/camera/index.js';
import { denoiseImage } from '../main/ml/inference/index.js';
import { jpegFactor } from '../main/ml/inference/noise-map.js';
import { centreCrop, clip01, mean } from './devset.js';
import { openCalibrationStudy, psnrAtFactor } from './calibration-cases.js';

const { dir, files, model, estimator } = await openCalibrationStudy('calibrate-jpeg');
/** Factors on the map each case is denoised at; a correction's PSNR is interpolated in ln(factor). */
const FACTORS = [1, 1.1, 1.2, 1.35, 1.5, 1.75, 2, 2.5];
/** Candidate corrections: the factor at quality 60, and the quality from which it applies. */
const CANDIDATES = [0, 0.15, 0.25, 0.35, 0.5, 0.75, 1].flatMap((jpeg) =>
  (jpeg === 0 ? [100] : [100, 90, 80]).map((knee) => ({ jpeg, knee })),
);
/** Crops keep the study fast; 384² holds enough of most photos' brightnesses. */
const CROP = 384;
const LEVELS: CameraNoiseLevel[] = ['medium', 'high'];

interface Case {
  kind: string;
  quality: number;
  psnr: number[];
}
const cases: Case[] = [];
const score = async (noisy: Image, reference: Image): Promise<number[]> => {
  // The map without any JPEG correction (whatever the stored calibration holds), then each factor.
  const map = await estimator.map({ ...noisy, meta: withoutJpegQuality(noisy.meta) });
  const out: number[] = [];
  for (const factor of FACTORS) {
    const result = await denoiseImage(noisy, model, { noiseMap: map.map((v) => v * factor) });
    out.push(compareImages(reference, withData(reference, clip01(result.image.data))).psnr);
  }
  return out;
};
for (const [pi, f] of files.entries()) {
  const photo = centreCrop(await readImage(path.join(dir, f)), CROP);
  for (const [li, level] of LEVELS.entries()) {
    const rng = new Rng(9100 + pi * 10 + li);
    const quality = 60 + ((pi * 17 + li * 23) % 39);
    const sim = simulateCameraNoise(photo, { level, jpegQuality: quality }, rng, { clean: true });
    const noisy = await compressJpeg(sim.noisy, quality);
    if (noisy.meta.jpegQuality === undefined) throw new Error('the JPEG round trip lost its quality');
    // The quality as the app reads it: from the file's tables.
    cases.push({ kind: level, quality: noisy.meta.jpegQuality, psnr: await score(noisy, sim.clean!) });
  }
  // A clean JPEG: the reference is the JPEG itself (a denoiser should leave it as it is).
  const quality = 60 + ((pi * 29) % 39);
  const clean = await compressJpeg(photo, quality);
  cases.push({ kind: 'clean', quality: clean.meta.jpegQuality!, psnr: await score(clean, clean) });
  process.stderr.write(`${f} done\n`);
}
await estimator.close();
await model.close();

const bands = [
  [60, 72],
  [73, 85],
  [86, 98],
] as const;
/** A case's PSNR at any factor in the grid's span, linear in ln(factor) between grid points. */
const psnrAt = (c: Case, factor: number): number => psnrAtFactor(FACTORS, c.psnr, factor);
const factorOf = (cand: { jpeg: number; knee: number }, q: number) =>
  jpegFactor({ jpeg: cand.jpeg, jpegKnee: cand.knee }, q);
const row = (label: string, these: Case[]) =>
  `${label.padEnd(22)} ${String(these.length).padStart(3)} ` +
  CANDIDATES.map((cand) =>
    mean(these.map((c) => psnrAt(c, factorOf(cand, c.quality))))
      .toFixed(2)
      .padStart(7),
  ).join('');
console.log(`${cases.length} cases from ${files.length} trainset photos (centre ${CROP}² crops); mean PSNR, dB`);
console.log(`${'cases'.padEnd(22)}   n ${CANDIDATES.map((c) => `${c.jpeg}@${c.knee}`.padStart(7)).join('')}`);
const noisy = cases.filter((c) => c.kind !== 'clean');
console.log(row('noisy JPEGs, all', noisy));
for (const level of LEVELS)
  console.log(
    row(
      `  ${level}`,
      noisy.filter((c) => c.kind === level),
    ),
  );
for (const [lo, hi] of bands)
  console.log(
    row(
      `  quality ${lo}–${hi}`,
      noisy.filter((c) => c.quality >= lo && c.quality <= hi),
    ),
  );
console.log(
  row(
    'clean JPEGs',
    cases.filter((c) => c.kind === 'clean'),
  ),
);
const meanAt = (cand: { jpeg: number; knee: number }) => mean(noisy.map((c) => psnrAt(c, factorOf(cand, c.quality))));
const best = CANDIDATES.reduce((b, c) => (meanAt(c) > meanAt(b) ? c : b));
console.log(JSON.stringify({ jpeg: best.jpeg, jpegKnee: best.knee }));
console.log(
  `per-case best factor by quality: ${noisy
    .map((c) => [c.quality, FACTORS[c.psnr.indexOf(Math.max(...c.psnr))]!] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([q, f]) => `${q}:${f}`)
    .join(' ')}`,
);
