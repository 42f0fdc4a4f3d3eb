import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import {
  displayToLinear,
  gammaCompress,
  gammaExpand,
  inverseSmoothstep,
  linearToDisplay,
  smoothstep,
  toDisplay,
  toLinear,
} from '../../../main/imaging/camera/curves.js';
import {
  applyMatrix,
  forwardGains,
  invert3,
  invertGainsSafely,
  matMul,
  rgbToCamMatrix,
  sampleCameraMix,
  type Mat3,
} from '../../../main/imaging/camera/color.js';
import { fillStandardNormals, probit } from '../../../main/imaging/camera/gaussian-table.js';

const grid = (count: number) => Array.from({ length: count + 1 }, (_, i) => i / count);
const maxAbs = (xs: number[]) => xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('camera curves', () => {
  it('tone curve and gamma inverses round-trip on [0, 1] (≤ 1e-12)', () => {
    const xs = grid(10_000);
    expect(maxAbs(xs.map((x) => smoothstep(inverseSmoothstep(x)) - x))).toBeLessThan(1e-12);
    expect(maxAbs(xs.map((x) => inverseSmoothstep(smoothstep(x)) - x))).toBeLessThan(1e-12);
    // Gamma below 1e-8 is floored (as in the paper), so start the round trip above it.
    expect(maxAbs(xs.slice(1).map((x) => gammaExpand(gammaCompress(x)) - x))).toBeLessThan(1e-12);
    // (At exactly 0 the 1e-8 floor of the gamma shows as 1.6e-7.)
    expect(maxAbs(xs.slice(1).map((x) => linearToDisplay(displayToLinear(x)) - x))).toBeLessThan(1e-9);
  });

  it('golden values of the paper’s curves', () => {
    expect(smoothstep(0.25)).toBeCloseTo(0.15625, 12); // 3/16 − 2/64
    expect(inverseSmoothstep(0.15625)).toBeCloseTo(0.25, 12);
    expect(gammaExpand(0.5)).toBeCloseTo(0.217637640824031, 12); // 0.5^2.2
    expect(displayToLinear(0.5)).toBeCloseTo(0.217637640824031, 12); // t⁻¹(0.5) = 0.5
  });

  it('the lookup tables follow the exact curves within 1e-5 (dense grid, both ends included)', () => {
    const xs = grid(50_000);
    expect(maxAbs(xs.map((x) => toLinear(x) - displayToLinear(x)))).toBeLessThan(1e-5);
    expect(maxAbs(xs.map((x) => toDisplay(x) - linearToDisplay(x)))).toBeLessThan(1e-5);
    // Out of range inputs are clipped, as the paper's curves clip.
    expect(toDisplay(-0.5)).toBeCloseTo(0, 6);
    expect(toDisplay(1.5)).toBe(toDisplay(1));
  });
});

describe('camera colour matrix and white balance', () => {
  it('a mix of one camera is that camera’s XYZ→cam times sRGB→XYZ, rows normalised (golden)', () => {
    const m = rgbToCamMatrix([1, 0, 0, 0]);
    // Rows sum to 1: white stays white.
    for (let r = 0; r < 3; r++) expect(m[3 * r]! + m[3 * r + 1]! + m[3 * r + 2]!).toBeCloseTo(1, 12);
    // numpy: (xyz2cam[0] @ rgb2xyz) / row sums, as unprocess.random_ccm with weights [1, 0, 0, 0].
    const golden = [
      0.82637855, 0.29506192, -0.12144047, 0.10919627, 0.9177526, -0.02694887, 0.03522415, 0.24449135, 0.7202845,
    ];
    expect(maxAbs(m.map((v, i) => v - golden[i]!))).toBeLessThan(1e-7);
  });

  it('matrix inverses round-trip (≤ 1e-5) for random camera mixes', () => {
    const rng = new Rng(11);
    const id: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    for (let t = 0; t < 50; t++) {
      const m = rgbToCamMatrix(sampleCameraMix(rng));
      const p = matMul(m, invert3(m));
      expect(maxAbs(p.map((v, i) => v - id[i]!))).toBeLessThan(1e-12);
      // And on pixels, through Float32 planes as the pipeline runs it.
      const rgb = Float32Array.from({ length: 30 }, () => rng.uniform());
      const back = applyMatrix(invert3(m), applyMatrix(m, rgb, 10), 10);
      expect(maxAbs(Array.from(back, (v, i) => v - rgb[i]!))).toBeLessThan(1e-5);
    }
  });

  it('white-balance inverse round-trips (≤ 1e-5) below the highlight inflection', () => {
    const rng = new Rng(5);
    const n = 1000;
    const wb = { red: 2.1, blue: 1.7, brightness: 1.25 };
    const g = forwardGains(wb);
    const rgb = Float32Array.from({ length: 3 * n }, () => 0.85 * rng.uniform()); // channel mean < 0.9
    const cam = invertGainsSafely(rgb.slice(), n, wb);
    let err = 0;
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(cam[c * n + i]! * g[c]! - rgb[c * n + i]!));
    expect(err).toBeLessThan(1e-5);
  });

  it('highlights keep their inverse gains near 1, so white stays saturated after the forward gains', () => {
    const wb = { red: 2.2, blue: 1.8, brightness: 1.3 };
    const white = invertGainsSafely(new Float32Array([1, 1, 1]), 1, wb);
    expect(Array.from(white)).toEqual([1, 1, 1]); // mask = 1 at mean 1
    const g = forwardGains(wb);
    const mid = invertGainsSafely(new Float32Array([0.95, 0.95, 0.95]), 1, wb); // mask = 0.25
    for (let c = 0; c < 3; c++) {
      expect(mid[c]).toBeCloseTo(0.95 * (0.25 + 0.75 / g[c]!), 6);
      expect(Math.min(1, mid[c]! * g[c]!)).toBe(1); // clips to white after the camera's gains
    }
  });
});

describe('table normals', () => {
  it('probit golden values', () => {
    expect(probit(0.975)).toBeCloseTo(1.959963985, 8);
    expect(probit(0.5)).toBe(0);
    expect(probit(1e-6)).toBeCloseTo(-4.753424309, 7);
  });

  it('have the moments and central shares of N(0, 1)', () => {
    const z = fillStandardNormals(new Rng(3), new Float32Array(1 << 18));
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    let within1 = 0;
    for (const v of z) {
      s += v;
      s2 += v * v;
      s4 += v ** 4;
      if (Math.abs(v) < 1) within1++;
    }
    const n = z.length;
    // About 4 standard errors each at n = 262 144.
    expect(Math.abs(s / n)).toBeLessThan(0.008);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.011);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.08); // kurtosis 3 (tails kept to ±4.3σ)
    expect(Math.abs(within1 / n - 0.682689)).toBeLessThan(0.0037);
  });
});
