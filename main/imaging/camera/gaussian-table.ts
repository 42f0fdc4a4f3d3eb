// Fast standard normals for sensor noise. A megapixel needs a million normals per photo; Box–Muller
// costs a logarithm, a root and two trig calls per pair (≈ 70 ms per megapixel here), more than all
// the rest of the pipeline. Instead each 32-bit draw gives two normals through a table of the
// 65 536 quantiles Φ⁻¹((i + ½) / 65 536): a discretised normal whose CDF is within 1/65 536 of Φ,
// tails cut at ±4.3σ (a 2·10⁻⁵ share), rescaled to exactly zero mean and unit variance. For noise
// that ends up in 8-bit pixels the difference from an exact normal is far below one grey level.

import type { Rng } from '../../../common/rng.js';

const LEVELS = 65536;

/** Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error below 1.2e-9). */
export function probit(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * The quantiles, made on the first draw rather than when the module loads: at start-up, before V8
 * has optimised probit, they took 30–35 ms of every command's start (a CPU profile of
 * `denoise-lab --version`), and most commands never draw a normal.
 */
let table: Float32Array | undefined;

function quantileTable(): Float32Array {
  const t = new Float64Array(LEVELS);
  for (let i = 0; i < LEVELS; i++) t[i] = probit((i + 0.5) / LEVELS);
  let s2 = 0;
  for (let i = 0; i < LEVELS; i++) s2 += t[i]! * t[i]!; // the mean is 0 by symmetry
  const scale = 1 / Math.sqrt(s2 / LEVELS);
  return Float32Array.from(t, (v) => v * scale);
}

/** Fills `out` with standard normals (the discretised normal above), two per 32-bit draw. */
export function fillStandardNormals(rng: Rng, out: Float32Array): Float32Array {
  const TABLE = (table ??= quantileTable());
  const pairs = out.length >> 1;
  for (let i = 0; i < pairs; i++) {
    const u = rng.nextUint32();
    out[2 * i] = TABLE[u >>> 16]!;
    out[2 * i + 1] = TABLE[u & 0xffff]!;
  }
  if (out.length & 1) out[out.length - 1] = TABLE[rng.nextUint32() >>> 16]!;
  return out;
}
