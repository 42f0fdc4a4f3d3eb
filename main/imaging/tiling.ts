// Runs a denoising model over an image of any size, one tile at a time, so that memory depends
// on the tile size and not on the photo.
//
// Layout along each axis (rows and columns alike):
//   - the image is cut into *cores* of `tile` pixels (the last one ends at the image edge);
//   - each tile fed to the model is its core plus `overlap` pixels of context on every side, taken
//     from the image or, beyond the image edge, mirrored (half-sample symmetric reflection);
//   - each tile's output counts with weight 1 on its core and a linear ramp down to 0 across the
//     first half of its context (`blend` = ⌊overlap/2⌋ pixels), so neighbouring tiles cross-fade
//     over a band of 2·blend pixels; the result is Σ w·y / Σ w, i.e. weights that sum to one.
// A pixel that gets weight from a tile is at least overlap − blend = ⌈overlap/2⌉ pixels away from
// that tile's edge, so for a model whose receptive radius is ≤ ⌈overlap/2⌉ the tiled output equals
// the whole-image output (up to float rounding). The weights are separable and the tile grid is a
// product grid, so Σ w factorises into a row profile times a column profile: no H×W weight buffer.

import { freemem } from 'node:os';
import { ImagingError } from '../../common/errors.js';
import { reflectIndex } from './image.js';

/**
 * A model run on one tile: input NCHW float32 (N = 1) in [0, 1], returns the output of the same
 * shape. For models that take a noise level: `extra.sigma`, one level for the tile, or
 * `extra.sigmaMap`, one per pixel of the tile (h×w); both on the 0–255 scale.
 */
export type TileRunner = (
  input: Float32Array,
  dims: { c: number; h: number; w: number },
  extra?: { sigma?: number; sigmaMap?: Float32Array },
) => Promise<Float32Array>;

export interface TilingOptions {
  /** Core tile size in pixels (default: chosen from memory, see chooseTileSize). */
  tile?: number;
  /** Context pixels on each side of a core; must cover the model's receptive radius twice (default 32). */
  overlap?: number;
  /** Passed to the runner (noise level, 0–255 scale). */
  sigma?: number;
  /** A noise level per pixel (H×W, 0–255 scale), cut into tiles like the image; wins over `sigma`. */
  sigmaMap?: Float32Array;
  /**
   * Tile origins are multiples of this (default 1). A model that works at a lower resolution
   * inside (stride 2: align 2) is not shift-invariant: a tile that starts on an odd pixel would see
   * the image on the other sampling grid and seams would show. Aligned, every tile agrees with the
   * whole-image result.
   */
  align?: number;
  /** Called after each tile with (tiles done, tiles in total). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Awaited before each tile: the caller's pause/cancel point (it throws to stop, waits to pause).
   * A model run cannot be interrupted, so this is as fine-grained as stopping gets.
   */
  checkpoint?: () => Promise<void>;
  /**
   * How long one model run may take, in ms, when `tile` is not given: the model's speed is measured
   * once on a small probe tile and the tile size chosen so that a run takes about this long. A
   * caller that stops between tiles (a job that can be cancelled) then stops within this time.
   */
  tileTimeMs?: number;
}

export const DEFAULT_OVERLAP = 32;

/** The smallest core tile a time budget may ask for (below this the overlap dominates the work). */
const MIN_TIMED_TILE = 64;
/** Timed tiles are whole multiples of this, so that small differences in speed give the same tile. */
const TIMED_TILE_STEP = 64;
/** Core size of the probe tile that measures a model's speed. */
const PROBE_TILE = 192;
/**
 * Measured model speed (ms per input pixel) by runner and channel count. A model is probed once
 * and the figure kept: re-measuring on every tile would let timing noise change the tile size from
 * one run to the next, and with it (slightly) the pixels of the result. Same model, same photo,
 * same tiles, same bytes.
 */
const msPerPixel = new WeakMap<TileRunner, Map<number, number>>();

/**
 * Core tile size whose model run takes about `budgetMs`: times one run of a probe tile (after a
 * warm-up run, since a session's first run allocates) and scales by the pixel count. Never below
 * MIN_TIMED_TILE nor above `maxTile`.
 */
async function tileForTime(
  runner: TileRunner,
  opts: { channels: number; overlap: number; align: number; budgetMs: number; maxTile: number; sigma?: number },
): Promise<number> {
  const { channels: c, overlap, align, budgetMs, maxTile } = opts;
  const seen = msPerPixel.get(runner) ?? new Map<number, number>();
  msPerPixel.set(runner, seen);
  let rate = seen.get(c);
  if (rate === undefined) {
    const side = Math.ceil((Math.min(PROBE_TILE, maxTile) + 2 * overlap) / align) * align;
    const probe = new Float32Array(c * side * side).fill(0.5);
    const extra = opts.sigma !== undefined ? { sigma: opts.sigma } : undefined;
    await runner(probe, { c, h: side, w: side }, extra);
    const t0 = performance.now();
    await runner(probe, { c, h: side, w: side }, extra);
    rate = Math.max(1e-9, (performance.now() - t0) / (side * side));
    seen.set(c, rate);
  }
  const core = Math.floor((Math.sqrt(budgetMs / rate) - 2 * overlap) / TIMED_TILE_STEP) * TIMED_TILE_STEP;
  return Math.max(Math.min(MIN_TIMED_TILE, maxTile), Math.min(maxTile, core));
}

