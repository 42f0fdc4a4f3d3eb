// The op set of the engine's IR and the shape rule of each op.
//
// Op names and semantics are ONNX's (opset 17), with one simplification: operands that ONNX takes
// as constant input tensors (Reshape's shape, Slice's starts/ends/axes/steps, Pad's pads,
// ReduceSum's axes, Clip's min/max, Resize's scales, Expand's shape) are attributes here. Shapes
// are static, so these are always known when the graph is built; the ONNX writer turns them into
// initializers and the reader turns constant inputs back into attributes.
//
// Every op appears in exactly three places: its shape rule (here), its gradient rule
// (grad/rules.ts) and its reference kernel (exec/reference/). A test enumerates OPS and checks all three.

import { type DType, type Shape, sizeOf } from './tensor.js';

export type AttrType = 'int' | 'ints' | 'float' | 'floats' | 'string';
export type AttrValue = number | readonly number[] | string;
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface TypedShape {
  dtype: DType;
  shape: Shape;
}

export interface OpSpec {
  /** Attribute names and their ONNX types; attributes not listed are rejected. */
  attrs: Readonly<Record<string, AttrType>>;
  /** Number of inputs: [min, max]. Optional inputs may be omitted at the end. */
  arity: readonly [number, number];
  /** Output types from input types and attributes; throws a ShapeError on a mismatch. */
  infer(inputs: readonly TypedShape[], attrs: Attrs): TypedShape[];
}

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

// ---- attribute access -------------------------------------------------------------------------

export function intAttr(attrs: Attrs, name: string, fallback: number): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : fallback;
}

export function intsAttr(attrs: Attrs, name: string, fallback: readonly number[]): readonly number[] {
  const v = attrs[name];
  return Array.isArray(v) ? (v as readonly number[]) : fallback;
}

export function floatAttr(attrs: Attrs, name: string, fallback: number): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : fallback;
}

// ---- shape helpers ----------------------------------------------------------------------------

/** Numpy-style broadcasting of two shapes. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`cannot broadcast [${a}] with [${b}]`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`${op}: axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function normAxes(axes: readonly number[], rank: number, op: string): number[] {
  return axes.map((a) => normAxis(a, rank, op));
}

function sameFloat(inputs: readonly TypedShape[], op: string): DType {
  const dtype = inputs[0]!.dtype;
  for (const t of inputs) {
    if (t.dtype !== dtype) throw new ShapeError(`${op}: mixed dtypes ${inputs.map((i) => i.dtype).join(', ')}`);
  }
  return dtype;
}

/** Output spatial size of a convolution or pooling window. */
export function convOutSize(inSize: number, k: number, stride: number, padBegin: number, padEnd: number, dilation: number): number {
  return Math.floor((inSize + padBegin + padEnd - dilation * (k - 1) - 1) / stride) + 1;
}

/** Output spatial size of a transposed convolution (ONNX formula with explicit pads). */
export function convTransposeOutSize(
  inSize: number,
  k: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
  outputPadding: number,
): number {
  return stride * (inSize - 1) + outputPadding + (k - 1) * dilation + 1 - padBegin - padEnd;
}

// ---- rules ------------------------------------------------------------------------------------

const unary: OpSpec = {
  attrs: {},
  arity: [1, 1],
  infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
};

const binary: OpSpec = {
  attrs: {},
  arity: [2, 2],
  infer: (ins, _a) => [{ dtype: sameFloat(ins, 'binary'), shape: broadcastShapes(ins[0]!.shape, ins[1]!.shape) }],
};

const compare: OpSpec = {
  attrs: {},
  arity: [2, 2],
  infer: (ins) => [{ dtype: 'bool', shape: broadcastShapes(ins[0]!.shape, ins[1]!.shape) }],
};

/**
 * QuantizeLinear (float32 → the zero point's int8/uint8; uint8 without one) and DequantizeLinear
 * (int8/uint8 → float32), opset 13: a scale and zero point per tensor (shape []) or per channel
 * along `axis` (shape [C]); the zero point has the scale's shape.
 */
