// `npm run bench:real`: how well the shipped denoisers clean photos carrying realistic camera
// noise, run the way a user runs them (blind: no σ given), next to peers measured in the same run.
// Not a test: it needs the development photos in ../shared/datasets/devset (or --devset) and, for
// the Python peers, Debian's python3-skimage and python3-opencv.
//
// Every photo goes through the camera-pipeline simulator (imaging/camera) in four settings: the
// levels low, medium and high without JPEG, and medium saved as a JPEG of quality 75. Each photo and
// setting has its own fixed seed, from which the camera is drawn within the level (colour matrix
// mix, gains, Bayer phase, demosaicking method, in-camera sharpening and chroma NR: varied, and
// printed) and then the noise. Every result is clipped to [0, 1] and scored against the same
// pipeline without noise (and without JPEG): demosaicking alone changes a photo, so the original
// would charge every method for what no denoiser can restore. One more setting is not a camera's:
// white Gaussian noise of σ 25 (8-bit), scored against the photo itself. Methods, all blind:
//   - each shipped denoiser, σ estimated by the app's wavelet-MAD estimator (its default);
//   - the AWGN default model at a sweep of fixed σ, its best σ per setting (by mean PSNR over the
//     photos) reported: a user who tried every strength by hand; the row others are compared with;
//   - scikit-image NL-means (bench/peers/nlmeans.py: fast mode, σ from estimate_sigma,
//     h = 0.8·σ̂) and OpenCV fastNlMeansDenoisingColored (bench/peers/opencv_nlmeans.py: h =
//     hColor = σ̂ on 0–255, σ̂ the app's estimate, windows 7 and 21), each in its own process after
//     ours, with --threads threads.
// Per setting it also reports the true mean σ (the simulator's noise map, RMS over the channels as
// a denoiser is told it, before JPEG) next to the wavelet-MAD reading and each shipped noise
// estimator's (the mean of its map).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { addNoise } from '../common/noise.js';
import { Rng } from '../common/rng.js';
import { compareImages, estimateNoiseSigma, readImage, withData, type Image } from '../main/imaging/index.js';
import { denoiseImage, openOnnxModel, type OnnxModel } from '../main/ml/inference/index.js';
import { estimatorFileFor, openNoiseEstimator, type NoiseEstimator } from '../main/ml/inference/noise-map.js';
import { UsageError } from '../main/cli/command.js';
import { numberOption, RANGES } from '../main/cli/options.js';
import {
  Accumulator,
  clip01,
  DEFAULT_DEVSET,
  devsetPhotos,
  hasPython,
  log,
  mean,
  peerJob,
  runPythonPeer,
  shippedDenoisers,
  Timing,
  type PeerJob,
  quantise8,
} from './devset.js';
import { cameraNoiseCase, caseSeed as caseSeedOf, SETTINGS } from './real-settings.js';

const NOISY = 'noisy input';
const NLM = 'NL-means (scikit-image)';
const OPENCV = 'fastNlMeansDenoisingColored (OpenCV)';

interface Camera {
  photo: string;
  setting: string;
  seed: number;
  shot: number;
  read: number;
  cfa: string;
  demosaic: string;
  sharpen: number;
  chroma_nr: number;
  true_sigma: number;
  estimated_sigma: number;
  /** Mean level read by each shipped model's own noise estimator (per model name). */
  network_sigma: Record<string, number>;
}

/** What a setting's noise was drawn as: the camera (empty for white noise) and the true level. */
type DrawnNoise = Omit<Camera, 'photo' | 'setting' | 'seed' | 'estimated_sigma' | 'network_sigma'>;

