// Conv and ConvTranspose (ONNX semantics, any number of spatial axes, strides, explicit pads,
// dilations, groups, output_padding), as direct loops over a precomputed window table.
//
// Both ops relate a "small" grid (Conv's output, ConvTranspose's input) to a "big" one through the
// same windows: Conv gathers each small position from its window of the big grid, ConvTranspose
// scatters each small position into it. They share the geometry below and differ only in the loop.

import { type Attrs, type Op, type TypedShape, intAttr } from '../../ir/ops.js';
import { type Tensor, sizeOf } from '../../ir/tensor.js';
import { type Kernel, numbers, output } from './kernel.js';
import { windowGeometry, windowTable } from './window.js';

/**
 * Sizes (N batch, C input and O output channels, Cg and Og per group; L small-grid, B big-grid and
 * K kernel positions), the window table (`table[l * K + k]`: the big-grid position that kernel tap
 * k of small position l touches, or -1 in the padding), the operands as numbers and the output.
 */
function convSetup([x, w, b]: readonly (Tensor | undefined)[], attrs: Attrs, type: TypedShape, transposed: boolean) {
  const [N, C] = x!.shape as [number, number];
  const O = type.shape[1]!;
  const group = intAttr(attrs, 'group', 1);
  // For ConvTranspose, output_padding only extends the big grid at the end; the table covers it.
  const [small, big] = transposed ? [x!.shape.slice(2), type.shape.slice(2)] : [type.shape.slice(2), x!.shape.slice(2)];
  const kernel = w!.shape.slice(2);
  const table = windowTable(small, big, kernel, windowGeometry(attrs, kernel.length));
  const [L, B, K] = [sizeOf(small), sizeOf(big), sizeOf(kernel)];
  const operands = { dx: numbers(x!), dw: numbers(w!), db: b ? numbers(b) : null };
  return { N, C, O, Cg: C / group, Og: O / group, L, B, K, table, ...operands, ...output(type) };
}

const conv: Kernel = (inputs, attrs, [type]) => {
  const { N, C, O, Cg, Og, L, B, K, table, dx, dw, db, tensor, data } = convSetup(inputs, attrs, type!, false);
  const acc = new Float64Array(L);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      acc.fill(db ? db[o]! : 0);
      const g = Math.floor(o / Og);
      for (let c = 0; c < Cg; c++) {
        const xBase = (n * C + g * Cg + c) * B;
        const wBase = (o * Cg + c) * K;
        for (let l = 0; l < L; l++) {
          let s = 0;
          const t = l * K;
          for (let k = 0; k < K; k++) {
            const idx = table[t + k]!;
            if (idx >= 0) s += dx[xBase + idx]! * dw[wBase + k]!;
          }
          acc[l]! += s;
        }
      }
      data.set(acc, (n * O + o) * L);
    }
  }
  return [tensor];
};

const convTranspose: Kernel = (inputs, attrs, [type]) => {
  const { N, C, O, Cg, Og, L, B, K, table, dx, dw, db, tensor, data } = convSetup(inputs, attrs, type!, true);
  const acc = new Float64Array(B);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      acc.fill(db ? db[o]! : 0);
      const g = Math.floor(o / Og);
      const oLocal = o % Og;
      for (let c = 0; c < Cg; c++) {
        const ci = g * Cg + c;
        const xBase = (n * C + ci) * L;
        // ConvTranspose weights are [C, O/group, k…].
        const wBase = (ci * Og + oLocal) * K;
        for (let l = 0; l < L; l++) {
          const xv = dx[xBase + l]!;
          const t = l * K;
          for (let k = 0; k < K; k++) {
            const idx = table[t + k]!;
            if (idx >= 0) acc[idx]! += xv * dw[wBase + k]!;
          }
        }
      }
      data.set(acc, (n * O + o) * B);
    }
  }
  return [tensor];
};

export const convKernels = { Conv: conv, ConvTranspose: convTranspose } satisfies Partial<Record<Op, Kernel>>;