function quantizeRule(op: 'QuantizeLinear' | 'DequantizeLinear'): OpSpec {
  return {
    attrs: { axis: 'int' },
    arity: [2, 3],
    infer: ([x, scale, zero], attrs) => {
      const quantize = op === 'QuantizeLinear';
      const ints = (d: DType) => d === 'int8' || d === 'uint8';
      if (quantize ? x!.dtype !== 'float32' : !ints(x!.dtype))
        throw new ShapeError(`${op}: input must be ${quantize ? 'float32' : 'int8 or uint8'}, is ${x!.dtype}`);
      if (scale!.dtype !== 'float32') throw new ShapeError(`${op}: scale must be float32`);
      if (scale!.shape.length > 1) throw new ShapeError(`${op}: scale must be a scalar or 1-D, is [${scale!.shape}]`);
      if (scale!.shape.length === 1) {
        const rank = x!.shape.length;
        const axis = intAttr(attrs, 'axis', 1);
        const a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ShapeError(`${op}: axis ${axis} out of range for rank ${rank}`);
        if (scale!.shape[0] !== x!.shape[a])
          throw new ShapeError(`${op}: ${scale!.shape[0]} scales for ${x!.shape[a]} channels on axis ${a}`);
      }
      if (zero) {
        if (!ints(zero.dtype)) throw new ShapeError(`${op}: zero point must be int8 or uint8, is ${zero.dtype}`);
        if (zero.shape.length !== scale!.shape.length || zero.shape.some((d, i) => d !== scale!.shape[i]))
          throw new ShapeError(`${op}: zero point [${zero.shape}] and scale [${scale!.shape}] differ in shape`);
        if (!quantize && zero.dtype !== x!.dtype)
          throw new ShapeError(`${op}: zero point is ${zero.dtype}, input ${x!.dtype}`);
      }
      return [{ dtype: quantize ? (zero?.dtype ?? 'uint8') : 'float32', shape: x!.shape }];
    },
  };
}

function reduceRule(op: string): OpSpec {
  return {
    attrs: { axes: 'ints', keepdims: 'int' },
    arity: [1, 1],
    infer: ([x], attrs) => {
      const rank = x!.shape.length;
      const axes = normAxes(intsAttr(attrs, 'axes', [...Array(rank).keys()]), rank, op);
      const keep = intAttr(attrs, 'keepdims', 1) === 1;
      const shape: number[] = [];
      x!.shape.forEach((d, i) => {
        if (axes.includes(i)) {
          if (keep) shape.push(1);
        } else shape.push(d);
      });
      return [{ dtype: x!.dtype, shape }];
    },
  };
}

function convLike(op: 'Conv' | 'ConvTranspose'): OpSpec {
  return {
    attrs:
      op === 'Conv'
        ? { strides: 'ints', pads: 'ints', dilations: 'ints', group: 'int', kernel_shape: 'ints' }
        : { strides: 'ints', pads: 'ints', dilations: 'ints', group: 'int', kernel_shape: 'ints', output_padding: 'ints' },
    arity: [2, 3],
    infer: (ins, attrs) => {
      const [x, w, b] = ins;
      const dtype = sameFloat(ins, op);
      const sp = x!.shape.length - 2;
      if (sp < 1 || w!.shape.length !== x!.shape.length) {
        throw new ShapeError(`${op}: x [${x!.shape}] and w [${w!.shape}] must both be N-C-spatial with equal rank`);
      }
      const group = intAttr(attrs, 'group', 1);
      const strides = intsAttr(attrs, 'strides', Array(sp).fill(1));
      const dil = intsAttr(attrs, 'dilations', Array(sp).fill(1));
      const pads = intsAttr(attrs, 'pads', Array(2 * sp).fill(0));
      const cin = x!.shape[1]!;
      let cout: number;
      if (op === 'Conv') {
        if (w!.shape[1]! * group !== cin) {
          throw new ShapeError(`Conv: x has ${cin} channels but w [${w!.shape}] with group ${group} expects ${w!.shape[1]! * group}`);
        }
        cout = w!.shape[0]!;
      } else {
        if (w!.shape[0] !== cin) throw new ShapeError(`ConvTranspose: x has ${cin} channels, w [${w!.shape}] expects ${w!.shape[0]}`);
        cout = w!.shape[1]! * group;
      }
      if (b && (b.shape.length !== 1 || b.shape[0] !== cout)) {
        throw new ShapeError(`${op}: bias [${b.shape}] must be [${cout}]`);
      }
      const shape = [x!.shape[0]!, cout];
      const outPad = intsAttr(attrs, 'output_padding', Array(sp).fill(0));
      for (let i = 0; i < sp; i++) {
        const k = w!.shape[2 + i]!;
        const n =
          op === 'Conv'
            ? convOutSize(x!.shape[2 + i]!, k, strides[i]!, pads[i]!, pads[i + sp]!, dil[i]!)
            : convTransposeOutSize(x!.shape[2 + i]!, k, strides[i]!, pads[i]!, pads[i + sp]!, dil[i]!, outPad[i]!);
        if (n < 1) throw new ShapeError(`${op}: output size ${n} < 1 along spatial axis ${i}`);
        shape.push(n);
      }
      return [{ dtype, shape }];
    },
  };
}

