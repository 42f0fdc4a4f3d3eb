// Blind noise levels for real photos: the noise-estimation network that ships beside a denoiser
// (CBDNet's idea; trained on the camera-pipeline simulator, see scripts/train/README.md) predicts
// the noise level of every pixel, which the non-blind denoiser then takes as its noise map.
// Camera noise depends on brightness and colour and is spatially correlated, so one σ per photo
// (the wavelet MAD estimator, which sees only the finest scale) reads it far too low.
//
// The estimator is found by name: `<model>.estimator.onnx` beside `<model>.onnx`. A model without
// one falls back to the wavelet MAD estimator, and the caller says so in one line.
//
// The network runs tile by tile (its receptive field is a few pixels, so a small overlap makes
// the tiles agree exactly), on the colour photo (a grey photo as R = G = B). Its raw reading is
// not used as it is: on texture it reads detail as noise (on clean photos its median reading was
// σ ≈ 3 and much more on texture, and a denoiser told so smooths the detail away). Camera noise is
// a function of brightness (shot noise grows with the signal), so the reading is reduced to a
// noise level function, as classic estimators do (Liu et al. 2006, lower envelope): per brightness
// bin, a low quantile of the readings (flat areas, where the reading is the noise alone), then the
// map is that curve at each pixel's local brightness.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ImagingError } from '../../../common/errors.js';
import { createExecutor } from '../../engine/exec/index.js';
import type { LoadedModel } from '../../engine/exec/executor.js';
import { Tensor } from '../../engine/ir/tensor.js';
import { cannotRead } from '../../imaging/codec.js';
import { reflectIndex, repeatPlane, type Image } from '../../imaging/image.js';
import { estimateNoiseSigma } from '../../imaging/noise-estimate.js';

/** Core tile of the estimator's runs, and the context around it (≥ its receptive radius). */
const TILE = 512;
const CONTEXT = 8;
/** Brightness bins of the noise level function. */
const BINS = 16;

/**
 * How an estimator's readings become noise levels: the readings box-averaged over
 * (2·smoothing + 1)² pixels (each reading is a noisy local guess; averaging first lets a low
 * quantile find the flat areas' level rather than the luckiest pixels), the quantile kept per
 * brightness bin, then level = max(0, (reading − offset) / gain). Measured for each shipped
 * estimator on training photos through the simulator (bench/calibrate-estimator.ts;
 * scripts/train/README.md) and stored beside it as `<model>.estimator.json`; without that file,
 * readings are taken as they are.
 */
export interface EstimatorCalibration {
  quantile: number;
  offset: number;
  gain: number;
  /** Half-width of the box average of the readings, pixels (0: none). */
  smoothing: number;
}
const UNCALIBRATED: EstimatorCalibration = { quantile: 0.25, offset: 0, gain: 1, smoothing: 0 };
/** Fewer readings than this in a bin: its level is interpolated from its neighbours. */
const MIN_PER_BIN = 64;

