// MatMul (numpy semantics with broadcast batch dimensions) and Gemm (ONNX: alpha·A'·B' + beta·C).

import { type Op, floatAttr, intAttr } from '../../ir/ops.js';
import { sizeOf } from '../../ir/tensor.js';
import { type Kernel, broadcastIndex, numbers, output } from './kernel.js';

/** out[m×n] (+)= a[m×k] · b[k×n], all row-major views into flat arrays at the given offsets. */
function gemmInto(
  out: Float64Array,
  a: ArrayLike<number>,
  aOff: number,
  b: ArrayLike<number>,
  bOff: number,
  m: number,
  k: number,
  n: number,
  aStrides: [number, number],
  bStrides: [number, number],
): void {
  // i-p-j loop order so the innermost loop walks rows of b and out contiguously when b is not transposed.
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[aOff + i * aStrides[0] + p * aStrides[1]]!;
      const bRow = bOff + p * bStrides[0];
      for (let j = 0; j < n; j++) out[row + j]! += av * b[bRow + j * bStrides[1]]!;
    }
  }
}

const matmul: Kernel = ([a, b], _attrs, [type]) => {
  const aShape = a!.shape;
  const bShape = b!.shape;
  const m = aShape[aShape.length - 2]!;
  const k = aShape[aShape.length - 1]!;
  const n = bShape[bShape.length - 1]!;
  const batchShape = type!.shape.slice(0, -2);
  const batches = sizeOf(batchShape);
  const ia = broadcastIndex(aShape.slice(0, -2), batchShape);
  const ib = broadcastIndex(bShape.slice(0, -2), batchShape);
  const da = numbers(a!);
  const db = numbers(b!);
  const acc = new Float64Array(batches * m * n);
  const tile = new Float64Array(m * n);
  for (let t = 0; t < batches; t++) {
    tile.fill(0);
    const aOff = (ia ? ia[t]! : t) * m * k;
    const bOff = (ib ? ib[t]! : t) * k * n;
    gemmInto(tile, da, aOff, db, bOff, m, k, n, [k, 1], [n, 1]);
    acc.set(tile, t * m * n);
  }
  const { tensor, data } = output(type!);
  data.set(acc);
  return [tensor];
};

const gemm: Kernel = ([a, b, c], attrs, [type]) => {
  const [m, n] = type!.shape as [number, number];
  const transA = intAttr(attrs, 'transA', 0) === 1;
  const transB = intAttr(attrs, 'transB', 0) === 1;
  const alpha = floatAttr(attrs, 'alpha', 1);
  const beta = floatAttr(attrs, 'beta', 1);
  const k = transA ? a!.shape[0]! : a!.shape[1]!;
  const acc = new Float64Array(m * n);
  const aStrides: [number, number] = transA ? [1, m] : [k, 1];
  const bStrides: [number, number] = transB ? [1, k] : [n, 1];
  gemmInto(acc, numbers(a!), 0, numbers(b!), 0, m, k, n, aStrides, bStrides);
  const { tensor, data } = output(type!);
  const ic = c ? broadcastIndex(c.shape, [m, n]) : null;
  const dc = c ? numbers(c) : null;
  for (let i = 0; i < m * n; i++) data[i] = alpha * acc[i]! + (dc ? beta * dc[ic ? ic[i]! : i]! : 0);
  return [tensor];
};

export const matmulKernels = { MatMul: matmul, Gemm: gemm } satisfies Partial<Record<Op, Kernel>>;