/**
 * Core tile size for a memory budget. Rough model: a convolutional denoiser holds ~64 float32
 * feature maps per input channel at the tile's size (input + activations + output), so a tile
 * costs ≈ 64·4·c bytes per pixel. Budget: a quarter of free memory, at most 1 GiB. Clamped to
 * [128, 1024] and never larger than needed for the image.
 */
export function chooseTileSize(opts: {
  channels: number;
  overlap: number;
  freeBytes: number;
  imageSide?: number;
}): number {
  const budget = Math.min(opts.freeBytes / 4, 1024 ** 3);
  const bytesPerPixel = 64 * 4 * Math.max(1, opts.channels);
  const side = Math.floor(Math.sqrt(budget / bytesPerPixel)) - 2 * opts.overlap;
  let tile = Math.max(128, Math.min(1024, side));
  if (opts.imageSide !== undefined) tile = Math.min(tile, opts.imageSide);
  return Math.max(1, tile);
}

/**
 * Memory one tile takes through a convolutional denoiser, by the rough model of chooseTileSize
 * (64 float32 feature maps per channel): a core of `tile` (or the image side, if smaller) plus
 * `overlap` context pixels on every side. Lets callers refuse a tile that cannot fit before running.
 */
export function tileMemoryBytes(o: {
  width: number;
  height: number;
  channels: number;
  tile: number;
  overlap: number;
}): number {
  const side = (n: number) => Math.min(o.tile, n) + 2 * o.overlap;
  return side(o.width) * side(o.height) * 64 * 4 * Math.max(1, o.channels);
}

/**
 * Core start positions along an axis of length n: 0, t, 2t, … with the last core ending at n, or,
 * when aligned, 0, t, 2t, … only (the last core then reaches past n, into the mirrored border).
 */
function coreStarts(n: number, t: number, aligned: boolean): number[] {
  if (t >= n) return [0];
  const starts: number[] = [];
  for (let s = 0; s + t < n; s += t) starts.push(s);
  const last = starts[starts.length - 1]! + t;
  if (!aligned) starts.push(n - t);
  else if (last < n) starts.push(last);
  return starts;
}

/** Weight of a tile's output at offset `d` from its core [0, len) (d < 0 before, d ≥ len after). */
function rampWeight(d: number, len: number, blend: number): number {
  const outside = d < 0 ? -d : d >= len ? d - len + 1 : 0;
  if (outside === 0) return 1;
  return outside > blend ? 0 : 1 - outside / (blend + 1);
}

/**
 * Denoises planar C×H×W data in [0, 1] tile by tile; returns a new C×H×W array.
 */