function poolRule(op: string): OpSpec {
  return {
    attrs: { kernel_shape: 'ints', strides: 'ints', pads: 'ints' },
    arity: [1, 1],
    infer: ([x], attrs) => {
      const sp = x!.shape.length - 2;
      const k = intsAttr(attrs, 'kernel_shape', []);
      if (k.length !== sp) throw new ShapeError(`${op}: kernel_shape [${k}] must have ${sp} entries`);
      const strides = intsAttr(attrs, 'strides', Array(sp).fill(1));
      const pads = intsAttr(attrs, 'pads', Array(2 * sp).fill(0));
      const shape = [x!.shape[0]!, x!.shape[1]!];
      for (let i = 0; i < sp; i++) shape.push(convOutSize(x!.shape[2 + i]!, k[i]!, strides[i]!, pads[i]!, pads[i + sp]!, 1));
      return [{ dtype: x!.dtype, shape }];
    },
  };
}

/** Shape of Reshape's target with ONNX's 0 (copy) and -1 (infer) entries resolved. */
export function resolveReshape(inShape: Shape, target: readonly number[]): number[] {
  const out = target.map((d, i) => (d === 0 ? inShape[i]! : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = sizeOf(inShape);
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1) throw new ShapeError(`Reshape: more than one -1 in [${target}]`);
  if (minus === 1) {
    if (known === 0 || total % known !== 0) throw new ShapeError(`Reshape: cannot reshape [${inShape}] to [${target}]`);
    out[out.indexOf(-1)] = total / known;
  }
  if (sizeOf(out) !== total) throw new ShapeError(`Reshape: cannot reshape [${inShape}] (${total} elements) to [${target}]`);
  return out;
}

/** Clamped start, end, step for one axis of an ONNX Slice. */
export function sliceRange(dim: number, start: number, end: number, step: number): { start: number; end: number; step: number; count: number } {
  if (step === 0) throw new ShapeError('Slice: step 0');
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, -1), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  const count = step > 0 ? Math.max(0, Math.ceil((e - s) / step)) : Math.max(0, Math.ceil((s - e) / -step));
  return { start: s, end: e, step, count };
}

