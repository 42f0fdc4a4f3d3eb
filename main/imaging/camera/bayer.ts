// Bayer colour filter arrays: mosaicking camera RGB into one raw plane, and demosaicking it back.
//
// A pattern names the colours of the top-left 2×2 block in reading order (RGGB: red at (0,0),
// green at (0,1) and (1,0), blue at (1,1)); all four phases occur in real cameras, and a crop by one
// pixel turns one into another.
//
// Demosaicking methods (both linear, both exact on flat colours and on linear ramps):
//   bilinear  each missing colour is the mean of its nearest samples of that colour
//             (Brooks et al. 2019 process with bilinear interpolation too);
//   mhc       Malvar, He & Cutler 2004, "High-quality linear interpolation for demosaicing of
//             Bayer-patterned color images": bilinear plus a gradient correction from the
//             centre channel (fixed 5×5 kernels below, in eighths), which also makes it exact
//             where the channels differ by constants on a quadratic surface.
// Borders are mirrored about the edge sample (… c b | a b c …), which keeps each site's colour.

export const CFA_PATTERNS = ['RGGB', 'BGGR', 'GRBG', 'GBRG'] as const;
export type CfaPattern = (typeof CFA_PATTERNS)[number];

export const DEMOSAIC_METHODS = ['bilinear', 'mhc'] as const;
export type DemosaicMethod = (typeof DEMOSAIC_METHODS)[number];

const CHANNEL = { R: 0, G: 1, B: 2 } as const;

/** Colour index (0 R, 1 G, 2 B) at each position of the 2×2 block, index (y & 1)·2 + (x & 1). */
export function cfaColours(pattern: CfaPattern): [number, number, number, number] {
  return [...pattern].map((ch) => CHANNEL[ch as 'R' | 'G' | 'B']) as [number, number, number, number];
}

function checkSize(width: number, height: number): void {
  if (width < 2 || height < 2) throw new RangeError(`a Bayer mosaic needs at least 2×2 pixels, got ${width}×${height}`);
}

/** The raw plane a sensor with this pattern records from planar camera RGB. */
export function mosaic(rgb: Float32Array, width: number, height: number, pattern: CfaPattern): Float32Array {
  checkSize(width, height);
  const n = width * height;
  const colours = cfaColours(pattern);
  const raw = new Float32Array(n);
  for (let y = 0; y < height; y++) {
    const row = (y & 1) * 2;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      raw[i] = rgb[colours[row + (x & 1)]! * n + i]!;
    }
  }
  return raw;
}

const PAD = 2;

/** Whole-sample mirror of i into [0, n), n ≥ 2: … 2 1 | 0 1 2 … n−1 | n−2 … (keeps parity). */
function mirror(i: number, n: number): number {
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m >= n ? period - m : m;
}

/** The raw plane with a mirrored border of 2 samples, so the kernels need no bounds checks. */
function padMirrored(raw: Float32Array, width: number, height: number): Float32Array {
  const wp = width + 2 * PAD;
  const padded = new Float32Array(wp * (height + 2 * PAD));
  for (let y = -PAD; y < height + PAD; y++) {
    const src = mirror(y, height) * width;
    const dst = (y + PAD) * wp + PAD;
    padded.set(raw.subarray(src, src + width), dst);
    for (let x = 1; x <= PAD; x++) {
      padded[dst - x] = raw[src + mirror(-x, width)]!;
      padded[dst + width - 1 + x] = raw[src + mirror(width - 1 + x, width)]!;
    }
  }
  return padded;
}

/** Planar RGB from a raw plane by the chosen method. */
export function demosaic(
  raw: Float32Array,
  width: number,
  height: number,
  pattern: CfaPattern,
  method: DemosaicMethod,
): Float32Array {
  checkSize(width, height);
  const n = width * height;
  const out = new Float32Array(3 * n);
  const p = padMirrored(raw, width, height);
  const wp = width + 2 * PAD;
  const colours = cfaColours(pattern);
  const s1 = wp;
  const s2 = 2 * wp;
  const mhc = method === 'mhc';
  for (let y = 0; y < height; y++) {
    const row = (y & 1) * 2;
    for (let x = 0; x < width; x++) {
      const site = colours[row + (x & 1)]!;
      const i = y * width + x;
      const k = (y + PAD) * wp + x + PAD;
      const c = p[k]!;
      const cross1 = p[k - 1]! + p[k + 1]! + p[k - s1]! + p[k + s1]!;
      const diag = p[k - s1 - 1]! + p[k - s1 + 1]! + p[k + s1 - 1]! + p[k + s1 + 1]!;
      if (site !== 1) {
        // Red or blue site: green from the cross, the opposite colour from the diagonals.
        const other = 2 - site;
        let g = cross1 / 4;
        let o = diag / 4;
        if (mhc) {
          const cross2 = p[k - 2]! + p[k + 2]! + p[k - s2]! + p[k + s2]!;
          g = (4 * c + 2 * cross1 - cross2) / 8;
          o = (6 * c + 2 * diag - 1.5 * cross2) / 8;
        }
        out[site * n + i] = c;
        out[n + i] = g;
        out[other * n + i] = o;
      } else {
        // Green site: one colour left/right, the other above/below.
        const horizontal = colours[row + ((x + 1) & 1)]!;
        const vertical = 2 - horizontal;
        const h1 = p[k - 1]! + p[k + 1]!;
        const v1 = p[k - s1]! + p[k + s1]!;
        let h = h1 / 2;
        let v = v1 / 2;
        if (mhc) {
          const h2 = p[k - 2]! + p[k + 2]!;
          const v2 = p[k - s2]! + p[k + s2]!;
          h = (5 * c + 4 * h1 - diag - h2 + 0.5 * v2) / 8;
          v = (5 * c + 4 * v1 - diag - v2 + 0.5 * h2) / 8;
        }
        out[n + i] = c;
        out[horizontal * n + i] = h;
        out[vertical * n + i] = v;
      }
    }
  }
  return out;
}
