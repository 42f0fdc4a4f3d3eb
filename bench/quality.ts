// `npm run bench:quality`: how well the shipped denoisers clean photos, next to scikit-image's
// NL-means measured in the same run. Not a test: it needs the development photos in
// ../shared/datasets/devset (or --devset) and, for the peer, Debian's python3-skimage.
//
// For every photo and σ ∈ {15, 25, 50} (additive white Gaussian noise on the 0–255 scale, a fixed
// seed per photo and σ) two inputs are scored:
//   float    the noisy image as is, values outside [0, 1] kept (not clipped)
//   8-bit    the same noisy image clipped to [0, 1] and quantised to 8 bits, as a saved photo is
// Each is denoised by our model (told the true σ, and blind with σ estimated, as the app does by
// default) and by NL-means (fast mode, σ estimated); outputs are clipped to [0, 1] and scored
// against the clean photo (PSNR and SSIM in colour and on luma, 0–255 scale).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../common/rng.js';
import { addNoise } from '../common/noise.js';
import { compareImages, readImage, withData, type Image, type ImageMetrics } from '../main/imaging/index.js';
import { denoiseImage, openOnnxModel } from '../main/ml/inference/index.js';
import {
  Accumulator,
  clip01,
  DEFAULT_DEVSET,
  devsetPhotos,
  hasPython,
  log,
  peerJob,
  printTiming,
  runPythonPeer,
  shippedDenoisers,
  Timing,
  type PeerJob,
  quantise8,
} from './devset.js';

type Variant = 'float' | '8-bit';
interface Row {
  method: string;
  sigma: number;
  variant: Variant;
  psnr: number;
  ssim: number;
  psnr_y: number;
  ssim_y: number;
  n: number;
}

