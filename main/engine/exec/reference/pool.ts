// MaxPool and AveragePool (ONNX defaults: padding never wins a max, and averages count only the
// elements inside the input — count_include_pad = 0).

import { type Op, intsAttr } from '../../ir/ops.js';
import { sizeOf } from '../../ir/tensor.js';
import { type Kernel, numbers, output } from './kernel.js';
import { windowGeometry, windowTable } from './window.js';

function pool(kind: 'max' | 'average'): Kernel {
  return ([x], attrs, [type]) => {
    const [N, C] = x!.shape as [number, number];
    const kernel = intsAttr(attrs, 'kernel_shape', []);
    const bigSpatial = x!.shape.slice(2);
    const smallSpatial = type!.shape.slice(2);
    const geo = { ...windowGeometry(attrs, kernel.length), dilations: kernel.map(() => 1) };
    const table = windowTable(smallSpatial, bigSpatial, kernel, geo);
    const L = sizeOf(smallSpatial);
    const B = sizeOf(bigSpatial);
    const K = sizeOf(kernel);
    const dx = numbers(x!);
    const { tensor, data } = output(type!);
    for (let nc = 0; nc < N * C; nc++) {
      const xBase = nc * B;
      for (let l = 0; l < L; l++) {
        let best = -Infinity;
        let sum = 0;
        let count = 0;
        for (let k = 0; k < K; k++) {
          const idx = table[l * K + k]!;
          if (idx < 0) continue;
          const v = dx[xBase + idx]!;
          if (v > best || v !== v) best = v;
          sum += v;
          count++;
        }
        data[nc * L + l] = kind === 'max' ? best : sum / count;
      }
    }
    return [tensor];
  };
}

export const poolKernels = { MaxPool: pool('max'), AveragePool: pool('average') } satisfies Partial<Record<Op, Kernel>>;
