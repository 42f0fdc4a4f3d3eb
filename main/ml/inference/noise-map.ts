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
// map is that curve at each pixel's local brightness. The curve's calibration is fitted on camera
// noise; white noise (the synthetic kind, whose grain is finer) gets a correction of its own,
// told apart by the photo's noise grain (imaging/noise-grain.ts).

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ImagingError } from '../../../common/errors.js';
import { floatOriginalName } from '../../../common/model/index.js';
import { createExecutor } from '../../engine/exec/index.js';
import type { LoadedModel } from '../../engine/exec/executor.js';
import { Tensor } from '../../engine/ir/tensor.js';
import { cannotRead } from '../../imaging/codec.js';
import { reflectIndex, reflectPlanes, repeatPlane, type Image, type Rect } from '../../imaging/image.js';
import { estimateNoiseSigma } from '../../imaging/noise-estimate.js';
import { noiseGrain } from '../../imaging/noise-grain.js';

/** Core tile of the estimator's runs, and the context around it (≥ its receptive radius). */
const TILE = 512;
const CONTEXT = 8;
/** Brightness bins of the noise level function. */
const BINS = 16;
/** Readings kept for the noise level function (a strided sample: thousands per bin are plenty). */
const SAMPLES = 400_000;
/** Pixels the estimator reads of a large photo, and the side of its windows (estimationWindows). */
const READ_BUDGET = 3_000_000;
const WINDOW = 256;

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
  /**
   * How much a JPEG's level is raised: by the fraction `jpeg` at quality 60, in proportion down to
   * nothing at quality `jpegKnee` and above (level × (1 + jpeg · (knee − q) / (knee − 60))).
   * Compression removes the fine grain the network reads and leaves the coarse blotches, so it
   * reads a heavily compressed JPEG's noise low; the quality comes from the file's own
   * quantisation tables (imaging/jpeg-quality.ts). Fitted for the denoiser that ships with the
   * estimator, by its PSNR (bench/calibrate-jpeg.ts). 0: none.
   */
  jpeg: number;
  jpegKnee: number;
  /**
   * How much white noise's level is lowered: the factor `white` where the photo's noise grain
   * (imaging/noise-grain.ts: 0.5 for white noise, 0.69 and above for the simulator's camera
   * noise) is at or below whiteRamp[0], rising linearly to none at whiteRamp[1]. The rest of the
   * calibration is fitted on camera noise, whose coarse grain the network reads low; white noise
   * it reads nearer its level, so the same line reads it too high and the denoiser smooths the
   * photo. Fitted for the denoiser that ships with the estimator, by its PSNR
   * (bench/calibrate-grain.ts). 1: none.
   */
  white: number;
  whiteRamp: [number, number];
}
const UNCALIBRATED: EstimatorCalibration = {
  quantile: 0.25,
  offset: 0,
  gain: 1,
  smoothing: 0,
  jpeg: 0,
  jpegKnee: 100,
  white: 1,
  whiteRamp: [0.5, 1],
};

/** The factor a calibration's JPEG correction puts on the level of a JPEG of this quality. */
export function jpegFactor(
  calibration: Pick<EstimatorCalibration, 'jpeg' | 'jpegKnee'>,
  quality: number | undefined,
): number {
  if (quality === undefined) return 1;
  const { jpeg, jpegKnee: knee } = calibration;
  return 1 + jpeg * Math.min(1, Math.max(0, knee - quality) / (knee - 60));
}

/**
 * The white-noise correction for this photo. Only for colour: it is fitted on colour photos, whose
 * white noise differs from channel to channel; a grey photo (or one whose three channels are the
 * same) shows the network one noise in all three, which it reads about right (σ 25 on a grey crop
 * read 27.6, best left as it is; on colour crops 29.9, best at × 0.8).
 */
function whiteNoiseFactor(calibration: EstimatorCalibration, image: Image): number {
  if (calibration.white >= 1 || image.channels !== 3 || greyInColour(image)) return 1;
  return grainFactor(calibration, noiseGrain(image));
}

