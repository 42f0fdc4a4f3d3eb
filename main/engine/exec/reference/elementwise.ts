// Elementwise kernels: numpy-broadcasting binary ops, comparisons, Where, unary maths and Cast.

import { type Attrs, type Op, floatAttr } from '../../ir/ops.js';
import { type DType, Tensor, allocate, sizeOf } from '../../ir/tensor.js';
import { type Kernel, broadcastIndex, numbers, output } from './kernel.js';

function binary(f: (a: number, b: number) => number): Kernel {
  return ([a, b], _attrs, [type]) => {
    const { tensor, data } = output(type!);
    const ia = broadcastIndex(a!.shape, type!.shape);
    const ib = broadcastIndex(b!.shape, type!.shape);
    const da = numbers(a!);
    const db = numbers(b!);
    for (let i = 0; i < data.length; i++) data[i] = f(da[ia ? ia[i]! : i]!, db[ib ? ib[i]! : i]!);
    return [tensor];
  };
}

function unary(f: (x: number, attrs: Attrs) => number): Kernel {
  return ([x], attrs, [type]) => {
    const { tensor, data } = output(type!);
    const dx = numbers(x!);
    for (let i = 0; i < data.length; i++) data[i] = f(dx[i]!, attrs);
    return [tensor];
  };
}

const where: Kernel = ([c, a, b], _attrs, [type]) => {
  const { tensor, data } = output(type!);
  const ic = broadcastIndex(c!.shape, type!.shape);
  const ia = broadcastIndex(a!.shape, type!.shape);
  const ib = broadcastIndex(b!.shape, type!.shape);
  const dc = numbers(c!);
  const da = numbers(a!);
  const db = numbers(b!);
  for (let i = 0; i < data.length; i++) data[i] = dc[ic ? ic[i]! : i] ? da[ia ? ia[i]! : i]! : db[ib ? ib[i]! : i]!;
  return [tensor];
};

const cast: Kernel = ([x], attrs) => {
  const to = attrs.to as DType;
  const src = numbers(x!);
  const n = sizeOf(x!.shape);
  const out = allocate(to, n);
  if (out instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) out[i] = BigInt(Math.trunc(src[i]!));
  } else if (to === 'bool') {
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
  } else {
    out.set(src);
  }
  return [new Tensor(to, x!.shape, out)];
};

/** log(1 + e^x) without overflow for large |x|. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  // Split on the sign so exp never overflows into a 0/∞ ratio.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export const elementwiseKernels = {
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b) => a / b),
  Pow: binary((a, b) => Math.pow(a, b)),
  Max: binary((a, b) => (a !== a || b !== b ? NaN : Math.max(a, b))),
  Min: binary((a, b) => (a !== a || b !== b ? NaN : Math.min(a, b))),
  Greater: binary((a, b) => (a > b ? 1 : 0)),
  Less: binary((a, b) => (a < b ? 1 : 0)),
  Equal: binary((a, b) => (a === b ? 1 : 0)),
  Where: where,
  Neg: unary((x) => -x),
  Abs: unary((x) => Math.abs(x)),
  Sign: unary((x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN)),
  Exp: unary((x) => Math.exp(x)),
  Log: unary((x) => Math.log(x)),
  Sqrt: unary((x) => Math.sqrt(x)),
  Reciprocal: unary((x) => 1 / x),
  Relu: unary((x) => (x > 0 ? x : 0)),
  Sigmoid: unary(sigmoid),
  Tanh: unary((x) => Math.tanh(x)),
  Softplus: unary(softplus),
  Identity: unary((x) => x),
  LeakyRelu: unary((x, attrs) => (x >= 0 ? x : floatAttr(attrs, 'alpha', 0.01) * x)),
  Clip: unary((x, attrs) =>
    Math.min(Math.max(x, floatAttr(attrs, 'min', -Infinity)), floatAttr(attrs, 'max', Infinity)),
  ),
  Cast: cast,
} satisfies Partial<Record<Op, Kernel>>;
