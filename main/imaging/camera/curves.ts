// The tone and gamma curves of the camera-pipeline simulator, after Brooks et al. 2019,
// "Unprocessing images for learned raw denoising" (their process.py / unprocess.py):
//
//   forward (linear → display)   gamma  g(x) = max(x, 1e-8)^(1/2.2),   tone  t(x) = 3x² − 2x³
//   inverse (display → linear)   t⁻¹(y) = ½ − sin(asin(1 − 2y) / 3),    g⁻¹(y) = max(y, 1e-8)^2.2
//
// The smoothstep t stands in for a camera's S-shaped tone curve; 2.2 for its gamma. Both inverses
// are exact on [0, 1]. The pipeline runs millions of samples per photo, so it evaluates the
// composites through lookup tables (`toLinearLut`, `toDisplayLut`); the exact functions stay here
// as the reference the tables are tested against.

const GAMMA = 2.2;
const EPS = 1e-8;

export function smoothstep(x: number): number {
  const c = x < 0 ? 0 : x > 1 ? 1 : x;
  return c * c * (3 - 2 * c);
}

export function inverseSmoothstep(y: number): number {
  const c = y < 0 ? 0 : y > 1 ? 1 : y;
  return 0.5 - Math.sin(Math.asin(1 - 2 * c) / 3);
}

export function gammaCompress(x: number): number {
  return Math.pow(Math.max(x, EPS), 1 / GAMMA);
}

export function gammaExpand(y: number): number {
  return Math.pow(Math.max(y, EPS), GAMMA);
}

/** Display value (sRGB-like, [0, 1]) → linear light: inverse tone curve, then inverse gamma. */
export function displayToLinear(y: number): number {
  return gammaExpand(inverseSmoothstep(y));
}

/** Linear light → display value in [0, 1]: gamma, then tone curve (which also clips to [0, 1]). */
export function linearToDisplay(x: number): number {
  return smoothstep(gammaCompress(x));
}

/**
 * Where a table's knots sit. Both curves have a square-root-like end (the display curve's 1/2.2
 * power at 0, the inverse smoothstep's infinite slope at 1), where evenly spaced knots would
 * interpolate poorly, so the knots are spaced evenly in a variable u that straightens that end:
 *   'bottom'  x = u²,            u = √x          (display curve: slope infinite at 0)
 *   'top'     x = 1 − (1 − u)²,  u = 1 − √(1 − x) (linearising curve: slope infinite at 1)
 */
export type KnotWarp = 'bottom' | 'top';

/** A curve on [0, 1] tabulated for linear interpolation in the warped variable (see KnotWarp). */
export class CurveLut {
  private readonly table: Float32Array;
  private readonly n: number;

  constructor(
    f: (x: number) => number,
    private readonly warp: KnotWarp,
    intervals = 4096,
  ) {
    this.n = intervals;
    this.table = new Float32Array(intervals + 2);
    for (let i = 0; i <= intervals; i++) {
      const u = i / intervals;
      this.table[i] = f(warp === 'bottom' ? u * u : 1 - (1 - u) * (1 - u));
    }
    this.table[intervals + 1] = this.table[intervals]!; // so u = 1 interpolates without a branch
  }

  /** The curve at x, x clipped to [0, 1]. */
  at(x: number): number {
    const c = x < 0 ? 0 : x > 1 ? 1 : x;
    const u = (this.warp === 'bottom' ? Math.sqrt(c) : 1 - Math.sqrt(1 - c)) * this.n;
    const i = u | 0;
    const f = u - i;
    return this.table[i]! + f * (this.table[i + 1]! - this.table[i]!);
  }

  /** Applies the curve to every sample in place. */
  applyInPlace(data: Float32Array): Float32Array {
    for (let k = 0; k < data.length; k++) data[k] = this.at(data[k]!);
    return data;
  }
}

/** Display → linear (the inverse pipeline's first step), tabulated. */
export const toLinearLut = new CurveLut(displayToLinear, 'top');
/** Linear → display (the forward pipeline's last curve step), tabulated. */
export const toDisplayLut = new CurveLut(linearToDisplay, 'bottom');