/** Whether the three planes hold the same values (a grey photo stored as RGB). */
function greyInColour(image: Image): boolean {
  const n = image.width * image.height;
  const d = image.data;
  for (let i = 0; i < n; i++) if (d[i] !== d[n + i] || d[i] !== d[2 * n + i]) return false;
  return true;
}

/** The factor a calibration's white-noise correction puts on the level of noise of this grain. */
export function grainFactor(
  calibration: Pick<EstimatorCalibration, 'white' | 'whiteRamp'>,
  grain: number | null,
): number {
  if (grain === null) return 1;
  const {
    white,
    whiteRamp: [from, to],
  } = calibration;
  return white + (1 - white) * Math.min(1, Math.max(0, (grain - from) / (to - from)));
}
/** Fewer readings than this in a bin: its level is interpolated from its neighbours. */
const MIN_PER_BIN = 64;

export interface NoiseEstimator {
  /** Noise level per pixel (H×W, 0–255 scale). */
  map(image: Image): Promise<Float32Array>;
  /** The network's own per-pixel reading, before the noise level function (for calibration). */
  raw(image: Image): Promise<Float32Array>;
  /** The JPEG quality its map allows for on this photo (its calibration corrects JPEGs), if any. */
  jpegQualityFor(image: Image): number | undefined;
  close(): Promise<void>;
}

export interface NoiseReading {
  /** Per-pixel level (0–255), or null when the photo got one level for all (MAD fallback). */
  map: Float32Array | null;
  /** The level in one number, for people: the map's median, or the MAD estimate. */
  sigma: number;
  method: 'network' | 'wavelet-mad';
  /** The JPEG quality the level allowed for (an estimator whose calibration corrects JPEGs). */
  jpegQuality?: number;
}

/**
 * The estimator file that belongs to a model file, if it ships one. An int8 twin (`camera-int8`)
 * is the same network as its float original, so it reads noise with the original's estimator
 * (`camera.estimator.onnx`) unless one of its own is beside it.
 */
export function estimatorFileFor(modelFile: string): string | null {
  if (!/\.onnx$/i.test(modelFile)) return null;
  const dir = path.dirname(modelFile);
  const stem = path.basename(modelFile).replace(/\.onnx$/i, '');
  const names = [stem, floatOriginalName(stem)].filter((n) => n !== null);
  return names.map((n) => path.join(dir, `${n}.estimator.onnx`)).find((f) => existsSync(f)) ?? null;
}