export const opSpecs = {
  // elementwise
  Add: binary,
  Sub: binary,
  Mul: binary,
  Div: binary,
  Pow: binary,
  Max: binary,
  Min: binary,
  Greater: compare,
  Less: compare,
  Equal: compare,
  Where: {
    attrs: {},
    arity: [3, 3],
    infer: ([c, a, b]) => {
      if (c!.dtype !== 'bool') throw new ShapeError('Where: condition must be bool');
      return [{ dtype: sameFloat([a!, b!], 'Where'), shape: broadcastShapes(c!.shape, broadcastShapes(a!.shape, b!.shape)) }];
    },
  },
  Neg: unary,
  Abs: unary,
  Sign: unary,
  Exp: unary,
  Log: unary,
  Sqrt: unary,
  Reciprocal: unary,
  Relu: unary,
  Sigmoid: unary,
  Tanh: unary,
  Softplus: unary,
  Identity: unary,
  LeakyRelu: { ...unary, attrs: { alpha: 'float' } },
  Clip: { ...unary, attrs: { min: 'float', max: 'float' } },
  Cast: {
    attrs: { to: 'string' },
    arity: [1, 1],
    infer: ([x], attrs) => [{ dtype: attrs.to as DType, shape: x!.shape }],
  },
  // linear algebra
  MatMul: {
    attrs: {},
    arity: [2, 2],
    infer: (ins) => {
      const [a, b] = ins;
      const dtype = sameFloat(ins, 'MatMul');
      if (a!.shape.length < 2 || b!.shape.length < 2) throw new ShapeError('MatMul: operands must have rank ≥ 2');
      const m = a!.shape[a!.shape.length - 2]!;
      const k = a!.shape[a!.shape.length - 1]!;
      const k2 = b!.shape[b!.shape.length - 2]!;
      const n = b!.shape[b!.shape.length - 1]!;
      if (k !== k2) throw new ShapeError(`MatMul: [${a!.shape}] × [${b!.shape}] inner dimensions differ`);
      const batch = broadcastShapes(a!.shape.slice(0, -2), b!.shape.slice(0, -2));
      return [{ dtype, shape: [...batch, m, n] }];
    },
  },
  Gemm: {
    attrs: { alpha: 'float', beta: 'float', transA: 'int', transB: 'int' },
    arity: [2, 3],
    infer: (ins, attrs) => {
      const [a, b, c] = ins;
      const dtype = sameFloat(ins, 'Gemm');
      if (a!.shape.length !== 2 || b!.shape.length !== 2) throw new ShapeError('Gemm: A and B must be matrices');
      const [m, k] = intAttr(attrs, 'transA', 0) ? [a!.shape[1]!, a!.shape[0]!] : [a!.shape[0]!, a!.shape[1]!];
      const [k2, n] = intAttr(attrs, 'transB', 0) ? [b!.shape[1]!, b!.shape[0]!] : [b!.shape[0]!, b!.shape[1]!];
      if (k !== k2) throw new ShapeError(`Gemm: inner dimensions ${k} and ${k2} differ`);
      if (c) broadcastShapes([m, n], c.shape);
      return [{ dtype, shape: [m, n] }];
    },
  },
  Conv: convLike('Conv'),
  ConvTranspose: convLike('ConvTranspose'),
  MaxPool: poolRule('MaxPool'),
  AveragePool: poolRule('AveragePool'),
  // shape manipulation
  Reshape: {
    attrs: { shape: 'ints' },
    arity: [1, 1],
    infer: ([x], attrs) => [{ dtype: x!.dtype, shape: resolveReshape(x!.shape, intsAttr(attrs, 'shape', [])) }],
  },
  Flatten: {
    attrs: { axis: 'int' },
    arity: [1, 1],
    infer: ([x], attrs) => {
      const axis = intAttr(attrs, 'axis', 1);
      const a = axis < 0 ? axis + x!.shape.length : axis;
      return [{ dtype: x!.dtype, shape: [sizeOf(x!.shape.slice(0, a)), sizeOf(x!.shape.slice(a))] }];
    },
  },
  Transpose: {
    attrs: { perm: 'ints' },
    arity: [1, 1],
    infer: ([x], attrs) => {
      const rank = x!.shape.length;
      const perm = intsAttr(attrs, 'perm', [...Array(rank).keys()].reverse());
      if (perm.length !== rank || [...perm].sort().some((p, i) => p !== i)) {
        throw new ShapeError(`Transpose: perm [${perm}] is not a permutation of rank ${rank}`);
      }
      return [{ dtype: x!.dtype, shape: perm.map((p) => x!.shape[p]!) }];
    },
  },
  Expand: {
    attrs: { shape: 'ints' },
    arity: [1, 1],
    infer: ([x], attrs) => [{ dtype: x!.dtype, shape: broadcastShapes(x!.shape, intsAttr(attrs, 'shape', [])) }],
  },
  Slice: {
    attrs: { starts: 'ints', ends: 'ints', axes: 'ints', steps: 'ints' },
    arity: [1, 1],
    infer: ([x], attrs) => {
      const rank = x!.shape.length;
      const starts = intsAttr(attrs, 'starts', []);
      const ends = intsAttr(attrs, 'ends', []);
      const axes = normAxes(intsAttr(attrs, 'axes', [...starts.keys()]), rank, 'Slice');
      const steps = intsAttr(attrs, 'steps', Array(starts.length).fill(1));
      const shape = [...x!.shape];
      axes.forEach((a, i) => {
        shape[a] = sliceRange(x!.shape[a]!, starts[i]!, ends[i]!, steps[i]!).count;
      });
      return [{ dtype: x!.dtype, shape }];
    },
  },
  Pad: {
    attrs: { pads: 'ints', mode: 'string', value: 'float' },
    arity: [1, 1],
    infer: ([x], attrs) => {
      const rank = x!.shape.length;
      const pads = intsAttr(attrs, 'pads', []);
      if (pads.length !== 2 * rank) throw new ShapeError(`Pad: pads [${pads}] must have ${2 * rank} entries`);
      const mode = (attrs.mode as string | undefined) ?? 'constant';
      const shape = x!.shape.map((d, i) => {
        if (mode === 'reflect' && (pads[i]! >= d || pads[i + rank]! >= d)) {
          throw new ShapeError(`Pad: reflect padding ${pads[i]}/${pads[i + rank]} needs more than ${d} elements on axis ${i}`);
        }
        return d + pads[i]! + pads[i + rank]!;
      });
      return [{ dtype: x!.dtype, shape }];
    },
  },
  Concat: {
    attrs: { axis: 'int' },
    arity: [1, Infinity],
    infer: (ins, attrs) => {
      const dtype = sameFloat(ins, 'Concat');
      const rank = ins[0]!.shape.length;
      const axis = normAxis(intAttr(attrs, 'axis', 0), rank, 'Concat');
      const shape = [...ins[0]!.shape];
      shape[axis] = 0;
      for (const t of ins) {
        if (t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== ins[0]!.shape[i])) {
          throw new ShapeError(`Concat: shapes ${ins.map((i) => `[${i.shape}]`).join(', ')} differ off axis ${axis}`);
        }
        shape[axis]! += t.shape[axis]!;
      }
      return [{ dtype, shape }];
    },
  },
  Resize: {
    attrs: { scales: 'floats', mode: 'string' },
    arity: [1, 1],
    infer: ([x], attrs) => {
      const scales = (attrs.scales as readonly number[] | undefined) ?? [];
      if (scales.length !== x!.shape.length) throw new ShapeError(`Resize: scales [${scales}] must match rank ${x!.shape.length}`);
      return [{ dtype: x!.dtype, shape: x!.shape.map((d, i) => Math.floor(d * scales[i]!)) }];
    },
  },
  // reductions and normalisations
  ReduceSum: reduceRule('ReduceSum'),
  ReduceMean: reduceRule('ReduceMean'),
  ReduceMax: reduceRule('ReduceMax'),
  Softmax: { ...unary, attrs: { axis: 'int' } },
  LogSoftmax: { ...unary, attrs: { axis: 'int' } },
  // quantisation (int8 models: see quant/)
  QuantizeLinear: quantizeRule('QuantizeLinear'),
  DequantizeLinear: quantizeRule('DequantizeLinear'),
} satisfies Record<string, OpSpec>;

export type Op = keyof typeof opSpecs;
export const OPS = Object.keys(opSpecs) as Op[];

export function isOp(name: string): name is Op {
  return Object.hasOwn(opSpecs, name);
}
