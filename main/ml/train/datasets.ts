// Training data: where clean samples come from. Three sources, two shapes of dataset:
//   SampleDataset  N whole samples of one shape (a .npy array, the built-in digits), with labels
//                  when there are any
//   PatchDataset   random square crops of a set of images (a folder of photos, or a .npy array of
//                  images with --patch), with optional flips/rotations (the 8 symmetries of the square)
// Corruption (noise) is not the dataset's job: the trainer adds it on the fly to each batch.
// All randomness (which image, where, which symmetry) comes from the Rng the trainer passes in.

import { AppError } from '../../../common/errors.js';
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import type { Rng } from '../../../common/rng.js';
import { readNpy } from '../../files/npy.js';
import { readImage } from '../../imaging/codec.js';
import { ImagingError } from '../../../common/errors.js';
import { IMAGE_EXTENSIONS, listImageFiles } from '../../imaging/image-files.js';
import { luma } from '../../imaging/image.js';
import { assetsDir } from '../../files/app-paths.js';

export class DatasetError extends AppError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

/** A file left out of a dataset, and why (a message naming the file, for the user). */
export interface SkippedFile {
  name: string;
  reason: string;
}

export interface Dataset {
  /** For messages and model cards ("digits (1,797 × 64)", "photos/ (12 images, 48×48 patches)"). */
  readonly description: string;
  /** Shape of one sample: [D] or [C, H, W]. */
  readonly sampleShape: readonly number[];
  /** Samples per epoch. */
  readonly length: number;
  /** Class of each sample (digits), when known. */
  readonly labels?: Int32Array;
  /** Files of the source that could not be read and were left out (image folders). */
  readonly skipped?: readonly SkippedFile[];
  /** Writes sample `index` (0 ≤ index < length) into `out`; random choices draw from `rng`. */
  sample(index: number, out: Float32Array, rng: Rng): void;
}

function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** N whole samples stored back to back. */
export class SampleDataset implements Dataset {
  readonly length: number;
  private readonly size: number;

  constructor(
    readonly description: string,
    readonly sampleShape: readonly number[],
    private readonly data: Float32Array,
    readonly labels?: Int32Array,
  ) {
    this.size = sizeOfShape(sampleShape);
    if (this.size === 0 || data.length % this.size !== 0)
      throw new DatasetError(
        `${description}: ${data.length} values do not split into samples of shape [${sampleShape.join(', ')}]`,
      );
    this.length = data.length / this.size;
    if (labels && labels.length !== this.length)
      throw new DatasetError(`${description}: ${labels.length} labels for ${this.length} samples`);
  }

  sample(index: number, out: Float32Array): void {
    out.set(this.data.subarray(index * this.size, (index + 1) * this.size));
  }

  /** The same samples viewed with another shape of equal size (e.g. 64 → 1×8×8 for conv nets). */
  reshaped(shape: readonly number[]): SampleDataset {
    if (sizeOfShape(shape) !== this.size)
      throw new DatasetError(
        `${this.description}: cannot view samples of shape [${this.sampleShape.join(', ')}] as [${shape.join(', ')}]`,
      );
    return new SampleDataset(this.description, shape, this.data, this.labels);
  }

  /** A subset by sample indices (train/validation/test splits). */
  subset(indices: ArrayLike<number>, description = this.description): SampleDataset {
    const data = new Float32Array(indices.length * this.size);
    const labels = this.labels ? new Int32Array(indices.length) : undefined;
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i]!;
      data.set(this.data.subarray(j * this.size, (j + 1) * this.size), i * this.size);
      if (labels) labels[i] = this.labels![j]!;
    }
    return new SampleDataset(description, this.sampleShape, data, labels);
  }

  /** All samples as one [N, ...sampleShape] array (evaluation batches). */
  get all(): Float32Array {
    return this.data;
  }
}

/** One planar C×H×W image. */
export interface PlanarImage {
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

/** Random patch × patch crops of a set of images, drawn in proportion to image area. */
export class PatchDataset implements Dataset {
  readonly sampleShape: readonly number[];
  readonly length: number;
  private readonly cumulative: number[] = [];