export async function openNoiseEstimator(
  file: string,
  /** `calibration` replaces stored fields (the calibration scripts fit one part with the rest as stored). */
  opts: { threads?: number; calibration?: Partial<EstimatorCalibration> } = {},
): Promise<NoiseEstimator> {
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

  const calibration = { ...(await readCalibration(file.replace(/\.onnx$/i, '.json'))), ...opts.calibration };
  const runTile = async (data: Float32Array, h: number, w: number): Promise<Float32Array> => {
    const out = await session.run({ [input.name]: new Tensor('float32', [1, 3, h, w], data) }, [output.name]);
    return out[output.name]!.data as Float32Array;
  };
  /** The network's readings (0–255) over one window of the photo, its context reflected in. */
  const readWindow = async (rgb: Float32Array, W: number, H: number, r: Rect): Promise<Float32Array> => {
    const th = r.height + 2 * CONTEXT;
    const tw = r.width + 2 * CONTEXT;
    const tile = reflectPlanes(rgb, 3, W, H, { x: r.x - CONTEXT, y: r.y - CONTEXT, width: tw, height: th });
    const m = await runTile(tile, th, tw);
    const reading = new Float32Array(r.width * r.height);
    for (let j = 0; j < r.height; j++)
      for (let i = 0; i < r.width; i++) {
        const v = m[(j + CONTEXT) * tw + i + CONTEXT]!;
        // A broken estimator (NaN or infinite weights) must not pass for "no noise".
        if (!Number.isFinite(v))
          throw new ImagingError(
            'bad-model',
            `${label}: the noise estimator returned values that are not numbers; give --sigma, or use a model without a broken estimator beside it`,
          );
        reading[j * r.width + i] = Math.max(0, v) * 255;
      }
    return reading;
  };
  const colour = (image: Image) => (image.channels === 3 ? image.data : repeatPlane(image.data, 3));

  const raw = async (image: Image): Promise<Float32Array> => {
    const { width: W, height: H } = image;
    const rgb = colour(image);
    const reading = new Float32Array(W * H);
    for (const r of tileGrid(W, H)) {
      const part = await readWindow(rgb, W, H, r);
      for (let j = 0; j < r.height; j++)
        reading.set(part.subarray(j * r.width, (j + 1) * r.width), (r.y + j) * W + r.x);
    }
    return reading;
  };
  const jpegQualityFor = (image: Image) => (calibration.jpeg > 0 ? image.meta.jpegQuality : undefined);
  return {
    raw,
    jpegQualityFor,
    map: async (image) => {
      const { quantile, offset, gain, smoothing } = calibration;
      const factor = jpegFactor(calibration, jpegQualityFor(image)) * whiteNoiseFactor(calibration, image);
      const { width: W, height: H } = image;
      const rgb = colour(image);
      const bright = brightness(image);
      const bins = emptyBins();
      const windows = estimationWindows(W, H);
      // Each window's share of the strided sample, so that a photo read whole is sampled as before.
      const step = Math.max(1, Math.floor(windows.reduce((n, r) => n + r.width * r.height, 0) / SAMPLES));
      for (const r of windows) {
        const part = await readWindow(rgb, W, H, r);
        const reading = smoothing > 0 ? boxSmooth(part, r.width, r.height, smoothing) : part;
        for (let k = 0; k < reading.length; k += step)
          bins[binOf(bright[(r.y + Math.floor(k / r.width)) * W + r.x + (k % r.width)]!)]!.push(reading[k]!);
      }
      return levelsFromCurve(bright, levelCurve(bins, quantile), { offset, gain, factor });
    },
    close: () => session.dispose(),
  };
}

/** The estimator's tiles over a W×H photo: cores of TILE², the last ones cut at the edges. */
function tileGrid(W: number, H: number): Rect[] {
  const tiles: Rect[] = [];
  for (let y = 0; y < H; y += TILE)
    for (let x = 0; x < W; x += TILE) tiles.push({ x, y, width: Math.min(TILE, W - x), height: Math.min(TILE, H - y) });
  return tiles;
}

/**
 * Where the estimator reads a photo. The noise level function needs a sample of readings per
 * brightness, not a reading at every pixel, so a large photo is read in windows spread evenly over
 * it (one WINDOW² window at the centre of each cell of a grid) covering about READ_BUDGET pixels:
 * on a 12-MP photo that is a quarter of the network's work, and the sample still spans every part
 * of the photo. A photo up to READ_BUDGET pixels is read whole, tile by tile.
 */
