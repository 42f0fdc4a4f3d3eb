// The tone and gamma curves of the camera-pipeline simulator, after Brooks et al. 2019,
// "Unprocessing images for learned raw denoising" (their process.py / unprocess.py):
//
//   forward (linear → display)   gamma  g(x) = max(x, 1e-8)^(1/2.2),   tone  t(x) = 3x² − 2x³
//   inverse (display → linear)   t⁻¹(y) = ½ − sin(asin(1 − 2y) / 3),    g⁻¹(y) = max(y, 1e-8)^2.2
//
// The smoothstep t stands in for a camera's S-shaped tone curve; 2.2 for its gamma. Both inverses
// are exact on [0, 1]. The pipeline runs millions of samples per photo, so it evaluates the
// composites through lookup tables (`toLinear`, `toDisplay`); the exact functions stay here
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

// Tables. Both curves have a square-root-like end (the display curve's 1/2.2 power at 0, the
// inverse smoothstep's infinite slope at 1), where evenly spaced knots would interpolate poorly,
// so the knots are spaced evenly in a variable u that straightens that end:
//   display curve      x = u²,            u = √x
//   linearising curve  x = 1 − (1 − u)²,  u = 1 − √(1 − x)
// With 4096 intervals linear interpolation then stays within 1e-5 of the exact curves (tested).
// Two plain functions rather than one class with a switch: V8 keeps each monomorphic, which
// measured several times faster inside the pipeline's loops.

const INTERVALS = 4096;

function tabulate(f: (x: number) => number, knot: (u: number) => number): Float32Array {
  const table = new Float32Array(INTERVALS + 2);
  for (let i = 0; i <= INTERVALS; i++) table[i] = f(knot(i / INTERVALS));
  table[INTERVALS + 1] = table[INTERVALS]!; // so u = 1 interpolates without a branch
  return table;
}

const LINEAR_TABLE = tabulate(displayToLinear, (u) => 1 - (1 - u) * (1 - u));
const DISPLAY_TABLE = tabulate(linearToDisplay, (u) => u * u);

/** `displayToLinear`, tabulated (x clipped to [0, 1]). */
export function toLinear(x: number): number {
  const c = x < 0 ? 0 : x > 1 ? 1 : x;
  const u = (1 - Math.sqrt(1 - c)) * INTERVALS;
  const i = u | 0;
  return LINEAR_TABLE[i]! + (u - i) * (LINEAR_TABLE[i + 1]! - LINEAR_TABLE[i]!);
}

/** `linearToDisplay`, tabulated (x clipped to [0, 1]). */
export function toDisplay(x: number): number {
  const c = x < 0 ? 0 : x > 1 ? 1 : x;
  const u = Math.sqrt(c) * INTERVALS;
  const i = u | 0;
  return DISPLAY_TABLE[i]! + (u - i) * (DISPLAY_TABLE[i + 1]! - DISPLAY_TABLE[i]!);
}
