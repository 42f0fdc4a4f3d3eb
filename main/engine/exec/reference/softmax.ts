// Softmax and LogSoftmax along one axis (opset-13 semantics), max-shifted for stability.

import { type Op, intAttr, normAxes } from '../../ir/ops.js';
import { sizeOf } from '../../ir/tensor.js';
import { type Kernel, numbers, output } from './kernel.js';

function softmax(log: boolean): Kernel {
  return ([x], attrs, [type]) => {
    const shape = x!.shape;
    const axis = normAxes([intAttr(attrs, 'axis', -1)], shape.length, 'Softmax')[0]!;
    const outer = sizeOf(shape.slice(0, axis));
    const n = shape[axis]!;
    const inner = sizeOf(shape.slice(axis + 1));
    const src = numbers(x!);
    const { tensor, data } = output(type!);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        const base = o * n * inner + j;
        let max = -Infinity;
        for (let i = 0; i < n; i++) max = Math.max(max, src[base + i * inner]!);
        let sum = 0;
        for (let i = 0; i < n; i++) sum += Math.exp(src[base + i * inner]! - max);
        const logSum = Math.log(sum);
        for (let i = 0; i < n; i++) {
          const shifted = src[base + i * inner]! - max;
          data[base + i * inner] = log ? shifted - logSum : Math.exp(shifted) / sum;
        }
      }
    }
    return [tensor];
  };
}

export const softmaxKernels = { Softmax: softmax(false), LogSoftmax: softmax(true) } satisfies Partial<
  Record<Op, Kernel>
>;