export function estimationWindows(W: number, H: number): Rect[] {
  if (W * H <= READ_BUDGET) return tileGrid(W, H);
  const width = Math.min(WINDOW, W);
  const height = Math.min(WINDOW, H);
  const count = Math.floor(READ_BUDGET / (width * height));
  const clamp = (v: number, hi: number) => Math.max(1, Math.min(hi, v));
  // A grid of the photo's proportions: nx·ny ≤ count, and no more windows across than fit.
  const nx = clamp(Math.round(Math.sqrt((count * W) / H)), Math.min(count, Math.floor(W / width)));
  const ny = clamp(Math.floor(count / nx), Math.floor(H / height));
  const windows: Rect[] = [];
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const x = Math.floor(((i + 0.5) * W) / nx - width / 2);
      const y = Math.floor(((j + 0.5) * H) / ny - height / 2);
      windows.push({ x: Math.max(0, Math.min(W - width, x)), y: Math.max(0, Math.min(H - height, y)), width, height });
    }
  return windows;
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
  const jpeg = c?.jpeg ?? 0;
  const jpegKnee = c?.jpegKnee ?? 100;
  const white = c?.white ?? 1;
  const whiteRamp = c?.whiteRamp ?? UNCALIBRATED.whiteRamp;
  const rampOk =
    Array.isArray(whiteRamp) &&
    whiteRamp.length === 2 &&
    ok(whiteRamp[0], 0, 4) &&
    ok(whiteRamp[1], whiteRamp[0] + 0.01, 4);
  if (
    !c ||
    !ok(c.quantile, 0, 1) ||
    !ok(c.offset, -50, 50) ||
    !ok(c.gain, 0.05, 20) ||
    !(Number.isInteger(smoothing) && smoothing >= 0 && smoothing <= 64) ||
    !ok(jpeg, 0, 4) ||
    !ok(jpegKnee, 61, 100) ||
    !ok(white, 0.2, 1) ||
    !rampOk
  )
    throw new ImagingError('bad-model', `${file}: the noise estimator's calibration is missing or out of range`);
  return {
    quantile: c.quantile,
    offset: c.offset,
    gain: c.gain,
    smoothing,
    jpeg,
    jpegKnee,
    white,
    whiteRamp: [whiteRamp[0], whiteRamp[1]],
  };
}

/** A map already read (e.g. for the whole photo, cut to a preview's region) as a reading. */
export function readingOfMap(map: Float32Array): NoiseReading {
  return { map, sigma: median(map), method: 'network' };
}

/** The photo's noise level: per pixel from the estimator when there is one, else the MAD estimate. */
export async function readNoise(image: Image, estimator: NoiseEstimator | null): Promise<NoiseReading> {
  if (!estimator) return { map: null, sigma: estimateNoiseSigma(image), method: 'wavelet-mad' };
  const map = await estimator.map(image);
  const jpegQuality = estimator.jpegQualityFor(image);
  return { map, sigma: median(map), method: 'network', ...(jpegQuality !== undefined ? { jpegQuality } : {}) };
}

/**
 * The noise level function of a photo from per-pixel readings: per brightness bin (local luma,
 * box-smoothed over 5×5), the `quantile` of the readings, empty bins interpolated; then the
 * level at every pixel from its brightness (linear between bin centres).
 */
export function levelByBrightness(readings: Float32Array, image: Image, quantile: number): Float32Array {
  const bright = brightness(image);
  const bins = emptyBins();
  // A strided sample keeps this fast on large photos; thousands of readings per bin are plenty.
  const step = Math.max(1, Math.floor(bright.length / SAMPLES));
  for (let i = 0; i < bright.length; i += step) bins[binOf(bright[i]!)]!.push(readings[i]!);
  return levelsFromCurve(bright, levelCurve(bins, quantile));
}

/** Local brightness: luma box-smoothed over 5×5, so that the level follows areas, not grain. */
function brightness(image: Image): Float32Array {
  const { width: W, height: H } = image;
  const hw = W * H;
  const luma = new Float32Array(hw);
  if (image.channels === 3)
    for (let i = 0; i < hw; i++)
      luma[i] = 0.299 * image.data[i]! + 0.587 * image.data[hw + i]! + 0.114 * image.data[2 * hw + i]!;
  else luma.set(image.data.subarray(0, hw));
  return boxSmoothInPlace(luma, W, H, 2);
}

const emptyBins = (): number[][] => Array.from({ length: BINS }, () => []);
const binOf = (v: number) => Math.min(BINS - 1, Math.max(0, Math.floor(v * BINS)));

