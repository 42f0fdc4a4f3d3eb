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

/** Daubechies-2 decomposition high-pass filter (pywt `Wavelet('db2').dec_hi`). */
const DB2_HI = [-0.48296291314469025, 0.836516303737469, -0.22414386804185735, -0.12940952255092145] as const;
const MAD_TO_SIGMA = 0.6744897501960817; // Φ⁻¹(3/4): median |N(0,1)|

/** σ of one H×W plane, on the plane's own scale. */
export function estimateSigmaPlane(plane: Float32Array | Float64Array, width: number, height: number): number {
  const ch = Math.floor((height - 4) / 2) + 1;
  const cw = Math.floor((width - 4) / 2) + 1;
  if (ch < 1 || cw < 1) return 0;
  // Rows first: high-pass along x, decimated, for every row; then along y.
  const rowsHi = new Float64Array(height * cw);
  for (let y = 0; y < height; y++) {
    const r = y * width;
    for (let j = 0; j < cw; j++) {
      const x = r + 2 * j;
      rowsHi[y * cw + j] =
        DB2_HI[0] * plane[x]! + DB2_HI[1] * plane[x + 1]! + DB2_HI[2] * plane[x + 2]! + DB2_HI[3] * plane[x + 3]!;
    }
  }
  const hh = new Float32Array(ch * cw);
  for (let i = 0; i < ch; i++) {
    const r = 2 * i * cw;
    for (let j = 0; j < cw; j++) {
      const v =
        DB2_HI[0] * rowsHi[r + j]! +
        DB2_HI[1] * rowsHi[r + cw + j]! +
        DB2_HI[2] * rowsHi[r + 2 * cw + j]! +
        DB2_HI[3] * rowsHi[r + 3 * cw + j]!;
      hh[i * cw + j] = Math.abs(v);
    }
  }
  return median(hh) / MAD_TO_SIGMA;
}

/** Noise σ on the 0–255 scale of planar C×H×W data in [0, 1] (mean over channels). */
export function estimateNoiseSigma(image: {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}): number {
  const n = image.width * image.height;
  let sum = 0;
  for (let c = 0; c < image.channels; c++)
    sum += estimateSigmaPlane(image.data.subarray(c * n, (c + 1) * n), image.width, image.height);
  return (255 * sum) / image.channels;
}

function median(values: Float32Array): number {
  const sorted = values.sort();
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}
