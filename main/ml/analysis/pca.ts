// Principal component analysis for the latent scatter plot: a latent code with more than two
// dimensions is shown by its coordinates along the two directions of largest variance.
//
// Method: power iteration with deflation on the centred data, v ← Xᵀ(X v) / ‖·‖, which needs no
// d×d covariance matrix (latent codes of conv models can have thousands of dimensions). The start
// vector is fixed, and each component's sign is chosen so that its largest-magnitude entry is
// positive, so the same codes always give the same picture.

export interface Pca {
  /** Dimension of the data. */
  dims: number;
  /** Mean of the data (length dims). */
  mean: Float64Array;
  /** Unit component vectors, row major: components[k·dims + j]. */
  components: Float64Array;
  /** Number of components. */
  count: number;
  /** Variance of the data along each component (population variance, divided by n). */
  variance: number[];
  /** Total variance of the data (sum over dimensions), for "explained" fractions. */
  totalVariance: number;
}

const MAX_ITERATIONS = 500;
const TOLERANCE = 1e-10;

/** Fits `count` principal components to n points of `dims` values each, stored row major. */
export function fitPca(data: ArrayLike<number>, n: number, dims: number, count = 2): Pca {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dims) || dims < 1)
    throw new RangeError(`pca: need at least one point of at least one dimension, got ${n}×${dims}`);
  if (data.length !== n * dims) throw new RangeError(`pca: ${data.length} values are not ${n} points × ${dims}`);
  const k = Math.min(count, dims);
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) mean[j]! += data[i * dims + j]! / n;
  const x = new Float64Array(n * dims);
  let totalVariance = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dims; j++) {
      const v = data[i * dims + j]! - mean[j]!;
      x[i * dims + j] = v;
      totalVariance += (v * v) / n;
    }
  const components = new Float64Array(k * dims);
  const variance: number[] = [];
  const xv = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    // Fixed start: (1, 1/2, 1/3, …), made orthogonal to the components found so far below.
    let v: Float64Array = Float64Array.from({ length: dims }, (_, j) => 1 / (j + 1));
    let lambda = 0;
    for (let it = 0; it < MAX_ITERATIONS; it++) {
      orthogonalise(v, components, c, dims);
      // w = Xᵀ(X v) / n: the covariance applied to v.
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < dims; j++) s += x[i * dims + j]! * v[j]!;
        xv[i] = s;
      }
      const w = new Float64Array(dims);
      for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) w[j]! += (x[i * dims + j]! * xv[i]!) / n;
      orthogonalise(w, components, c, dims);
      const norm = norm2(w);
      if (norm === 0) {
        // No variance left: any unit vector orthogonal to the others will do.
        lambda = 0;
        v = unitOrthogonal(components, c, dims);
        break;
      }
      let change = 0;
      for (let j = 0; j < dims; j++) {
        const u = w[j]! / norm;
        change = Math.max(change, Math.abs(u - v[j]!));
        v[j] = u;
      }
      lambda = norm;
      if (change < TOLERANCE) break;
    }
    fixSign(v);
    components.set(v, c * dims);
    variance.push(lambda);
  }
  return { dims, mean, components, count: k, variance, totalVariance };
}

/** Coordinates of n points along the components: n × count values, row major. */
export function pcaProject(p: Pca, data: ArrayLike<number>, n: number): Float64Array {
  if (data.length !== n * p.dims) throw new RangeError(`pca: ${data.length} values are not ${n} points × ${p.dims}`);
  const out = new Float64Array(n * p.count);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < p.count; c++) {
      let s = 0;
      for (let j = 0; j < p.dims; j++) s += (data[i * p.dims + j]! - p.mean[j]!) * p.components[c * p.dims + j]!;
      out[i * p.count + c] = s;
    }
  return out;
}

/** The point of the data space at the given component coordinates: mean + Σ coordₖ·componentₖ. */
export function pcaUnproject(p: Pca, coords: ArrayLike<number>): Float64Array {
  if (coords.length !== p.count) throw new RangeError(`pca: expected ${p.count} coordinates, got ${coords.length}`);
  const out = Float64Array.from(p.mean);
  for (let c = 0; c < p.count; c++)
    for (let j = 0; j < p.dims; j++) out[j]! += coords[c]! * p.components[c * p.dims + j]!;
  return out;
}

function orthogonalise(v: Float64Array, components: Float64Array, count: number, dims: number): void {
  for (let c = 0; c < count; c++) {
    let dot = 0;
    for (let j = 0; j < dims; j++) dot += v[j]! * components[c * dims + j]!;
    for (let j = 0; j < dims; j++) v[j]! -= dot * components[c * dims + j]!;
  }
}

function unitOrthogonal(components: Float64Array, count: number, dims: number): Float64Array {
  for (let axis = 0; axis < dims; axis++) {
    const v = new Float64Array(dims);
    v[axis] = 1;
    orthogonalise(v, components, count, dims);
    const norm = norm2(v);
    if (norm > 1e-6) return v.map((x) => x / norm);
  }
  return new Float64Array(dims);
}

function fixSign(v: Float64Array): void {
  let at = 0;
  for (let j = 1; j < v.length; j++) if (Math.abs(v[j]!) > Math.abs(v[at]!) + 1e-12) at = j;
  if (v[at]! < 0) for (let j = 0; j < v.length; j++) v[j] = -v[j]!;
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}