/** Per brightness bin, the quantile of its readings; bins with too few are interpolated. */
function levelCurve(bins: number[][], quantile: number): number[] {
  const curve: (number | null)[] = bins.map((v) => {
    if (v.length < MIN_PER_BIN) return null;
    // A typed array sorts numbers natively: a third of the time of sort((a, b) => a - b) here.
    const sorted = Float64Array.from(v).sort();
    return sorted[Math.floor(quantile * (v.length - 1))]!;
  });
  const known = curve.flatMap((v, i) => (v === null ? [] : [i]));
  // Too few readings anywhere (a tiny photo): one level, the median of them all.
  if (known.length === 0) return new Array<number>(BINS).fill(median(Float32Array.from(bins.flat())));
  return curve.map((v, i) => {
    if (v !== null) return v;
    const below = known.filter((k) => k < i).at(-1);
    const above = known.find((k) => k > i);
    if (below === undefined) return curve[above!]!;
    if (above === undefined) return curve[below]!;
    const t = (i - below) / (above - below);
    return (1 - t) * curve[below]! + t * curve[above]!;
  });
}

/**
 * The level at every pixel from its brightness, linear between bin centres, then corrected as the
 * calibration says (factor · max(0, level − offset) / gain; none by default), written over
 * `bright` (its callers have no more use for it, and a new 48 MB array costs a 12-MP photo time).
 * One pass: the correction of the level as stored (float32), as a second pass over it would.
 */
function levelsFromCurve(
  bright: Float32Array,
  curve: number[],
  correction: { offset: number; gain: number; factor: number } | null = null,
): Float32Array {
  const out = bright;
  const { offset, gain, factor } = correction ?? { offset: 0, gain: 1, factor: 1 };
  for (let i = 0; i < bright.length; i++) {
    const x = bright[i]! * BINS - 0.5;
    const k = Math.min(BINS - 2, Math.max(0, Math.floor(x)));
    const t = Math.min(1, Math.max(0, x - k));
    const level = Math.fround((1 - t) * curve[k]! + t * curve[k + 1]!);
    out[i] = correction ? (factor * Math.max(0, level - offset)) / gain : level;
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

/** Box mean of half-width r (edges mirrored) of a plane, as a new plane (see boxSmoothInPlace). */
export function boxSmooth(plane: Float32Array, width: number, height: number, r: number): Float32Array {
  return boxSmoothInPlace(plane.slice(), width, height, r);
}

/**
 * Box mean of half-width r (edges mirrored), separable, by running sums, written over `plane`:
 * along each row (from a copy of the row), then down the columns with one running sum per column,
 * so that both passes walk memory in order. The column sums still need rows already overwritten
 * (r rows back, or mirrored at the bottom edge): a ring holds the last 2r + 1 rows as they were.
 * In place, because on this project's machines fresh memory costs time (a 12-MP photo's brightness
 * took four 48 MB arrays, now one).
 */
export function boxSmoothInPlace(plane: Float32Array, width: number, height: number, r: number): Float32Array {
  const span = 2 * r + 1;
  const line = new Float32Array(width + 2 * r + 1);
  for (let y = 0; y < height; y++) {
    const at = y * width;
    for (let k = -r; k <= width + r; k++) line[k + r] = plane[at + reflectIndex(k, width)]!;
    let sum = 0;
    for (let k = 0; k < span; k++) sum += line[k]!;
    for (let x = 0; x < width; x++) {
      plane[at + x] = sum / span;
      sum += line[x + span]! - line[x]!;
    }
  }
  const sums = new Float64Array(width);
  for (let k = -r; k <= r; k++) {
    const at = reflectIndex(k, height) * width;
    for (let x = 0; x < width; x++) sums[x] = sums[x]! + plane[at + x]!;
  }
  const ring = new Float32Array(Math.min(span, height) * width);
  const slots = ring.length / width;
  // Row k as the row pass left it: still in the plane below row y, in the ring at or above it.
  const original = (k: number, y: number) => (k > y ? plane.subarray(k * width) : ring.subarray((k % slots) * width));
  for (let y = 0; y < height; y++) {
    const at = y * width;
    ring.set(plane.subarray(at, at + width), (y % slots) * width);
    const enter = original(reflectIndex(y + r + 1, height), y);
    const leave = original(reflectIndex(y - r, height), y);
    for (let x = 0; x < width; x++) {
      plane[at + x] = sums[x]! / span;
      sums[x] = sums[x]! + enter[x]! - leave[x]!;
    }
  }
  return plane;
}
