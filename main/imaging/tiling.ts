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
import { reflectIndex, type Planes } from './image.js';

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
  /**
   * Write the result over `image.data` (and return it) instead of into a new array, for callers
   * that have no more use for the photo's own pixels: a 12-MP colour photo then needs 144 MB less,
   * and on this project's machines fresh memory costs time as well (every new page is a fault).
   */
  inPlace?: boolean;
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
 * Denoises planar C×H×W data in [0, 1] tile by tile; returns a new C×H×W array, or the image's
 * own array with `inPlace`.
 */
export async function denoiseTiled(image: Planes, runner: TileRunner, opts: TilingOptions = {}): Promise<Float32Array> {
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

  // Tiles run row by row, left to right. Before tile (r, x), the tile rows above have written
  // every row up to rowsWritten, and the tiles to its left in row r every column up to colsWritten
  // (over row r's rows). In place, those pixels hold results, not the photo, yet the tile's context
  // reaches into them. It reads them from two small stores of original values instead, filled from
  // the tile (row) before it as that was cut, since a tile's input holds only original values:
  //   above: the written rows tile row r reads, every column (about overlap + blend rows);
  //   left:  the written columns tile x reads, over this tile row's input rows.
  const rowsWrittenBefore = (r: number) => (r === 0 ? 0 : Math.min(H, ys[r - 1]! + th + blend));
  const colsWrittenBefore = (x: number) => (x === 0 ? 0 : Math.min(W, xs[x - 1]! + tw + blend));
  // The written rows (columns) a tile reads: from the lowest row its context maps to (mirrored at
  // the bottom edge, a context can reach back further than its top) up to rowsWritten.
  const lowest = (start: number, n: number, span: number) => {
    let lo = n;
    for (let i = 0; i < span; i++) lo = Math.min(lo, reflectIndex(start - overlap + i, n));
    return lo;
  };
  const aboveRows = (r: number) => {
    const end = rowsWrittenBefore(r);
    return [Math.min(end, lowest(ys[r]!, H, ih)), end] as const;
  };
  const leftCols = (x: number) => {
    const end = colsWrittenBefore(x);
    return [Math.min(end, lowest(xs[x]!, W, iw)), end] as const;
  };
  // The tile (row) before must hold them unmirrored. Should a mirrored context ever reach further
  // back (none of 7,350 small geometries tried, tiles narrower than their context included, does),
  // the result goes into a new array after all, which is then what is returned.
  const unmirrored = (start: number, n: number, span: number) => [
    Math.max(0, start - overlap),
    Math.min(n, start - overlap + span),
  ];
  let inPlace = opts.inPlace === true;
  let aboveSize = 0;
  let leftSize = 0;
  for (let r = 1; inPlace && r < ys.length; r++) {
    const [lo, hi] = aboveRows(r);
    const [a, b] = unmirrored(ys[r - 1]!, H, ih);
    if (lo < hi && (lo < a! || hi > b!)) inPlace = false;
    aboveSize = Math.max(aboveSize, hi - lo);
  }
  for (let x = 1; inPlace && x < xs.length; x++) {
    const [lo, hi] = leftCols(x);
    const [a, b] = unmirrored(xs[x - 1]!, W, iw);
    if (lo < hi && (lo < a! || hi > b!)) inPlace = false;
    leftSize = Math.max(leftSize, hi - lo);
  }
  if (!inPlace) [aboveSize, leftSize] = [0, 0];
  const out = inPlace ? data : new Float32Array(C * H * W);
  let above = new Float32Array(C * aboveSize * W); // for this tile row
  let nextAbove = new Float32Array(C * aboveSize * W); // being filled for the next one
  const left = new Float32Array(C * ih * leftSize);
  const leftIndex = new Int32Array(iw);

  for (const [r, y0] of ys.entries()) {
    const [aboveTop, rowsWritten] = inPlace ? aboveRows(r) : [0, 0];
    const [nextTop, nextEnd] = inPlace && r + 1 < ys.length ? aboveRows(r + 1) : [0, 0];
    const aboveHeight = rowsWritten - aboveTop;
    const nextHeight = nextEnd - nextTop;
    for (const [x, x0] of xs.entries()) {
      await opts.checkpoint?.();
      for (let i = 0; i < iw; i++) {
        colIndex[i] = reflectIndex(x0 - overlap + i, W);
        wx[i] = rampWeight(i - overlap, tw, blend);
      }
      const [leftFrom, colsWritten] = inPlace ? leftCols(x) : [0, 0];
      const leftWidth = colsWritten - leftFrom;
      // The tile's columns that come from `left` (a run at its left edge, unless it is mirrored).
      let fromLeft = 0;
      for (let i = 0; i < iw; i++) if (colIndex[i]! < colsWritten) leftIndex[fromLeft++] = i;
      // Rows of a tile that lies inside the image across are plain copies; at the left and right
      // edges each column goes through the mirror.
      const from = x0 - overlap;
      const inside = from >= 0 && from + iw <= W;
      const cut = (plane: Float32Array, src: number, into: Float32Array, dst: number) => {
        if (inside) into.set(plane.subarray(src + from, src + from + iw), dst);
        else for (let i = 0; i < iw; i++) into[dst + i] = plane[src + colIndex[i]!]!;
      };
      for (let c = 0; c < C; c++)
        for (let j = 0; j < ih; j++) {
          const y = reflectIndex(y0 - overlap + j, H);
          const dst = (c * ih + j) * iw;
          if (y < rowsWritten) cut(above, (c * aboveHeight + y - aboveTop) * W, input, dst);
          else cut(data, c * H * W + y * W, input, dst);
          const l = (c * ih + j) * leftWidth - leftFrom;
          for (let k = 0; k < fromLeft; k++) input[dst + leftIndex[k]!] = left[l + colIndex[leftIndex[k]!]!]!;
        }
      if (map && mapTile) for (let j = 0; j < ih; j++) cut(map, reflectIndex(y0 - overlap + j, H) * W, mapTile, j * iw);
      if (inPlace) {
        // Keep the original values the next tile and the next tile row will need (see above): the
        // input just cut holds them, at the rows and columns it took without mirroring.
        if (x + 1 < xs.length) {
          const [nextFrom, nextTo] = leftCols(x + 1);
          const width = nextTo - nextFrom;
          for (let c = 0; c < C; c++)
            for (let j = 0; j < ih; j++) {
              const src = (c * ih + j) * iw + nextFrom - from;
              left.set(input.subarray(src, src + width), (c * ih + j) * width);
            }
        }
        if (nextHeight > 0) {
          const a = Math.max(0, from);
          const b = Math.min(W, from + iw);
          for (let c = 0; c < C; c++)
            for (let y = nextTop; y < nextEnd; y++) {
              const src = (c * ih + y - (y0 - overlap)) * iw + a - from;
              nextAbove.set(input.subarray(src, src + b - a), (c * nextHeight + y - nextTop) * W + a);
            }
        }
      }
      const extra = mapTile ? { sigmaMap: mapTile } : opts.sigma !== undefined ? { sigma: opts.sigma } : undefined;
      const result = await runner(input, { c: C, h: ih, w: iw }, extra);
      if (result.length !== input.length)
        throw new ImagingError(
          'bad-model',
          `the model returned ${result.length} values for a ${C}×${ih}×${iw} tile (expected the same shape back)`,
        );
      // Weighted outputs go where the weight is non-zero (core ± blend, inside the image): row by
      // row, one channel at a time, over the columns that fall inside the image, so the inner loop
      // is a plain multiply-add over contiguous memory (on a 12-MP photo this loop was a second of
      // the command's time when it tested every pixel). The weights are divided by their sums
      // here (they factorise), so no pass over the whole image is left to do after the last tile;
      // where no other tile reaches (weight 1 over a sum of 1, the tiles' interiors) the output is
      // copied as it is. The first tile to reach a pixel sets it, the others add to it: in place,
      // the pixel held the photo, not zero.
      const left0 = x0 - overlap;
      const iFrom = Math.max(0, -left0, overlap - blend);
      const iTo = Math.min(iw, W - left0, overlap + tw + blend);
      for (let i = iFrom; i < iTo; i++) wx[i] = wx[i]! / colSum[left0 + i]!;
      // The first run of columns this tile has to itself (one run: others reach in at the edges).
      let copyFrom = iFrom;
      while (copyFrom < iTo && wx[copyFrom] !== 1) copyFrom++;
      let copyTo = copyFrom;
      while (copyTo < iTo && wx[copyTo] === 1) copyTo++;
      // Columns the tiles to the left in this row reached (every row of it: they share its rows).
      const reachedFromLeft = Math.max(iFrom, Math.min(iTo, colsWrittenBefore(x) - left0));
      const reachedRows = rowsWrittenBefore(r);
      const blendSpan = (o: number, res: number, a: number, b: number, wy: number, addTo: number) => {
        const split = Math.max(a, Math.min(b, addTo));
        for (let i = a; i < split; i++) out[o + i]! += wy * wx[i]! * result[res + i]!;
        for (let i = split; i < b; i++) out[o + i] = wy * wx[i]! * result[res + i]!;
      };
      for (let j = 0; j < ih; j++) {
        const y = y0 - overlap + j;
        if (y < 0 || y >= H) continue;
        const wy = rampWeight(j - overlap, th, blend) / rowSum[y]!;
        if (wy === 0) continue;
        const copy = wy === 1 && copyFrom < copyTo;
        const addTo = y < reachedRows ? iTo : reachedFromLeft;
        for (let c = 0; c < C; c++) {
          const o = c * H * W + y * W + left0;
          const res = (c * ih + j) * iw;
          if (copy) {
            blendSpan(o, res, iFrom, copyFrom, 1, addTo);
            out.set(result.subarray(res + copyFrom, res + copyTo), o + copyFrom);
            blendSpan(o, res, copyTo, iTo, 1, addTo);
          } else blendSpan(o, res, iFrom, iTo, wy, addTo);
        }
      }
      done++;
      opts.onProgress?.(done, total);
    }
    [above, nextAbove] = [nextAbove, above];
  }
  return out;
}