  constructor(
    readonly description: string,
    private readonly images: readonly PlanarImage[],
    private readonly patch: number,
    private readonly augment: boolean,
    length?: number,
    readonly skipped: readonly SkippedFile[] = [],
  ) {
    if (images.length === 0) throw new DatasetError(`${description}: no images`);
    if (!Number.isInteger(patch) || patch < 1)
      throw new DatasetError(`patch size must be a positive integer, got ${patch}`);
    const channels = images[0]!.channels;
    let total = 0;
    let tiles = 0;
    for (const im of images) {
      if (im.channels !== channels)
        throw new DatasetError(`${description}: images mix ${channels} and ${im.channels} channels`);
      if (im.height < patch || im.width < patch)
        throw new DatasetError(
          `${description}: an image of ${im.width}×${im.height} is smaller than the ${patch}×${patch} patch`,
        );
      total += (im.height - patch + 1) * (im.width - patch + 1);
      this.cumulative.push(total);
      tiles += Math.floor(im.height / patch) * Math.floor(im.width / patch);
    }
    this.sampleShape = [channels, patch, patch];
    // One epoch = as many patches as tile the images without overlap.
    this.length = length ?? tiles;
  }

  sample(_index: number, out: Float32Array, rng: Rng): void {
    const total = this.cumulative[this.cumulative.length - 1]!;
    const r = rng.int(total);
    let k = 0;
    while (this.cumulative[k]! <= r) k++;
    const im = this.images[k]!;
    const p = this.patch;
    const y0 = rng.int(im.height - p + 1);
    const x0 = rng.int(im.width - p + 1);
    const t = this.augment ? rng.int(8) : 0;
    const plane = im.height * im.width;
    for (let c = 0; c < im.channels; c++) {
      for (let y = 0; y < p; y++) {
        for (let x = 0; x < p; x++) {
          // Symmetry t of the square: bit 2 transposes, bit 1 flips rows, bit 0 flips columns.
          let sy = t & 4 ? x : y;
          let sx = t & 4 ? y : x;
          if (t & 2) sy = p - 1 - sy;
          if (t & 1) sx = p - 1 - sx;
          out[c * p * p + y * p + x] = im.data[c * plane + (y0 + sy) * im.width + (x0 + sx)]!;
        }
      }
    }
  }
}

// ---- sources ----------------------------------------------------------------------------------

export const DIGITS_FILE = path.join(assetsDir, 'digits', 'digits.csv.gz');

/** The built-in 8×8 digits: pixels 0–16 scaled to [0, 1], shape [64], labels 0–9. */
export async function loadDigits(file = DIGITS_FILE): Promise<SampleDataset> {
  let text: string;
  try {
    text = gunzipSync(await readFile(file)).toString('utf8');
  } catch (e) {
    throw new DatasetError(`${file}: cannot read the digits (${(e as Error).message})`);
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const data = new Float32Array(lines.length * 64);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, i) => {
    const v = line.split(',').map(Number);
    if (v.length !== 65 || v.some((x) => !Number.isInteger(x) || x < 0 || x > 16))
      throw new DatasetError(`${file}: line ${i + 1} is not 64 pixels in 0–16 and a label`);
    for (let j = 0; j < 64; j++) data[i * 64 + j] = v[j]! / 16;
    labels[i] = v[64]!;
  });
  return new SampleDataset(`digits (${lines.length} × 8×8)`, [64], data, labels);
}

/** Deterministic split of the digits: every 5th sample is held out for testing (≈ 20 %, all classes). */
export function splitEveryKth(ds: SampleDataset, k = 5): { train: SampleDataset; test: SampleDataset } {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < ds.length; i++) (i % k === k - 1 ? test : train).push(i);
  return { train: ds.subset(train, `${ds.description}, train`), test: ds.subset(test, `${ds.description}, test`) };
}

export interface NpyOptions {
  /** Random patch × patch crops instead of whole samples (N×C×H×W or N×H×W arrays only). */
  patch?: number;
  /** Flips/rotations of the crops. */
  augment?: boolean;
}

/**
 * A float32/float64 .npy array on a [0, 1] scale: N×D (vectors), N×H×W (grey images) or
 * N×C×H×W. Samples are taken whole unless `patch` asks for random crops.
 */
