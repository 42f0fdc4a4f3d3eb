// `denoise-lab noise <in> --out <file> --type … --level <n> [--seed N] [--no-clip]`: adds
// synthetic noise, reproducibly. `--type camera` runs the camera-pipeline simulator
// (imaging/camera) instead of a pixel-wise model: its noise is signal-dependent, demosaiced and
// colour-mixed, and it can also write the noise-level map and the matching clean reference.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Command, UsageError } from '../command.js';
import { Rng } from '../../../common/rng.js';
import { encodeNpy } from '../../files/npy.js';
import { readImage, writeImage, formatFromPath } from '../../imaging/codec.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { encodeFloatTiff } from '../../imaging/float-tiff.js';
import { addNoise } from '../../../common/noise.js';
import { NOISE_TYPES, parseNoiseLevel } from '../../../common/noise-spec.js';
import { withData, type Image } from '../../imaging/image.js';
import {
  CAMERA_NOISE_LEVELS,
  CFA_PATTERNS,
  DEMOSAIC_METHODS,
  compressJpeg,
  simulateCameraNoise,
  type CameraNoiseLevel,
  type CameraNoiseParams,
  type CfaPattern,
  type DemosaicMethod,
} from '../../imaging/camera/index.js';
import {
  asUsageError,
  numberOption,
  pixelLimitOption,
  RANGES,
  refuseOutputOverInput,
  type NumberRange,
} from '../options.js';

/** Camera noise: raw variances on the linear [0, 1] scale (what the simulator accepts), JPEG quality. */
const CAMERA_RANGES = {
  shot: { min: 0, max: 1 },
  read: { min: 0, max: 1 },
  'jpeg-quality': { min: 1, max: 100, integer: true },
} as const satisfies Record<string, NumberRange>;

/** Options that only the camera simulator understands. */
const CAMERA_ONLY = ['shot', 'read', 'jpeg-quality', 'cfa', 'demosaic', 'noise-map', 'clean-out'] as const;

