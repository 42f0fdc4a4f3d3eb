// Conv and ConvTranspose (ONNX semantics, any number of spatial axes, strides, explicit pads,
// dilations, groups, output_padding), as direct loops over a precomputed window table.

import { type Op, intAttr } from '../../ir/ops.js';
import { sizeOf } from '../../ir/tensor.js';
import { type Kernel, numbers, output } from './kernel.js';
import { windowGeometry, windowTable } from './window.js';

const conv: Kernel = ([x, w, b], attrs, [type]) => {
  const [N, C] = x!.shape as [number, number];
  const outShape = type!.shape;
  const O = outShape[1]!;
  const group = intAttr(attrs, 'group', 1);
  const bigSpatial = x!.shape.slice(2);
  const smallSpatial = outShape.slice(2);
  const kernel = w!.shape.slice(2);
  const table = windowTable(smallSpatial, bigSpatial, kernel, windowGeometry(attrs, kernel.length));
  const L = sizeOf(smallSpatial);
  const B = sizeOf(bigSpatial);
  const K = sizeOf(kernel);
  const Cg = C / group;
  const Og = O / group;
  const dx = numbers(x!);
  const dw = numbers(w!);
  const db = b ? numbers(b) : null;
  const acc = new Float64Array(L);
  const { tensor, data } = output(type!);
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

const convTranspose: Kernel = ([x, w, b], attrs, [type]) => {
  const [N, C] = x!.shape as [number, number];
  const outShape = type!.shape;
  const O = outShape[1]!;
  const group = intAttr(attrs, 'group', 1);
  const smallSpatial = x!.shape.slice(2);
  const bigSpatial = outShape.slice(2);
  const kernel = w!.shape.slice(2);
  // output_padding only extends the big grid at the end; the table already covers it through bigSpatial.
  const table = windowTable(smallSpatial, bigSpatial, kernel, windowGeometry(attrs, kernel.length));
  const L = sizeOf(smallSpatial);
  const B = sizeOf(bigSpatial);
  const K = sizeOf(kernel);
  const Cg = C / group;
  const Og = O / group;
  const dx = numbers(x!);
  const dw = numbers(w!);
  const db = b ? numbers(b) : null;
  const acc = new Float64Array(B);
  const { tensor, data } = output(type!);
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
