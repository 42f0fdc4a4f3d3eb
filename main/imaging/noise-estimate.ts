// Blind estimate of the standard deviation of additive white Gaussian noise, used by `denoise`
// when no --sigma is given (models with a noise-level input need one).
//
// Method: Donoho & Johnstone's robust median estimator on the finest diagonal wavelet subband,
// as scikit-image's `estimate_sigma`: σ = median(|HH|) / 0.6745, with HH the level-1 diagonal
// detail of a Daubechies-2 transform. An orthonormal wavelet maps white noise of std σ to
// coefficients of std σ, while most image content (smooth areas and straight edges) barely
// reaches the diagonal subband; the median ignores the few coefficients it does reach. For
// colour images the channel estimates are averaged. Coefficients are taken only where the 4×4
// filter lies inside the image (no boundary extension), so borders add no false detail.
// Textured images are over-estimated somewhat; clipped (saturated) areas under-estimate.

import type { Planes } from './image.js';

/** Daubechies-2 decomposition high-pass filter (pywt `Wavelet('db2').dec_hi`). */
const DB2_HI = [-0.48296291314469025, 0.836516303737469, -0.22414386804185735, -0.12940952255092145] as const;
const MAD_TO_SIGMA = 0.6744897501960817; // Φ⁻¹(3/4): median |N(0,1)|

/** Rows and columns of the level-1 subband of an H×W plane: the 4×4 filter's positions inside it. */
function subband(width: number, height: number): { ch: number; cw: number } {
  return { ch: Math.max(0, Math.floor((height - 4) / 2) + 1), cw: Math.max(0, Math.floor((width - 4) / 2) + 1) };
}

/**
 * σ of one H×W plane, on the plane's own scale. `scratch`, if given (at least the subband's size),
 * holds the coefficients instead of a new array: a 12-MP photo's three planes then share one.
 */
export function estimateSigmaPlane(
  plane: Float32Array | Float64Array,
  width: number,
  height: number,
  scratch?: Float32Array,
): number {
  const { ch, cw } = subband(width, height);
  if (ch === 0 || cw === 0) return 0;
  // Rows first (high-pass along x, decimated), then along y. Output row i reads filtered rows
  // 2i … 2i + 3, so four of them in a ring suffice, each filtered once (rows 2i + 2 and 2i + 3
  // serve output row i + 1 as well).
  const ring = new Float64Array(4 * cw);
  const rowHi = (y: number) => {
    const out = ring.subarray((y % 4) * cw, ((y % 4) + 1) * cw);
    const r = y * width;
    for (let j = 0; j < cw; j++) {
      const x = r + 2 * j;
      out[j] =
        DB2_HI[0] * plane[x]! + DB2_HI[1] * plane[x + 1]! + DB2_HI[2] * plane[x + 2]! + DB2_HI[3] * plane[x + 3]!;
    }
    return out;
  };
  const hh = scratch && scratch.length >= ch * cw ? scratch.subarray(0, ch * cw) : new Float32Array(ch * cw);
  let r0 = rowHi(0);
  let r1 = rowHi(1);
  for (let i = 0; i < ch; i++) {
    const r2 = rowHi(2 * i + 2);
    const r3 = rowHi(2 * i + 3);
    for (let j = 0; j < cw; j++) {
      const v = DB2_HI[0] * r0[j]! + DB2_HI[1] * r1[j]! + DB2_HI[2] * r2[j]! + DB2_HI[3] * r3[j]!;
      hh[i * cw + j] = Math.abs(v);
    }
    [r0, r1] = [r2, r3];
  }
  return medianInPlace(hh) / MAD_TO_SIGMA;
}

/** Noise σ on the 0–255 scale of planar C×H×W data in [0, 1] (mean over channels). */
export function estimateNoiseSigma(image: Planes): number {
  const n = image.width * image.height;
  const { ch, cw } = subband(image.width, image.height);
  const scratch = new Float32Array(ch * cw);
  let sum = 0;
  for (let c = 0; c < image.channels; c++)
    sum += estimateSigmaPlane(image.data.subarray(c * n, (c + 1) * n), image.width, image.height, scratch);
  return (255 * sum) / image.channels;
}

/**
 * The median (the mean of the middle two for an even count), found by selection rather than by
 * sorting: a 12-MP photo's subband holds 3 million values, and sorting them took 0.3 s a channel.
 * Reorders `values`.
 */
export function medianInPlace(values: Float32Array): number {
  const n = values.length;
  if (n === 0) return NaN;
  const m = n >> 1;
  const upper = select(values, m);
  if (n % 2) return upper;
  // After select, everything before m is ≤ values[m]: the lower middle is their largest.
  let lower = -Infinity;
  for (let i = 0; i < m; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/**
 * The k-th smallest of `a` (0-based), placing it at index k with nothing larger before it and
 * nothing smaller after it. Quickselect with a three-way partition, so that runs of equal values
 * (the zero coefficients of flat areas) cost no more than others; pivot: the median of the
 * first, middle and last of the range.
 */
function select(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const x = a[lo]!;
    const y = a[(lo + hi) >> 1]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // a[lo, lt) < pivot, a[lt, i) = pivot, a(gt, hi] > pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) {
        a[i] = a[lt]!;
        a[lt] = v;
        lt++;
        i++;
      } else if (v > pivot) {
        a[i] = a[gt]!;
        a[gt] = v;
        gt--;
      } else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return a[k]!;
}