/** Noisy copy with σ/255 Gaussian noise, unclipped; the seed depends on photo and σ only. */
function gaussianNoisy(clean: Image, sigma: number, seed: number): Float32Array {
  return addNoise(clean.data, clean.channels, { type: 'gaussian', sigma }, new Rng(seed), { clip: false });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devset: { type: 'string', default: DEFAULT_DEVSET },
      model: { type: 'string', multiple: true },
      sigmas: { type: 'string', default: '15,25,50' },
      seed: { type: 'string', default: '2026' },
      threads: { type: 'string', default: '2' },
      limit: { type: 'string' },
      'no-nlm': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const devset = path.resolve(values.devset!);
  const photos = devsetPhotos('bench:quality', devset, values.limit ? Number(values.limit) : undefined);
  const modelFiles = values.model?.length ? values.model : await shippedDenoisers();
  if (modelFiles.length === 0) {
    log('bench:quality: no denoising model: pass --model <file.onnx> (or ship one in models/)');
    process.exit(2);
  }
  const sigmas = values.sigmas!.split(',').map(Number);
  const seed = Number(values.seed);
  const threads = Number(values.threads);
  const runNlm = !values['no-nlm'] && hasPython('skimage');
  if (!runNlm) log('bench:quality: NL-means peer skipped (needs /usr/bin/python3 with scikit-image)');

  type Key = { method: string; sigma: number; variant: Variant };
  const acc = new Accumulator<Key>();
  // Gray photos again on their own: the colour model runs them as R = G = B (see onnx-runner.ts).
  const gray = new Accumulator<Key>();
  const score = (clean: Image, method: string, sigma: number, variant: Variant, m: ImageMetrics): void => {
    acc.add({ method, sigma, variant }, m);
    if (clean.channels === 1) gray.add({ method, sigma, variant }, m);
  };
  const work = mkdtempSync(path.join(tmpdir(), 'dl-bench-quality-'));
  const timing = new Timing();
  const photoChannels: number[] = [];
  const time = (method: string, seconds: number, mp: number): void => timing.add(method, seconds, mp);
  const nlmJobs: PeerJob<{ clean: Image; sigma: number; variant: Variant; mp: number }>[] = [];

  try {
    const models = await Promise.all(
      modelFiles.map(async (f) => ({ name: path.basename(f, '.onnx'), model: await openOnnxModel(f, { threads }) })),
    );
    for (const [pi, photo] of photos.entries()) {
      const clean = await readImage(path.join(devset, photo));
      photoChannels.push(clean.channels);
      const mp = (clean.width * clean.height) / 1e6;
      for (const sigma of sigmas) {
        const noisyFloat = gaussianNoisy(clean, sigma, seed * 1000 + pi * 10 + sigmas.indexOf(sigma));
        const variants: [Variant, Float32Array][] = [
          ['float', noisyFloat],
          ['8-bit', quantise8(noisyFloat)],
        ];
        for (const [variant, noisy] of variants) {
          const noisyImage = withData(clean, noisy);
          score(clean, 'noisy', sigma, variant, compareImages(clean, noisyImage));
          for (const { name, model } of models) {
            for (const blind of model.takesSigma ? [false, true] : [false]) {
              const t0 = performance.now();
              const out = await denoiseImage(noisyImage, model, blind ? {} : { sigma });
              const seconds = (performance.now() - t0) / 1000;
              const method = blind ? `${name} (σ estimated)` : name;
              time(method, seconds, mp);
              score(clean, method, sigma, variant, compareImages(clean, withData(clean, clip01(out.image.data))));
            }
          }
          if (runNlm)
            nlmJobs.push(peerJob(work, `${pi}-${sigma}-${variant}`, noisyImage, { clean, sigma, variant, mp }));
        }
      }
      log(`bench:quality: ${photo} done (${pi + 1}/${photos.length})`);
    }
    for (const { model } of models) await model.close();

    let skimageVersion: string | undefined;
    if (runNlm && nlmJobs.length) {
      log(`bench:quality: running NL-means on ${nlmJobs.length} images…`);
      const report = runPythonPeer('nlmeans.py', nlmJobs, threads, ({ tag }, out, seconds) => {
        score(tag.clean, 'NL-means', tag.sigma, tag.variant, compareImages(tag.clean, out));
        time('NL-means', seconds, tag.mp);
      });
      skimageVersion = report.skimage as string;
    }

    const rows = acc.rows();
    const grayRows = gray.rows();
    const grayPhotos = photoChannels.filter((c) => c === 1).length;
    const secondsPerMp = timing.secondsPerMp();
    if (values.json) {
      process.stdout.write(
        JSON.stringify(
          { photos, sigmas, seed, threads, skimage: skimageVersion, rows, grayRows, secondsPerMp },
          null,
          2,
        ) + '\n',
      );
      return;
    }
    printTable(rows, sigmas, photos.length, skimageVersion);
    if (grayPhotos > 0) {
      process.stdout.write(`\nGray photos only (${grayPhotos}); colour models run them as R = G = B:\n\n`);
      printTable(grayRows, sigmas, grayPhotos, undefined);
    }
    printTiming(secondsPerMp);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function printTable(rows: Row[], sigmas: number[], nPhotos: number, skimageVersion: string | undefined): void {
  const methods = [...new Set(rows.map((r) => r.method))];
  const lines: string[] = [];
  lines.push(`Mean over ${nPhotos} devset photos; PSNR in dB, SSIM in [0, 1]; colour / luma.`);
  if (skimageVersion) lines.push(`NL-means: scikit-image ${skimageVersion}, fast mode, σ estimated, h = 0.8·σ̂.`);
  lines.push('');
  lines.push('| σ | input | method | PSNR | SSIM | PSNR (Y) | SSIM (Y) | Δ PSNR vs NL-means | Δ SSIM vs NL-means |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const sigma of sigmas) {
    for (const variant of ['float', '8-bit'] as const) {
      const nlm = rows.find((r) => r.method === 'NL-means' && r.sigma === sigma && r.variant === variant);
      for (const method of methods) {
        const r = rows.find((x) => x.method === method && x.sigma === sigma && x.variant === variant);
        if (!r) continue;
        const dp = nlm && method !== 'NL-means' && method !== 'noisy' ? (r.psnr - nlm.psnr).toFixed(2) : '';
        const ds = nlm && method !== 'NL-means' && method !== 'noisy' ? (r.ssim - nlm.ssim).toFixed(4) : '';
        lines.push(
          `| ${sigma} | ${variant} | ${method} | ${r.psnr.toFixed(2)} | ${r.ssim.toFixed(4)} | ${r.psnr_y.toFixed(2)} | ${r.ssim_y.toFixed(4)} | ${dp} | ${ds} |`,
        );
      }
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:quality: ${(e as Error).message}\n`);
  process.exit(1);
});
