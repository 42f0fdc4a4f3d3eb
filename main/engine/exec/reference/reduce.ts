// ReduceSum, ReduceMean and ReduceMax over any set of axes (no axes attribute = all axes).

import { type Op, intsAttr, normAxes } from '../../ir/ops.js';
import { sizeOf } from '../../ir/tensor.js';
import { type Kernel, numbers, output, stridesOf } from './kernel.js';

function reduce(kind: 'sum' | 'mean' | 'max'): Kernel {
  return ([x], attrs, [type]) => {
    const shape = x!.shape;
    const rank = shape.length;
    const axes = normAxes(intsAttr(attrs, 'axes', [...Array(rank).keys()]), rank, 'Reduce');
    // Output stride of each input axis (0 on reduced axes), in the keepdims layout.
    const kept = shape.map((d, a) => (axes.includes(a) ? 1 : d));
    const keptStrides = stridesOf(kept);
    const strideMap = shape.map((_, a) => (axes.includes(a) ? 0 : keptStrides[a]!));
    const outSize = sizeOf(kept);
    const acc = new Float64Array(outSize).fill(kind === 'max' ? -Infinity : 0);
    const src = numbers(x!);
    const idx = new Array<number>(rank).fill(0);
    let o = 0;
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      if (kind === 'max') {
        if (v > acc[o]! || v !== v) acc[o] = v;
      } else acc[o]! += v;
      for (let a = rank - 1; a >= 0; a--) {
        idx[a]!++;
        o += strideMap[a]!;
        if (idx[a]! < shape[a]!) break;
        o -= strideMap[a]! * shape[a]!;
        idx[a] = 0;
      }
    }
    const count = sizeOf(shape) / outSize;
    const { tensor, data } = output(type!);
    for (let i = 0; i < outSize; i++) data[i] = kind === 'mean' ? acc[i]! / count : acc[i]!;
    return [tensor];
  };
}

export const reduceKernels = {
  ReduceSum: reduce('sum'),
  ReduceMean: reduce('mean'),
  ReduceMax: reduce('max'),
} satisfies Partial<Record<Op, Kernel>>;