export interface NoiseEstimator {
  /** Noise level per pixel (H×W, 0–255 scale). */
  map(image: Image): Promise<Float32Array>;
  /** The network's own per-pixel reading, before the noise level function (for calibration). */
  raw(image: Image): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface NoiseReading {
  /** Per-pixel level (0–255), or null when the photo got one level for all (MAD fallback). */
  map: Float32Array | null;
  /** The level in one number, for people: the map's median, or the MAD estimate. */
  sigma: number;
  method: 'network' | 'wavelet-mad';
}

/** The estimator file that belongs to a model file, if it ships one. */
export function estimatorFileFor(modelFile: string): string | null {
  const file = modelFile.replace(/\.onnx$/i, '.estimator.onnx');
  return file !== modelFile && existsSync(file) ? file : null;
}

export async function openNoiseEstimator(file: string, opts: { threads?: number } = {}): Promise<NoiseEstimator> {
  const label = file;
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new ImagingError('not-found', `${label}: ${cannotRead(e)}`);
  });
  const executor = await createExecutor('ort-node', opts.threads ? { threads: opts.threads } : {});
  let session: LoadedModel;
  try {
    session = await executor.load(bytes, label);
  } catch (e) {
    throw new ImagingError(
      'bad-model',
      `${label}: cannot load the noise estimator (${(e as Error).message.split('\n')[0]})`,
    );
  }
  const input = session.inputs[0];
  const output = session.outputs[0];
  if (session.inputs.length !== 1 || !input || !output || input.shape.length !== 4 || output.shape.length !== 4)
    throw new ImagingError('bad-model', `${label}: not a noise estimator (one image in, one noise map out)`);
  if (input.shape[1] !== 3 || output.shape[1] !== 1)
    throw new ImagingError('bad-model', `${label}: a noise estimator takes a colour image and returns one map`);

  const calibration = await readCalibration(file.replace(/\.onnx$/i, '.json'));
  const runTile = async (data: Float32Array, h: number, w: number): Promise<Float32Array> => {
    const out = await session.run({ [input.name]: new Tensor('float32', [1, 3, h, w], data) }, [output.name]);
    return out[output.name]!.data as Float32Array;
  };

  const raw = async (image: Image): Promise<Float32Array> => {
    const { width: W, height: H } = image;
    const rgb = image.channels === 3 ? image.data : repeatPlane(image.data, 3);
    const reading = new Float32Array(W * H);
    for (let y0 = 0; y0 < H; y0 += TILE)
      for (let x0 = 0; x0 < W; x0 += TILE) {
        const th = Math.min(TILE, H - y0) + 2 * CONTEXT;
        const tw = Math.min(TILE, W - x0) + 2 * CONTEXT;
        const tile = new Float32Array(3 * th * tw);
        for (let c = 0; c < 3; c++)
          for (let j = 0; j < th; j++) {
            const row = c * H * W + reflectIndex(y0 - CONTEXT + j, H) * W;
            for (let i = 0; i < tw; i++) tile[(c * th + j) * tw + i] = rgb[row + reflectIndex(x0 - CONTEXT + i, W)]!;
          }
        const m = await runTile(tile, th, tw);
        for (let j = CONTEXT; j < th - CONTEXT; j++)
          for (let i = CONTEXT; i < tw - CONTEXT; i++) {
            const v = m[j * tw + i]!;
            // A broken estimator (NaN or infinite weights) must not pass for "no noise".
            if (!Number.isFinite(v))
              throw new ImagingError(
                'bad-model',
                `${label}: the noise estimator returned values that are not numbers; give --sigma, or use a model without a broken estimator beside it`,
              );
            reading[(y0 + j - CONTEXT) * W + (x0 + i - CONTEXT)] = Math.max(0, v) * 255;
          }
      }
    return reading;
  };
  return {
    raw,
    map: async (image) => {
      const { quantile, offset, gain, smoothing } = calibration;
      const reading = await raw(image);
      const smoothed = smoothing > 0 ? boxSmooth(reading, image.width, image.height, smoothing) : reading;
      const levels = levelByBrightness(smoothed, image, quantile);
      for (let i = 0; i < levels.length; i++) levels[i] = Math.max(0, (levels[i]! - offset) / gain);
      return levels;
    },
    close: () => session.dispose(),
  };
}

async function readCalibration(file: string): Promise<EstimatorCalibration> {
  if (!existsSync(file)) return UNCALIBRATED;
  const text = await readFile(file, 'utf8').catch(() => null);
  let doc: unknown;
  try {
    doc = text === null ? null : JSON.parse(text);
  } catch {
    doc = null;
  }
  const c = (doc as { calibration?: Partial<EstimatorCalibration> } | null)?.calibration;
  const ok = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && v >= lo && v <= hi;
  const smoothing = c?.smoothing ?? 0;
  if (
    !c ||
    !ok(c.quantile, 0, 1) ||
    !ok(c.offset, -50, 50) ||
    !ok(c.gain, 0.05, 20) ||
    !(Number.isInteger(smoothing) && smoothing >= 0 && smoothing <= 64)
  )
    throw new ImagingError('bad-model', `${file}: the noise estimator's calibration is missing or out of range`);
  return { quantile: c.quantile, offset: c.offset, gain: c.gain, smoothing };
}

