// `denoise-lab denoise <input…> --out <file|folder> [--model …] [--fast] [--sigma N] [--tile N] [--json]`:
// denoises photos and folders of photos through an ONNX model, tile by tile.
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import path from 'node:path';
import { type Command, UsageError } from '../command.js';
import { modelsDir } from '../../files/app-paths.js';
import { DEFAULT_MODEL_FILE } from '../../service/models.js';
import { planBatch } from '../../imaging/batch.js';
import { readImage, writeImage, formatFromPath } from '../../imaging/codec.js';
import { denoiseImage } from '../../ml/inference/denoise.js';
import { isMetadataMode, METADATA_MODES, startMetadataTool } from '../../imaging/metadata.js';
import { openOnnxModel } from '../../ml/inference/onnx-runner.js';
import { estimatorFileFor, openNoiseEstimator } from '../../ml/inference/noise-map.js';
import { chooseTileSize, DEFAULT_OVERLAP, tileMemoryBytes } from '../../imaging/tiling.js';
import { CONTROL_RANGES } from '../../imaging/denoise-controls.js';
import { isNameTaken } from '../../files/clash.js';
import { ImagingError } from '../../../common/errors.js';
import { int8TwinName } from '../../../common/model/index.js';
import type { Image } from '../../imaging/image.js';
import {
  asUsageError,
  numberOption,
  pixelLimitOption,
  RANGES,
  refuseOutputOverInput,
  type NumberRange,
} from '../options.js';

/** σ on the 0–255 scale; the tile and its context are bounded so that one tile fits in memory. */
const SIGMA: NumberRange = { min: 0, max: 255 };
const TILE: NumberRange = { min: 8, max: 8192, integer: true };
const OVERLAP: NumberRange = { min: 0, max: 256, integer: true };

interface Job {
  input: string;
  output: string;
}

interface FileResult {
  input: string;
  output: string;
  ok: boolean;
  ms: number;
  width?: number;
  height?: number;
  sigma?: number;
  sigma_source?: 'given' | 'estimated';
  /** How an estimated level was read: per pixel by the model's estimator, or the wavelet MAD estimate. */
  estimator?: 'network' | 'wavelet-mad';
  /** The noise level the model was told: σ × strength (the map's median, for a per-pixel map). */
  model_sigma?: number;
  /** The source JPEG's quality, when the estimator's level allowed for its compression. */
  jpeg_quality?: number;
  error?: string;
}

/**
 * Refuses a --tile/--overlap whose tile would need more than half of this machine's memory for
 * this image (the ranges alone allow 8704² tiles: tens of GB). Defaults are sized to free memory.
 */
function checkTileFits(image: Image, tile: number | undefined, overlap: number | undefined): void {
  if (tile === undefined && overlap === undefined) return;
  const ov = overlap ?? DEFAULT_OVERLAP;
  const { width, height, channels } = image;
  const t = tile ?? chooseTileSize({ channels, overlap: ov, freeBytes: freemem(), imageSide: Math.max(width, height) });
  const bytes = tileMemoryBytes({ width, height, channels, tile: t, overlap: ov });
  if (bytes > totalmem() / 2)
    throw new ImagingError(
      'bad-option',
      `${image.meta.source ?? 'image'}: --tile ${t} with --overlap ${ov} needs about ${(bytes / 2 ** 30).toFixed(1)} GB ` +
        `for this ${width}×${height} image, more than half of this machine's memory; use a smaller --tile or --overlap`,
    );
}

/**
 * --model: a .onnx path, or a name looked up as models/<name>.onnx; default models/default.onnx.
 * With --fast, the model's int8 twin beside it (models/default-int8.onnx).
 */
function resolveModel(value: unknown, fast: boolean): string {
  const file = resolveFloatModel(value);
  if (!fast) return file;
  const stem = path.basename(file, path.extname(file));
  const twin = path.join(path.dirname(file), `${int8TwinName(stem)}.onnx`);
  if (!existsSync(twin))
    throw new UsageError(
      `--fast: ${stem} has no int8 twin (${path.basename(twin)} beside it); leave out --fast, or use --model default`,
    );
  return twin;
}

function resolveFloatModel(value: unknown): string {
  if (typeof value === 'string' && value) {
    if (value.endsWith('.onnx') || value.includes('/') || value.includes(path.sep)) {
      if (!existsSync(value)) throw new UsageError(`--model ${value}: no such file`);
      return value;
    }
    const named = path.join(modelsDir, `${value}.onnx`);
    if (!existsSync(named)) throw new UsageError(`--model ${value}: no model named '${value}' in ${modelsDir}`);
    return named;
  }
  const shipped = path.join(modelsDir, DEFAULT_MODEL_FILE);
  if (!existsSync(shipped))
    throw new UsageError(`no model given and no shipped model at ${shipped}; pass --model <file.onnx>`);
  return shipped;
}