export async function denoiseTiled(
  image: { width: number; height: number; channels: number; data: Float32Array },
  runner: TileRunner,
  opts: TilingOptions = {},
): Promise<Float32Array> {
  const { width: W, height: H, channels: C, data } = image;
  let overlap = opts.overlap ?? DEFAULT_OVERLAP;
  if (!Number.isInteger(overlap) || overlap < 0)
    throw new ImagingError('bad-option', `overlap must be a whole number ≥ 0, got ${overlap}`);
  let tile =
    opts.tile ??
    chooseTileSize({
      channels: C,
      overlap,
      freeBytes: freemem(),
      imageSide: Math.max(W, H),
    });
  if (!Number.isInteger(tile) || tile < 1)
    throw new ImagingError('bad-option', `tile must be a whole number ≥ 1, got ${tile}`);
  const align = opts.align ?? 1;
  if (!Number.isInteger(align) || align < 1)
    throw new ImagingError('bad-option', `align must be a whole number ≥ 1, got ${align}`);
  const up = (v: number) => Math.ceil(v / align) * align;
  overlap = up(overlap);
  const timed = opts.tile === undefined && opts.tileTimeMs !== undefined;
  if (timed) {
    await opts.checkpoint?.();
    tile = await tileForTime(runner, {
      channels: C,
      overlap,
      align,
      budgetMs: opts.tileTimeMs!,
      maxTile: tile,
      ...(opts.sigma !== undefined ? { sigma: opts.sigma } : opts.sigmaMap ? { sigma: 0 } : {}),
    });
  }
  const blend = Math.floor(overlap / 2);
  // A tile size the caller gave is kept. One chosen here (for memory or time) is the largest
  // allowed: the photo is cut into as many tiles as that needs across and down, of equal size, so
  // that no tile runs mostly on mirrored border (1920×1080 in 1024² tiles ran 2.2 MP of tiles for
  // 2.1 MP of photo, in 960×540 tiles 1.2 MP with the overlap).
  const side = (n: number) => (opts.tile === undefined ? Math.ceil(n / Math.ceil(n / tile)) : Math.min(tile, n));
  const tw = up(side(W));
  const th = up(side(H));
  const xs = coreStarts(W, tw, align > 1);
  const ys = coreStarts(H, th, align > 1);

  // Σ w factorises: wsum(y, x) = rowSum[y] · colSum[x].
  const rowSum = new Float64Array(H);
  const colSum = new Float64Array(W);
  for (const y0 of ys)
    for (let y = Math.max(0, y0 - blend); y < Math.min(H, y0 + th + blend); y++)
      rowSum[y]! += rampWeight(y - y0, th, blend);
  for (const x0 of xs)
    for (let x = Math.max(0, x0 - blend); x < Math.min(W, x0 + tw + blend); x++)
      colSum[x]! += rampWeight(x - x0, tw, blend);

  const out = new Float32Array(C * H * W);
  const ih = th + 2 * overlap;
  const iw = tw + 2 * overlap;
  const input = new Float32Array(C * ih * iw);
  const map = opts.sigmaMap;
  if (map && map.length !== H * W)
    throw new ImagingError('bad-option', `the noise map has ${map.length} values for a ${W}×${H} image`);
  const mapTile = map ? new Float32Array(ih * iw) : undefined;
  const colIndex = new Int32Array(iw);
  const wx = new Float32Array(iw);
  const total = xs.length * ys.length;
  let done = 0;

  for (const y0 of ys) {
    for (const x0 of xs) {
      await opts.checkpoint?.();
      for (let i = 0; i < iw; i++) {
        colIndex[i] = reflectIndex(x0 - overlap + i, W);
        wx[i] = rampWeight(i - overlap, tw, blend);
      }
      // Rows of a tile that lies inside the image across are plain copies; at the left and right
      // edges each column goes through the mirror.
      const from = x0 - overlap;
      const inside = from >= 0 && from + iw <= W;
      const cut = (plane: Float32Array, src: number, into: Float32Array, dst: number) => {
        if (inside) into.set(plane.subarray(src + from, src + from + iw), dst);
        else for (let i = 0; i < iw; i++) into[dst + i] = plane[src + colIndex[i]!]!;
      };
      for (let c = 0; c < C; c++)
        for (let j = 0; j < ih; j++)
          cut(data, c * H * W + reflectIndex(y0 - overlap + j, H) * W, input, (c * ih + j) * iw);
      if (map && mapTile) for (let j = 0; j < ih; j++) cut(map, reflectIndex(y0 - overlap + j, H) * W, mapTile, j * iw);
      const extra = mapTile ? { sigmaMap: mapTile } : opts.sigma !== undefined ? { sigma: opts.sigma } : undefined;
      const result = await runner(input, { c: C, h: ih, w: iw }, extra);
      if (result.length !== input.length)
        throw new ImagingError(
          'bad-model',
          `the model returned ${result.length} values for a ${C}×${ih}×${iw} tile (expected the same shape back)`,
        );
      // Accumulate weighted outputs where the weight is non-zero (core ± blend, inside the image):
      // row by row, one channel at a time, over the columns that fall inside the image, so the
      // inner loop is a plain multiply-add over contiguous memory (on a 12-MP photo this loop
      // was a second of the command's time when it tested every pixel). The weights are divided
      // by their sums here (they factorise), so no pass over the whole image is left to do after
      // the last tile; where no other tile reaches (weight 1 over a sum of 1, the tiles'
      // interiors) the output is copied as it is.
      const left = x0 - overlap;
      const iFrom = Math.max(0, -left, overlap - blend);
      const iTo = Math.min(iw, W - left, overlap + tw + blend);
      for (let i = iFrom; i < iTo; i++) wx[i] = wx[i]! / colSum[left + i]!;
      // The first run of columns this tile has to itself (one run: others reach in at the edges).
      let copyFrom = iFrom;
      while (copyFrom < iTo && wx[copyFrom] !== 1) copyFrom++;
      let copyTo = copyFrom;
      while (copyTo < iTo && wx[copyTo] === 1) copyTo++;
      for (let j = 0; j < ih; j++) {
        const y = y0 - overlap + j;
        if (y < 0 || y >= H) continue;
        const wy = rampWeight(j - overlap, th, blend) / rowSum[y]!;
        if (wy === 0) continue;
        const copy = wy === 1 && copyFrom < copyTo;
        for (let c = 0; c < C; c++) {
          const o = c * H * W + y * W + left;
          const r = (c * ih + j) * iw;
          if (copy) {
            for (let i = iFrom; i < copyFrom; i++) out[o + i]! += wx[i]! * result[r + i]!;
            out.set(result.subarray(r + copyFrom, r + copyTo), o + copyFrom);
            for (let i = copyTo; i < iTo; i++) out[o + i]! += wx[i]! * result[r + i]!;
          } else for (let i = iFrom; i < iTo; i++) out[o + i]! += wy * wx[i]! * result[r + i]!;
        }
      }
      done++;
      opts.onProgress?.(done, total);
    }
  }
  return out;
}
