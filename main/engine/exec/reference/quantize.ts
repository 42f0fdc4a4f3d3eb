// QuantizeLinear and DequantizeLinear (ONNX opset 13): y = saturate(round(x / scale) + zero) and
// x = (y − zero) × scale, with one scale and zero point per tensor or per channel along `axis`.
// The arithmetic is quant/scheme.ts's.

import { type Attrs, type Op, intAttr } from '../../ir/ops.js';
import type { Tensor } from '../../ir/tensor.js';
import { channelIndexer, dequantizeNumber, intRange, quantizeNumber } from '../../quant/scheme.js';
import { type Kernel, numbers, output } from './kernel.js';

/** For element i: the index of its scale and zero point (0 when they are per tensor). */
function channelOf(x: Tensor, scale: Tensor, attrs: Attrs): (i: number) => number {
  if (scale.shape.length === 0) return () => 0;
  const axis = intAttr(attrs, 'axis', 1);
  return channelIndexer(x.shape, axis < 0 ? axis + x.shape.length : axis);
}

const quantizeLinear: Kernel = ([x, scale, zero], attrs, [type]) => {
  const { tensor, data } = output(type!);
  const [lo, hi] = intRange(type!.dtype as 'int8' | 'uint8');
  const dx = numbers(x!);
  const s = numbers(scale!);
  const z = zero ? numbers(zero) : [0];
  const ch = channelOf(x!, scale!, attrs);
  for (let i = 0; i < data.length; i++) {
    const c = ch(i);
    data[i] = quantizeNumber(dx[i]!, s[c]!, z[c] ?? 0, lo, hi);
  }
  return [tensor];
};

const dequantizeLinear: Kernel = ([x, scale, zero], attrs, [type]) => {
  const { tensor, data } = output(type!);
  const dx = numbers(x!);
  const s = numbers(scale!);
  const z = zero ? numbers(zero) : [0];
  const ch = channelOf(x!, scale!, attrs);
  for (let i = 0; i < data.length; i++) {
    const c = ch(i);
    data[i] = dequantizeNumber(dx[i]!, s[c]!, z[c] ?? 0);
  }
  return [tensor];
};

export const quantizeKernels = {
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
} satisfies Partial<Record<Op, Kernel>>;