/** A map already read (e.g. for the whole photo, cut to a preview's region) as a reading. */
export function readingOfMap(map: Float32Array): NoiseReading {
  return { map, sigma: median(map), method: 'network' };
}

/** The photo's noise level: per pixel from the estimator when there is one, else the MAD estimate. */
export async function readNoise(image: Image, estimator: NoiseEstimator | null): Promise<NoiseReading> {
  if (!estimator) return { map: null, sigma: estimateNoiseSigma(image), method: 'wavelet-mad' };
  const map = await estimator.map(image);
  return { map, sigma: median(map), method: 'network' };
}

/**
 * The noise level function of a photo from per-pixel readings: per brightness bin (local luma,
 * box-smoothed over 5×5), the `quantile` of the readings, empty bins interpolated; then the
 * level at every pixel from its brightness (linear between bin centres).
 */
export function levelByBrightness(readings: Float32Array, image: Image, quantile: number): Float32Array {
  const { width: W, height: H } = image;
  const hw = W * H;
  const luma = new Float32Array(hw);
  if (image.channels === 3)
    for (let i = 0; i < hw; i++)
      luma[i] = 0.299 * image.data[i]! + 0.587 * image.data[hw + i]! + 0.114 * image.data[2 * hw + i]!;
  else luma.set(image.data.subarray(0, hw));
  const bright = boxSmooth(luma, W, H, 2);
  const binOf = (v: number) => Math.min(BINS - 1, Math.max(0, Math.floor(v * BINS)));
  const perBin: number[][] = Array.from({ length: BINS }, () => []);
  // A strided sample keeps this fast on large photos; thousands of readings per bin are plenty.
  const step = Math.max(1, Math.floor(hw / 400_000));
  for (let i = 0; i < hw; i += step) perBin[binOf(bright[i]!)]!.push(readings[i]!);
  const curve: (number | null)[] = perBin.map((v) => {
    if (v.length < MIN_PER_BIN) return null;
    v.sort((a, b) => a - b);
    return v[Math.floor(quantile * (v.length - 1))]!;
  });
  const known = curve.flatMap((v, i) => (v === null ? [] : [i]));
  if (known.length === 0) return new Float32Array(hw).fill(median(readings));
  const filled = curve.map((v, i) => {
    if (v !== null) return v;
    const below = known.filter((k) => k < i).at(-1);
    const above = known.find((k) => k > i);
    if (below === undefined) return curve[above!]!;
    if (above === undefined) return curve[below]!;
    const t = (i - below) / (above - below);
    return (1 - t) * curve[below]! + t * curve[above]!;
  });
  const out = new Float32Array(hw);
  for (let i = 0; i < hw; i++) {
    const x = bright[i]! * BINS - 0.5;
    const k = Math.min(BINS - 2, Math.max(0, Math.floor(x)));
    const t = Math.min(1, Math.max(0, x - k));
    out[i] = (1 - t) * filled[k]! + t * filled[k + 1]!;
  }
  return out;
}

function median(values: Float32Array): number {
  // A strided sample is plenty for a number people read (and fast on 24 MP).
  const step = Math.max(1, Math.floor(values.length / 100_000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) sample.push(values[i]!);
  sample.sort((a, b) => a - b);
  return sample[sample.length >> 1] ?? 0;
}

/** Box mean of half-width r (edges mirrored), separable, by running sums. */
export function boxSmooth(plane: Float32Array, width: number, height: number, r: number): Float32Array {
  const pass = (src: Float32Array, n: number, lines: number, at: (line: number, k: number) => number) => {
    const out = new Float32Array(src.length);
    const span = 2 * r + 1;
    for (let l = 0; l < lines; l++) {
      let sum = 0;
      for (let k = -r; k <= r; k++) sum += src[at(l, reflectIndex(k, n))]!;
      for (let k = 0; k < n; k++) {
        out[at(l, k)] = sum / span;
        sum += src[at(l, reflectIndex(k + r + 1, n))]! - src[at(l, reflectIndex(k - r, n))]!;
      }
    }
    return out;
  };
  const rows = pass(plane, width, height, (y, x) => y * width + x);
  return pass(rows, height, width, (x, y) => y * width + x);
}