export const noiseCommand: Command = {
  name: 'noise',
  summary: 'add synthetic noise to an image (seeded, reproducible)',
  usage: `Usage: denoise-lab noise <in> --out <file> --type <type> --level <n> [--seed N] [--no-clip] [--json]

Levels are on the 0–255 scale (or fractions):
  gaussian           --level σ                 y = x + σ·n, σ 0–255
  poisson            --level photons           photons at full scale (fewer = noisier), 0.01–1e6
  poisson-gaussian   --level photons,σ         shot noise plus Gaussian read noise, e.g. 30,5
  salt-pepper        --level amount[,salt]     fraction of samples hit; share of salt (default 0.5)
  speckle            --level σ                 y = x·(1 + σ·n), σ relative (e.g. 0.2), 0–10
  mask               --level fraction          fraction of pixels set to 0 (all channels)
  camera             --level low|medium|high   a simulated camera: raw sensor noise, demosaicked,
                                               colour-processed, 8-bit (σ about 3–7, 7–16, 16–39)

  --out <file>       .png/.tif (same bit depth as the input), .jpg, .webp, .avif: clipped and
                     quantised; .npy: float32 1×C×H×W on the 0–255 scale (--layout hwc: H×W×C)
  --seed N           seed of the noise, 0–4294967295 (default 0): same seed, same noise everywhere
  --no-clip          keep values outside 0–255; needs a float output: .npy or .tif (32-bit float)
  --layout nchw|hwc  layout of .npy output (default nchw)
  --json             one JSON document on stdout: what was written and the noise drawn
  --overwrite        replace an existing output file
  --max-megapixels N refuse larger inputs (default 200)

Camera noise (--type camera; parameters not given are drawn from the seed, within the level):
  --shot V           raw shot-noise variance per unit of signal, 0–1 (the level's range: low
                     1e-4–5e-4, medium 5e-4–2.4e-3, high 2.4e-3–1.2e-2); replaces --level
  --read V           raw read-noise variance, 0–1 (default: drawn from the shot noise)
  --cfa P            Bayer phase: ${CFA_PATTERNS.join(', ')} (default: drawn)
  --demosaic M       ${DEMOSAIC_METHODS.join(' or ')} (Malvar–He–Cutler) (default: drawn)
  --jpeg-quality N   the camera saves a JPEG of quality 1–100 (default: no JPEG)
  --noise-map <file> also write σ per pixel and channel (0–255 scale, before JPEG): .tif (32-bit
                     float, 3 channels) or .npy
  --clean-out <file> also write the same pipeline without noise (and without JPEG): the reference
                     to score a denoised result against, since demosaicking alone changes a photo`,
  options: {
    out: { type: 'string' },
    type: { type: 'string' },
    level: { type: 'string' },
    seed: { type: 'string' },
    'no-clip': { type: 'boolean' },
    layout: { type: 'string' },
    json: { type: 'boolean' },
    overwrite: { type: 'boolean' },
    'max-megapixels': { type: 'string' },
    shot: { type: 'string' },
    read: { type: 'string' },
    cfa: { type: 'string' },
    demosaic: { type: 'string' },
    'jpeg-quality': { type: 'string' },
    'noise-map': { type: 'string' },
    'clean-out': { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('expected one input image');
    const out = values.out;
    if (typeof out !== 'string' || !out) throw new UsageError('--out <file> is required');
    const types = [...NOISE_TYPES, 'camera'];
    if (typeof values.type !== 'string') throw new UsageError(`--type is required (${types.join(', ')})`);
    const camera = values.type === 'camera';
    if (!camera) {
      const stray = CAMERA_ONLY.find((o) => values[o] !== undefined);
      if (stray) throw new UsageError(`--${stray} applies to --type camera only`);
      if (typeof values.level !== 'string') throw new UsageError('--level is required');
    } else if (values['no-clip'])
      throw new UsageError('--no-clip does not apply to camera noise: the camera writes 8-bit values');
    const seed = numberOption(values, 'seed', RANGES.seed) ?? 0;
    const clip = !values['no-clip'];
    const layout = (values.layout as string | undefined) ?? 'nchw';
    if (layout !== 'nchw' && layout !== 'hwc') throw new UsageError(`--layout must be nchw or hwc, got '${layout}'`);
    const overwrite = values.overwrite === true;
    checkOutput(out, clip);
    await refuseOutputOverInput(positionals[0]!, out);

    try {
      if (camera) {
        const cameraParams = cameraOptions(values);
        const outputs = [out, values['noise-map'], values['clean-out']].filter(
          (f): f is string => typeof f === 'string',
        );
        for (const f of outputs.slice(1)) await refuseOutputOverInput(positionals[0]!, f);
        if (new Set(outputs.map((f) => path.resolve(f))).size !== outputs.length)
          throw new UsageError('--out, --noise-map and --clean-out must name different files');
        // Refused before any work, so that no run leaves one output of the set written and not the others.
        const taken = overwrite ? undefined : outputs.find((f) => existsSync(f));
        if (taken)
          throw new UsageError(`${taken}: already exists (refusing to overwrite; pass --overwrite to replace it)`, 1);
        const image = await readImage(positionals[0]!, { limitInputPixels: pixelLimitOption(values) });
        const report = await writeCameraNoise(image, cameraParams, seed, {
          out,
          noiseMap: values['noise-map'] as string | undefined,
          cleanOut: values['clean-out'] as string | undefined,
          layout,
          overwrite,
        });
        if (values.json) io.out(JSON.stringify({ out, type: 'camera', seed, ...report }) + '\n');
        else {
          const p = report.pipeline;
          io.err(
            `${out}: camera noise${cameraParams.level ? `, level ${cameraParams.level}` : ''} (shot ${p.shot.toExponential(2)}, ` +
              `read ${p.read.toExponential(2)}, ${p.cfa}, ${p.demosaic}${p.jpegQuality ? `, JPEG ${p.jpegQuality}` : ''}), ` +
              `mean σ ${report.sigma_mean.toFixed(2)}, seed ${seed}\n`,
          );
        }
        return 0;
      }
      const spec = parseNoiseLevel(values.type, values.level as string);
      const image = await readImage(positionals[0]!, { limitInputPixels: pixelLimitOption(values) });
      const noisy = addNoise(image.data, image.channels, spec, new Rng(seed), { clip });
      await writeResult(withData(image, noisy), out, { layout, overwrite, float: !clip });
      if (values.json) io.out(JSON.stringify({ out, type: values.type, level: values.level, seed, clip }) + '\n');
      else io.err(`${out}: ${values.type} noise, level ${values.level}, seed ${seed}${clip ? '' : ', not clipped'}\n`);
    } catch (e) {
      throw asUsageError(e);
    }
    return 0;
  },
};

/** Refuses an output type the command cannot write (before any work). */
function checkOutput(out: string, clip: boolean): void {
  const ext = path.extname(out).toLowerCase();
  if (ext !== '.npy' && !formatFromPath(out))
    throw new UsageError(`${out}: unknown output type (use .png, .tif, .jpg, .webp, .avif or .npy)`);
  if (!clip && ext !== '.npy' && ext !== '.tif' && ext !== '.tiff')
    throw new UsageError(
      `--no-clip keeps values outside 0–255, which ${ext} (integer samples) cannot store; write .npy or .tif (32-bit float) instead`,
    );
}

/** The camera options as simulator parameters; anything not given is left to the seeded draw. */
function cameraOptions(values: Record<string, unknown>): CameraNoiseParams {
  const shot = numberOption(values, 'shot', CAMERA_RANGES.shot);
  const read = numberOption(values, 'read', CAMERA_RANGES.read);
  const jpegQuality = numberOption(values, 'jpeg-quality', CAMERA_RANGES['jpeg-quality']);
  const level = values.level as string | undefined;
  if (level === undefined && shot === undefined)
    throw new UsageError(`camera noise needs --level ${CAMERA_NOISE_LEVELS.join('|')} or --shot V`);
  if (level !== undefined && !CAMERA_NOISE_LEVELS.includes(level as CameraNoiseLevel))
    throw new UsageError(`--level for camera noise must be ${CAMERA_NOISE_LEVELS.join(', ')} (got ${level})`);
  const cfa = values.cfa === undefined ? undefined : String(values.cfa).toUpperCase();
  if (cfa !== undefined && !CFA_PATTERNS.includes(cfa as CfaPattern))
    throw new UsageError(`--cfa must be one of ${CFA_PATTERNS.join(', ')} (got ${String(values.cfa)})`);
  const demosaic = values.demosaic as string | undefined;
  if (demosaic !== undefined && !DEMOSAIC_METHODS.includes(demosaic as DemosaicMethod))
    throw new UsageError(`--demosaic must be ${DEMOSAIC_METHODS.join(' or ')} (got ${demosaic})`);
  for (const o of ['noise-map', 'clean-out'] as const) {
    const f = values[o];
    if (f === undefined) continue;
    if (o === 'noise-map' && !/\.(npy|tiff?)$/i.test(String(f)))
      throw new UsageError(`--noise-map ${String(f)}: write the map as .tif (32-bit float) or .npy`);
    if (o === 'clean-out') checkOutput(String(f), true);
  }
  return {
    ...(level !== undefined && shot === undefined ? { level: level as CameraNoiseLevel } : {}),
    ...(shot !== undefined ? { shot } : {}),
    ...(read !== undefined ? { read } : {}),
    ...(cfa !== undefined ? { cfa: cfa as CfaPattern } : {}),
    ...(demosaic !== undefined ? { demosaic: demosaic as DemosaicMethod } : {}),
    // A drawn camera saves no JPEG unless asked: the noise map describes the noise before JPEG.
    jpegQuality: jpegQuality ?? null,
  };
}

/** Runs the simulator and writes its outputs; returns what the --json report says of the noise. */
async function writeCameraNoise(
  image: Image,
  params: CameraNoiseParams,
  seed: number,
  to: { out: string; noiseMap?: string; cleanOut?: string; layout: 'nchw' | 'hwc'; overwrite: boolean },
) {
  const result = simulateCameraNoise(image, params, new Rng(seed), { clean: to.cleanOut !== undefined });
  const { pipeline, noiseMap } = result;
  const noisy = pipeline.jpegQuality ? await compressJpeg(result.noisy, pipeline.jpegQuality) : result.noisy;
  let sum = 0;
  for (let i = 0; i < noiseMap.length; i++) sum += noiseMap[i]!;
  const { overwrite, layout } = to;
  await writeResult(noisy, to.out, { layout, overwrite, float: false });
  if (to.noiseMap) {
    // The map is already on the 0–255 scale: written as is, never clipped or quantised.
    const map = { ...result.noisy, data: noiseMap.map((s) => s / 255) };
    await writeResult(map, to.noiseMap, { layout, overwrite, float: true });
  }
  if (to.cleanOut && result.clean) await writeResult(result.clean, to.cleanOut, { layout, overwrite, float: false });
  return {
    level: params.level ?? null,
    pipeline,
    sigma_mean: sum / noiseMap.length,
    ...(to.noiseMap ? { noise_map: to.noiseMap } : {}),
    ...(to.cleanOut ? { clean_out: to.cleanOut } : {}),
  };
}

/**
 * Writes `image` (values in [0, 1]) to `file`: .npy always as float32 on the 0–255 scale, .tif as
 * 32-bit float when `float`, any other format clipped and quantised by the codec.
 */
async function writeResult(
  image: Image,
  file: string,
  opts: { layout: 'nchw' | 'hwc'; overwrite: boolean; float: boolean },
): Promise<void> {
  const ext = path.extname(file).toLowerCase();
  const isNpy = ext === '.npy';
  if (!isNpy && !(opts.float && (ext === '.tif' || ext === '.tiff'))) {
    await writeImage(image, file, { onClash: opts.overwrite ? 'replace' : 'cancel' });
    return;
  }
  const { width: w, height: h, channels: c, data } = image;
  const scaled = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) scaled[i] = data[i]! * 255;
  let bytes: Buffer;
  if (isNpy) {
    if (opts.layout === 'hwc') {
      const hwc = new Float32Array(scaled.length);
      const n = w * h;
      for (let ch = 0; ch < c; ch++) for (let i = 0; i < n; i++) hwc[i * c + ch] = scaled[ch * n + i]!;
      bytes = encodeNpy(hwc, [h, w, c]);
    } else bytes = encodeNpy(scaled, [1, c, h, w]);
  } else bytes = encodeFloatTiff(scaled, w, h, c as 1 | 3);
  await writeFileAtomic(file, bytes, { overwrite: opts.overwrite });
}