type PeerTag = { clean: Image; setting: string; mp: number };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devset: { type: 'string', default: DEFAULT_DEVSET },
      model: { type: 'string', multiple: true },
      'awgn-model': { type: 'string' },
      sweep: { type: 'string', default: '5,10,15,20,30,40,50' },
      seed: { type: 'string', default: '2026' },
      threads: { type: 'string', default: '2' },
      limit: { type: 'string' },
      'no-peers': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const seed = numberOption(values, 'seed', RANGES.seed)!;
  const threads = numberOption(values, 'threads', RANGES.threads)!;
  const limit = numberOption(values, 'limit', { min: 1, max: 1e6, integer: true });
  const sweep = values.sweep!.split(',').map(Number);
  if (!sweep.every((s) => s >= 0 && s <= 255)) throw new UsageError(`--sweep must list σ values in 0–255`);
  const photos = devsetPhotos('bench:real', path.resolve(values.devset!), limit);
  const devset = path.resolve(values.devset!);
  const shipped = await shippedDenoisers();
  const modelFiles = values.model?.length ? values.model : shipped;
  const awgnFile = values['awgn-model'] ?? shipped[0];
  if (modelFiles.length === 0 || !awgnFile) {
    log(
      'bench:real: no denoising model: pass --model <file.onnx> and --awgn-model <file.onnx> (or ship one in models/)',
    );
    process.exit(2);
  }
  const runNlm = !values['no-peers'] && hasPython('skimage');
  const runOpenCv = !values['no-peers'] && hasPython('cv2');
  if (!runNlm) log('bench:real: scikit-image NL-means skipped (needs /usr/bin/python3 with python3-skimage)');
  if (!runOpenCv) log('bench:real: OpenCV NL-means skipped (needs /usr/bin/python3 with python3-opencv)');

  const acc = new Accumulator<{ setting: string; method: string }>();
  const sweepAcc = new Accumulator<{ setting: string; sigma: number }>();
  const timing = new Timing();
  const cameras: Camera[] = [];
  const nlmJobs: PeerJob<PeerTag>[] = [];
  const cvJobs: PeerJob<PeerTag>[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'dl-bench-real-'));
  const opened = new Map<string, OnnxModel>();
  const open = async (f: string) => {
    const m = opened.get(f) ?? (await openOnnxModel(f, { threads }));
    opened.set(f, m);
    return m;
  };
  /** Runs a model, times it under `label`, and scores its clipped output against `ref`. */
  const run = async (
    model: OnnxModel,
    noisy: Image,
    ref: Image,
    sigma: number | undefined,
    label: string,
    estimator: NoiseEstimator | null = null,
    read?: (level: number) => void,
  ): Promise<ReturnType<typeof compareImages>> => {
    const t0 = performance.now();
    const out = await denoiseImage(noisy, model, sigma === undefined ? { estimator } : { sigma });
    timing.add(label, (performance.now() - t0) / 1000, (noisy.width * noisy.height) / 1e6);
    if (out.noiseMap) read?.(mean(out.noiseMap));
    return compareImages(ref, withData(ref, clip01(out.image.data)));
  };

  try {
    const blind = await Promise.all(
      modelFiles.map(async (f) => {
        const estimatorFile = estimatorFileFor(f);
        const estimator = estimatorFile ? await openNoiseEstimator(estimatorFile, { threads }) : null;
        return { name: path.basename(f, '.onnx'), model: await open(f), estimator };
      }),
    );
    const awgn = { name: path.basename(awgnFile, '.onnx'), model: await open(awgnFile) };
    for (const [pi, photo] of photos.entries()) {
      const original = await readImage(path.join(devset, photo));
      const mp = (original.width * original.height) / 1e6;
      for (const [si, setting] of SETTINGS.entries()) {
        const caseSeed = caseSeedOf(seed, pi, si);
        if (setting.level === null && !setting.white) {
          // Clean: the photo as it is, every blind model on it, scored against itself.
          for (const { name, model, estimator } of blind) {
            const method = model.takesSigma ? `${name} (σ estimated)` : name;
            acc.add(
              { setting: setting.name, method },
              await run(model, original, original, undefined, `${setting.name}|${method}`, estimator),
            );
          }
          continue;
        }
        const { noisy, ref, drawn } = setting.white
          ? whiteNoiseCase(original, setting.white, new Rng(caseSeed))
          : drawnCamera(await cameraNoiseCase(original, setting.level!, setting.jpegQuality, new Rng(caseSeed)));
        const estimated = estimateNoiseSigma(noisy);
        const camera: Camera = {
          photo,
          setting: setting.name,
          seed: caseSeed,
          ...drawn,
          estimated_sigma: estimated,
          network_sigma: {},
        };
        cameras.push(camera);
        log(
          `bench:real: ${photo}, ${setting.name}: ` +
            (camera.cfa
              ? `shot ${camera.shot.toExponential(2)}, read ${camera.read.toExponential(2)}, ${camera.cfa}, ` +
                `${camera.demosaic}, sharpening ${camera.sharpen.toFixed(2)}, chroma NR ${camera.chroma_nr.toFixed(2)}; `
              : '') +
            `σ ${camera.true_sigma.toFixed(1)}, estimated ${estimated.toFixed(1)}`,
        );

        const key = (method: string) => ({ setting: setting.name, method });
        acc.add(key(NOISY), compareImages(ref, noisy));
        for (const { name, model, estimator } of blind) {
          const method = model.takesSigma ? `${name} (σ estimated)` : name;
          const read = (level: number) => (camera.network_sigma[name] = level);
          acc.add(key(method), await run(model, noisy, ref, undefined, `${setting.name}|${method}`, estimator, read));
        }
        if (awgn.model.takesSigma)
          for (const sigma of sweep)
            sweepAcc.add(
              { setting: setting.name, sigma },
              await run(awgn.model, noisy, ref, sigma, `${setting.name}|σ ${sigma}`),
            );
        const tag = { clean: ref, setting: setting.name, mp };
        if (runNlm || runOpenCv) {
          const job = peerJob(work, `${pi}-${si}`, noisy, tag, { sigma: estimated });
          if (runNlm) nlmJobs.push(job);
          // The same input file; OpenCV's output goes beside it under its own name.
          if (runOpenCv) cvJobs.push({ ...job, out: job.out.replace(/-out\.npy$/, '-cv.npy') });
        }
      }
      log(`bench:real: ${photo} done (${pi + 1}/${photos.length})`);
    }
    for (const m of opened.values()) await m.close();
    for (const b of blind) await b.estimator?.close();

    // Peers strictly after our side, one process each, so that none competes with another for cores.
    const versions: Record<string, string> = {};
    const peer = (script: string, method: string, jobs: PeerJob<PeerTag>[], version: string) => {
      if (!jobs.length) return;
      log(`bench:real: running ${method} on ${jobs.length} images…`);
      const report = runPythonPeer(script, jobs, threads, ({ tag }, out, seconds) => {
        acc.add({ setting: tag.setting, method }, compareImages(tag.clean, out));
        timing.add(`${tag.setting}|${method}`, seconds, tag.mp);
      });
      versions[version] = String(report[version]);
    };
    peer('nlmeans.py', NLM, nlmJobs, 'skimage');
    peer('opencv_nlmeans.py', OPENCV, cvJobs, 'opencv');

    const result = summarise(acc, sweepAcc, cameras, timing.secondsPerMp(), awgn.name);
    if (values.json) {
      process.stdout.write(
        JSON.stringify({ photos, seed, threads, sweep, versions, ...result, cameras }, null, 2) + '\n',
      );
      return;
    }
    printReport(result, photos.length, threads, versions, cameras);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A camera-noise case with what the tables print of its camera and noise. */
function drawnCamera({ noisy, ref, trueMap, pipeline: p }: Awaited<ReturnType<typeof cameraNoiseCase>>) {
  const drawn: DrawnNoise = {
    shot: p.shot,
    read: p.read,
    cfa: p.cfa,
    demosaic: p.demosaic,
    sharpen: p.sharpen.amount,
    chroma_nr: p.chromaDenoise.strength,
    true_sigma: mean(trueMap),
  };
  return { noisy, ref, drawn };
}

/** A photo with white Gaussian noise of σ (0–255), saved as 8 bits; the photo is its reference. */
function whiteNoiseCase(original: Image, sigma: number, rng: Rng) {
  const noisy = withData(
    original,
    quantise8(addNoise(original.data, original.channels, { type: 'gaussian', sigma }, rng)),
  );
  // No camera: its fields stay empty, and the camera table leaves the row out.
  const drawn: DrawnNoise = { shot: 0, read: 0, cfa: '', demosaic: '', sharpen: 0, chroma_nr: 0, true_sigma: sigma };
  return { noisy, ref: original, drawn };
}

interface SettingRow {
  setting: string;
  method: string;
  psnr: number;
  ssim: number;
  delta_psnr: number | null;
  delta_ssim: number | null;
  seconds_per_mp: number | null;
}

interface Summary {
  rows: SettingRow[];
  sweepRows: { setting: string; sigma: number; psnr: number; ssim: number }[];
  sigmas: {
    setting: string;
    true_sigma: number;
    estimated_sigma: number;
    network_sigma: Record<string, number>;
    best_fixed_sigma: number | null;
  }[];
}

/** Per setting: every method, the best fixed σ of the AWGN model, and the Δ of each against it. */
function summarise(
  acc: Accumulator<{ setting: string; method: string }>,
  sweepAcc: Accumulator<{ setting: string; sigma: number }>,
  cameras: Camera[],
  secondsPerMp: Record<string, number>,
  awgnName: string,
): Summary {
  const rows: SettingRow[] = [];
  const sweepRows = sweepAcc.rows().map(({ setting, sigma, psnr, ssim }) => ({ setting, sigma, psnr, ssim }));
  const sigmas: Summary['sigmas'] = [];
  for (const { name } of SETTINGS) {
    const here = cameras.filter((c) => c.setting === name);
    const methods = acc.rows().filter((r) => r.setting === name);
    if (!here.length && !methods.length) continue;
    const best = sweepRows
      .filter((r) => r.setting === name)
      .reduce<(typeof sweepRows)[number] | undefined>((b, r) => (!b || r.psnr > b.psnr ? r : b), undefined);
    if (here.length)
      sigmas.push({
        setting: name,
        true_sigma: here.reduce((s, c) => s + c.true_sigma, 0) / here.length,
        estimated_sigma: here.reduce((s, c) => s + c.estimated_sigma, 0) / here.length,
        network_sigma: Object.fromEntries(
          Object.keys(here[0]!.network_sigma).map((m) => [
            m,
            here.reduce((s, c) => s + (c.network_sigma[m] ?? 0), 0) / here.length,
          ]),
        ),
        best_fixed_sigma: best?.sigma ?? null,
      });
    const bestRow = best && {
      setting: name,
      method: `${awgnName}, best fixed σ (${best.sigma})`,
      psnr: best.psnr,
      ssim: best.ssim,
      seconds: secondsPerMp[`${name}|σ ${best.sigma}`] ?? null,
    };
    const all = [
      ...methods.map((r) => ({ ...r, seconds: secondsPerMp[`${name}|${r.method}`] ?? null })),
      ...(bestRow ? [bestRow] : []),
    ];
    for (const r of all)
      rows.push({
        setting: name,
        method: r.method,
        psnr: r.psnr,
        ssim: r.ssim,
        delta_psnr: bestRow ? r.psnr - bestRow.psnr : null,
        delta_ssim: bestRow ? r.ssim - bestRow.ssim : null,
        seconds_per_mp: r.seconds,
      });
  }
  return { rows, sweepRows, sigmas };
}

function printReport(
  { rows, sweepRows, sigmas }: Summary,
  nPhotos: number,
  threads: number,
  versions: Record<string, string>,
  cameras: Camera[],
): void {
  const f2 = (v: number | null, signed = false) => (v === null ? '' : (signed && v >= 0 ? '+' : '') + v.toFixed(2));
  const f4 = (v: number | null, signed = false) => (v === null ? '' : (signed && v >= 0 ? '+' : '') + v.toFixed(4));
  const lines: string[] = [];
  lines.push(
    `Camera noise, blind; mean over ${nPhotos} devset photos; PSNR in dB, SSIM in [0, 1], in colour, against the ` +
      `same pipeline without noise; Δ against the AWGN model at its best fixed σ; ${threads} thread(s).`,
  );
  if (versions.skimage) lines.push(`NL-means: scikit-image ${versions.skimage}, fast mode, σ estimated, h = 0.8·σ̂.`);
  if (versions.opencv)
    lines.push(
      `OpenCV ${versions.opencv} fastNlMeansDenoisingColored: h = hColor = σ̂ (0–255, wavelet MAD), windows 7 / 21.`,
    );
  lines.push('');
  lines.push('| setting | method | PSNR | SSIM | Δ PSNR | Δ SSIM | s / MP |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    lines.push(
      `| ${r.setting} | ${r.method} | ${f2(r.psnr)} | ${f4(r.ssim)} | ${f2(r.delta_psnr, true)} | ` +
        `${f4(r.delta_ssim, true)} | ${f2(r.seconds_per_mp)} |`,
    );
  const networks = Object.keys(sigmas[0]?.network_sigma ?? {});
  lines.push(
    '',
    `| setting | true σ (noise map, mean, before JPEG) | estimated σ (wavelet MAD) | ${networks.map((m) => `${m}'s estimator (mean)`).join(' | ')}${networks.length ? ' | ' : ''}best fixed σ |`,
    `| --- | --- | --- |${' --- |'.repeat(networks.length)} --- |`,
  );
  for (const s of sigmas)
    lines.push(
      `| ${s.setting} | ${f2(s.true_sigma)} | ${f2(s.estimated_sigma)} | ${networks.map((m) => f2(s.network_sigma[m] ?? null)).join(' | ')}${networks.length ? ' | ' : ''}${s.best_fixed_sigma ?? ''} |`,
    );
  const sweep = [...new Set(sweepRows.map((r) => r.sigma))];
  if (sweep.length) {
    lines.push(
      '',
      `| setting | ${sweep.map((s) => `σ ${s}`).join(' | ')} |`,
      `| --- |${' --- |'.repeat(sweep.length)}`,
    );
    for (const { setting } of sigmas)
      lines.push(
        `| ${setting} | ${sweep.map((s) => f2(sweepRows.find((r) => r.setting === setting && r.sigma === s)?.psnr ?? null)).join(' | ')} |`,
      );
  }
  lines.push(
    '',
    '| photo | setting | shot | read | CFA | demosaic | sharpening | chroma NR |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const c of cameras.filter((c) => c.cfa))
    lines.push(
      `| ${c.photo} | ${c.setting} | ${c.shot.toExponential(2)} | ${c.read.toExponential(2)} | ${c.cfa} | ${c.demosaic} | ` +
        `${c.sharpen.toFixed(2)} | ${c.chroma_nr.toFixed(2)} |`,
    );
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:real: ${(e as Error).message}\n`);
  process.exit(e instanceof UsageError ? e.exitCode : 1);
});