/** `{ [name]: value }` when the value was given, else nothing (for spreading into options). */
function optional<K extends string>(name: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, number>);
}

/** Maps inputs to outputs: a single file to --out as a file (if it names an image), else into the folder --out. */
async function planJobs(inputs: string[], out: string): Promise<Job[]> {
  const outStat = await stat(out).catch(() => undefined);
  const single = inputs.length === 1 ? await stat(inputs[0]!).catch(() => undefined) : undefined;
  if (single && !single.isDirectory() && !outStat?.isDirectory() && formatFromPath(out))
    return [{ input: inputs[0]!, output: out }];
  if (outStat && !outStat.isDirectory()) throw new UsageError(`--out ${out}: exists and is not a folder`);
  return planBatch(inputs, out);
}

export const denoiseCommand: Command = {
  name: 'denoise',
  summary: 'denoise photos or folders of photos with an ONNX model',
  usage: `Usage: denoise-lab denoise <input…> --out <file|folder> [--model <name|file.onnx>] [--fast] [--sigma N]
                             [--strength S] [--luminance F] [--chroma F] [--detail F]
                             [--tile N] [--overlap N] [--json] [--overwrite]

Inputs are image files or folders (searched recursively; the folder structure is kept under
--out). One input file and an --out with an image extension writes that file; otherwise --out is
a folder (created if needed). Outputs keep the input's format and bit depth (GIF becomes PNG),
its alpha and all its metadata (see --metadata). A file that fails is reported and the batch goes on; the exit
code is 1 if any file failed.

  --model <m>          a .onnx file, or a name in models/ (default: models/default.onnx)
  --fast               the model's int8 twin (default-int8, camera-int8): a 12-MP photo in
                       1.5–2.2× less time on CPUs with int8 dot products (AVX512-VNNI,
                       AVX-VNNI), 0.02–0.24 dB less PSNR; a model without a twin is refused
  --sigma N            noise level, 0–255, fed to models with a noise-level input; without it
                       the level is read from each photo, per pixel, by the model's noise
                       estimator (<model>.estimator.onnx beside it; else the wavelet MAD estimate)
  --strength S         multiplies the noise level the model is told, 0–4 (default 1: as given or
                       estimated; lower keeps more texture and noise, higher smooths more)
  --luminance F        fraction of the luminance noise removal kept, 0–1 (default 1)
  --chroma F           fraction of the colour noise removal kept, 0–1 (default 1)
  --detail F           fraction of the removed fine detail given back, 0–1 (default 0)
  --tile N             tile size in pixels, 8–8192 (default: from free memory)
  --overlap N          context pixels around each tile, 0–256 (default ${DEFAULT_OVERLAP}; ≥ 2× the
                       receptive radius)
  --threads N          CPU threads for inference, 1–64 (default: onnxruntime's choice)
  --json               one JSON document with per-file results on stdout
  --overwrite          replace existing output files
  --keep-both          keep existing output files; new ones get numbered names ("photo (2).png")
  --metadata <m>       keep (default: EXIF with GPS and maker notes, XMP, IPTC, colour profile),
                       no-gps (all but the location) or strip (none); orientation is reset to 1
  --max-megapixels N   refuse larger inputs, 0.001–10000 (default 200)`,
  options: {
    out: { type: 'string' },
    model: { type: 'string' },
    fast: { type: 'boolean' },
    sigma: { type: 'string' },
    strength: { type: 'string' },
    luminance: { type: 'string' },
    chroma: { type: 'string' },
    detail: { type: 'string' },
    tile: { type: 'string' },
    overlap: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'boolean' },
    overwrite: { type: 'boolean' },
    'keep-both': { type: 'boolean' },
    metadata: { type: 'string' },
    'max-megapixels': { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError('expected at least one input file or folder');
    const out = values.out;
    if (typeof out !== 'string' || !out) throw new UsageError('--out <file|folder> is required');
    const sigma = numberOption(values, 'sigma', SIGMA);
    const strength = numberOption(values, 'strength', CONTROL_RANGES.strength);
    const controls = {
      ...optional('luminance', numberOption(values, 'luminance', CONTROL_RANGES.luminance)),
      ...optional('chroma', numberOption(values, 'chroma', CONTROL_RANGES.chroma)),
      ...optional('detail', numberOption(values, 'detail', CONTROL_RANGES.detail)),
    };
    const tile = numberOption(values, 'tile', TILE);
    const overlap = numberOption(values, 'overlap', OVERLAP);
    const threads = numberOption(values, 'threads', RANGES.threads);
    const limitInputPixels = pixelLimitOption(values);
    const modelPath = resolveModel(values.model, values.fast === true);
    const json = values.json === true;
    if (values.overwrite === true && values['keep-both'] === true)
      throw new UsageError('give one of --overwrite and --keep-both');
    const onClash = values.overwrite === true ? 'replace' : values['keep-both'] === true ? 'keep-both' : 'cancel';
    const metadata = values.metadata ?? 'keep';
    if (!isMetadataMode(metadata))
      throw new UsageError(`--metadata ${String(metadata)}: expected one of ${METADATA_MODES.join(', ')}`);

    const jobs = await planJobs(positionals, out);
    if (jobs.length === 0) throw new UsageError('no image files found in the given folders');
    for (const job of jobs) await refuseOutputOverInput(job.input, job.output);
    // Every written photo copies its source's metadata with ExifTool: start it (and its first
    // write, on the first photo's metadata) beside the work.
    if (metadata !== 'strip') startMetadataTool(jobs[0]!.input);
    const model = await openOnnxModel(modelPath, threads ? { threads } : {});
    const estimatorFile = model.takesSigma && sigma === undefined ? estimatorFileFor(modelPath) : null;
    const estimator = estimatorFile ? await openNoiseEstimator(estimatorFile, threads ? { threads } : {}) : null;
    if (model.takesSigma && sigma === undefined && !estimator)
      io.err(
        `denoise-lab denoise: note: ${path.basename(modelPath)} has no noise estimator beside it; using the wavelet estimate, which reads camera noise low (give --sigma or --strength to adjust)\n`,
      );
    const results: FileResult[] = [];
    const planned = new Set<string>();
    // The sessions' working memory (several hundred MB for a 1024² tile) is not needed once the
    // last photo is denoised: released before it is encoded, it keeps the peak down on big photos.
    let open = true;
    const release = async () => {
      if (!open) return;
      open = false;
      await model.close();
      await estimator?.close();
    };
    try {
      for (const [index, job] of jobs.entries()) {
        const started = performance.now();
        const result: FileResult = { input: job.input, output: job.output, ok: false, ms: 0 };
        try {
          const key = path.resolve(job.output);
          if (planned.has(key)) throw new Error(`${job.output}: another input already writes this output`);
          planned.add(key);
          // Refused before the photo is read and denoised (the write itself checks again, atomically).
          if (onClash === 'cancel' && existsSync(job.output)) throw new Error(alreadyExists(job.output));
          const image = await readImage(job.input, { limitInputPixels });
          checkTileFits(image, tile, overlap);
          const opts: Parameters<typeof denoiseImage>[2] = {};
          if (sigma !== undefined) opts.sigma = sigma;
          if (tile !== undefined) opts.tile = tile;
          if (overlap !== undefined) opts.overlap = overlap;
          if (strength !== undefined) opts.strength = strength;
          opts.controls = controls;
          opts.estimator = estimator;
          opts.inPlace = true; // nothing reads the noisy pixels after the model
          const done = await denoiseImage(image, model, opts);
          if (index === jobs.length - 1) await release();
          await mkdir(path.dirname(job.output), { recursive: true });
          result.output = await writeImage(done.image, job.output, { onClash, metadata });
          Object.assign(result, {
            ok: true,
            width: image.width,
            height: image.height,
            sigma: Math.round(done.sigma * 1000) / 1000,
            sigma_source: done.sigmaSource,
            ...(done.estimator ? { estimator: done.estimator } : {}),
            ...(done.jpegQuality !== undefined ? { jpeg_quality: done.jpegQuality } : {}),
            model_sigma: Math.round(done.sigma * (strength ?? 1) * 1000) / 1000,
          });
        } catch (e) {
          const err = asUsageError(e) as Error;
          result.error = isNameTaken(e) ? alreadyExists(job.output) : err.message;
        }
        result.ms = Math.round(performance.now() - started);
        results.push(result);
        if (result.ok)
          io.err(
            `${job.input} → ${result.output}  ${result.width}×${result.height}  σ ${result.sigma} (${result.sigma_source}${result.jpeg_quality ? `, allowing for JPEG quality ${Math.round(result.jpeg_quality)}` : ''})  ${result.ms} ms\n`,
          );
        else io.err(`denoise-lab denoise: ${result.error}\n`);
      }
    } finally {
      await release();
    }
    const failed = results.filter((r) => !r.ok).length;
    if (json)
      io.out(JSON.stringify({ model: modelPath, files: results, succeeded: results.length - failed, failed }) + '\n');
    else if (results.length > 1)
      io.err(`${results.length - failed} of ${results.length} files denoised${failed ? `, ${failed} failed` : ''}\n`);
    return failed ? 1 : 0;
  },
};

const alreadyExists = (output: string) =>
  `${output}: already exists; add --overwrite to replace it or --keep-both to keep both`;
