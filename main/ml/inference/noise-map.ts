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
// the tiles agree exactly), on the colour photo (a grey photo as R = G = B), and its map is then
// smoothed with a box filter: the level varies with brightness, slowly, while the network's
// per-pixel reading carries its own estimation noise.

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
/** Half-width of the box that smooths the map, in pixels. */
const SMOOTH_RADIUS = 8;

export interface NoiseEstimator {
  /** Noise level per pixel (H×W, 0–255 scale). */
  map(image: Image): Promise<Float32Array>;
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

  const runTile = async (data: Float32Array, h: number, w: number): Promise<Float32Array> => {
    const out = await session.run({ [input.name]: new Tensor('float32', [1, 3, h, w], data) }, [output.name]);
    return out[output.name]!.data as Float32Array;
  };

  return {
    async map(image) {
      const { width: W, height: H } = image;
      const rgb = image.channels === 3 ? image.data : repeatPlane(image.data, 3);
      const raw = new Float32Array(W * H);
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
              raw[(y0 + j - CONTEXT) * W + (x0 + i - CONTEXT)] = Number.isFinite(v) ? Math.max(0, v) * 255 : 0;
            }
        }
      return boxSmooth(raw, W, H, SMOOTH_RADIUS);
    },
    close: () => session.dispose(),
  };
}

/** The photo's noise level: per pixel from the estimator when there is one, else the MAD estimate. */
export async function readNoise(image: Image, estimator: NoiseEstimator | null): Promise<NoiseReading> {
  if (!estimator) return { map: null, sigma: estimateNoiseSigma(image), method: 'wavelet-mad' };
  const map = await estimator.map(image);
  return { map, sigma: median(map), method: 'network' };
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
