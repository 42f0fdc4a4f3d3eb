// PCA of the latent scatter plot, checked on data whose principal axes are known exactly: the 8
// sign combinations of (±3, ±2, ±1), rotated by a known rotation R and shifted. Their population
// covariance is R·diag(9, 4, 1)·Rᵀ, so the components are R's columns and the variances 9 and 4.
import { describe, expect, it } from 'vitest';
import { fitPca, pcaProject, pcaUnproject } from '../../../main/ml/analysis/pca.js';

// Rotation about z by 30°, then about x by 45° (columns are the rotated axes).
const c30 = Math.cos(Math.PI / 6);
const s30 = Math.sin(Math.PI / 6);
const c45 = Math.SQRT1_2;
const R = [
  [c30, -s30, 0],
  [s30 * c45, c30 * c45, -c45],
  [s30 * c45, c30 * c45, c45],
];
const shift = [5, -2, 0.5];

function points(): { data: Float64Array; base: number[][] } {
  const base: number[][] = [];
  for (const a of [3, -3]) for (const b of [2, -2]) for (const c of [1, -1]) base.push([a, b, c]);
  const data = new Float64Array(base.length * 3);
  base.forEach((p, i) => {
    for (let r = 0; r < 3; r++) data[i * 3 + r] = shift[r]! + R[r]![0]! * p[0]! + R[r]![1]! * p[1]! + R[r]![2]! * p[2]!;
  });
  return { data, base };
}

describe('fitPca', () => {
  it('finds the known axes, variances and mean of rotated box corners', () => {
    const { data, base } = points();
    const p = fitPca(data, 8, 3, 2);
    expect(p.count).toBe(2);
    expect(p.variance[0]).toBeCloseTo(9, 9);
    expect(p.variance[1]).toBeCloseTo(4, 9);
    expect(p.totalVariance).toBeCloseTo(14, 9);
    for (let j = 0; j < 3; j++) expect(p.mean[j]).toBeCloseTo(shift[j]!, 12);
    // Component k = ±column k of R; the sign makes the largest entry positive.
    for (let k = 0; k < 2; k++) {
      const col = R.map((row) => row[k]!);
      const big = col.reduce((m, v, j) => (Math.abs(v) > Math.abs(col[m]!) ? j : m), 0);
      const sign = Math.sign(col[big]!);
      for (let j = 0; j < 3; j++) expect(p.components[k * 3 + j]).toBeCloseTo(sign * col[j]!, 9);
    }
    // Projections are the box coordinates along the first two axes (up to those signs).
    const xy = pcaProject(p, data, 8);
    const s0 = Math.sign(p.components[0]! / R[0]![0]!);
    const s1 = Math.sign(p.components[3 + 2]! / R[2]![1]!);
    base.forEach((b, i) => {
      expect(xy[i * 2]).toBeCloseTo(s0 * b[0]!, 9);
      expect(xy[i * 2 + 1]).toBeCloseTo(s1 * b[1]!, 9);
    });
    // Unprojecting drops only the third axis: the point lands at mean + R·(a, b, 0).
    const back = pcaUnproject(p, [xy[0]!, xy[1]!]);
    const [a, b] = base[0]!;
    for (let r = 0; r < 3; r++) expect(back[r]).toBeCloseTo(shift[r]! + R[r]![0]! * a! + R[r]![1]! * b!, 9);
  });

  it('is deterministic, handles data without spread, and refuses wrong sizes', () => {
    const { data } = points();
    expect(fitPca(data, 8, 3).components).toEqual(fitPca(data, 8, 3).components);
    const flat = fitPca(new Float64Array(12).fill(2), 4, 3);
    expect(flat.variance).toEqual([0, 0]);
    // The components stay orthonormal even with nothing to explain.
    const c = flat.components;
    expect(c[0]! * c[3]! + c[1]! * c[4]! + c[2]! * c[5]!).toBeCloseTo(0, 12);
    expect(Math.hypot(c[3]!, c[4]!, c[5]!)).toBeCloseTo(1, 12);
    expect(() => fitPca(new Float64Array(5), 2, 3)).toThrow(/not 2 points × 3/);
    expect(() => fitPca(new Float64Array(0), 0, 3)).toThrow(/at least one point/);
  });
});