export async function loadNpyDataset(file: string, opts: NpyOptions = {}): Promise<Dataset> {
  let arr;
  try {
    arr = await readNpy(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(code === 'ENOENT' ? `${file}: no such file` : (e as Error).message);
  }
  if (arr.dtype === 'uint8')
    throw new DatasetError(`${file}: uint8 data; training .npy files must be float32 (or float64) on a [0, 1] scale`);
  if (arr.shape.length < 2 || arr.shape.length > 4)
    throw new DatasetError(`${file}: shape (${arr.shape.join(', ')}) is not N×D, N×H×W or N×C×H×W`);
  const n = arr.shape[0]!;
  if (n === 0 || arr.data.length === 0) throw new DatasetError(`${file}: the array holds no samples`);
  const data = arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data);
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v))
      throw new DatasetError(`${file}: value ${v} at flat index ${i}; training data must be finite`);
    if (v > max) max = v;
  }
  if (max > 2)
    throw new DatasetError(
      `${file}: values up to ${max}; .npy training data must be on a [0, 1] scale (divide 8-bit data by 255)`,
    );
  const sample = arr.shape.length === 3 ? [1, arr.shape[1]!, arr.shape[2]!] : arr.shape.slice(1);
  const name = `${path.basename(file)} (${arr.shape.join('×')})`;
  if (opts.patch === undefined) return new SampleDataset(name, sample, data);
  if (sample.length !== 3)
    throw new DatasetError(
      `${file}: --patch needs images (N×H×W or N×C×H×W), not vectors of shape (${arr.shape.join(', ')})`,
    );
  const [c, h, w] = sample as [number, number, number];
  const images: PlanarImage[] = [];
  for (let i = 0; i < n; i++)
    images.push({ channels: c, height: h, width: w, data: data.subarray(i * c * h * w, (i + 1) * c * h * w) });
  return new PatchDataset(`${name}, ${opts.patch}×${opts.patch} patches`, images, opts.patch, opts.augment ?? false);
}

export interface FolderOptions {
  patch: number;
  /** 1: grey (BT.601 luma of colour photos); 3: RGB (grey photos repeated). */
  channels: 1 | 3;
  /** Flips/rotations (default true). */
  augment?: boolean;
  /** Folders the photos must lie in once links are followed (the app's shared folders; see codec.ts). */
  within?: readonly string[];
}

/**
 * Every image file in a folder (not recursive, sorted by name, symbolic links followed as in batch
 * denoising: imaging/image-files.ts), cut into random patches. One unreadable photo in a folder of
 * hundreds should not cost the run: files that do not decode (corrupt, truncated, empty,
 * unsupported, too large) are left out and listed in `skipped`; the folder fails only when none is
 * left.
 */
export async function loadImageFolder(folder: string, opts: FolderOptions): Promise<PatchDataset> {
  const st = await stat(folder).catch(() => undefined);
  if (!st) throw new DatasetError(`${folder}: no such folder`);
  if (!st.isDirectory()) throw new DatasetError(`${folder}: not a folder`);
  const names = await listImageFiles(folder, { recursive: false });
  if (names.length === 0) throw new DatasetError(`${folder}: no image files (${IMAGE_EXTENSIONS.join(', ')})`);
  const images: PlanarImage[] = [];
  const skipped: SkippedFile[] = [];
  for (const name of names) {
    let im;
    try {
      im = await readImage(path.join(folder, name), opts.within ? { within: opts.within } : {});
    } catch (e) {
      if (!(e instanceof ImagingError)) throw e;
      skipped.push({ name, reason: (e as Error).message });
      continue;
    }
    const n = im.width * im.height;
    let data: Float32Array;
    if (opts.channels === 1) data = luma(im);
    else if (im.channels === 3) data = im.data;
    else {
      data = new Float32Array(3 * n);
      for (let c = 0; c < 3; c++) data.set(im.data.subarray(0, n), c * n);
    }
    images.push({ channels: opts.channels, height: im.height, width: im.width, data });
  }
  if (images.length === 0)
    throw new DatasetError(
      `${folder}: none of its ${names.length} image file${names.length === 1 ? '' : 's'} could be read (${skipped[0]!.reason})`,
    );
  const left = skipped.length ? `; ${skipped.length} unreadable skipped` : '';
  const description = `${path.basename(path.resolve(folder))}/ (${images.length} image${images.length === 1 ? '' : 's'}, ${opts.patch}×${opts.patch} patches${left})`;
  return new PatchDataset(description, images, opts.patch, opts.augment ?? true, undefined, skipped);
}

/**
 * The same samples under another shape of equal size: digits (64) as 1×8×8 images for conv nets,
 * or 1×8×8 patches as 64-vectors for dense nets.
 */
export function withSampleShape(ds: Dataset, shape: readonly number[]): Dataset {
  if (shape.length === ds.sampleShape.length && shape.every((d, i) => d === ds.sampleShape[i])) return ds;
  if (ds instanceof SampleDataset) return ds.reshaped(shape);
  if (sizeOfShape(shape) !== sizeOfShape(ds.sampleShape))
    throw new DatasetError(
      `${ds.description}: samples of shape [${ds.sampleShape.join(', ')}] cannot be fed as [${shape.join(', ')}]`,
    );
  return {
    description: ds.description,
    sampleShape: shape,
    length: ds.length,
    ...(ds.skipped ? { skipped: ds.skipped } : {}),
    sample: (i, out, rng) => ds.sample(i, out, rng),
  };
}
