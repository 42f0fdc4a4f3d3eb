// THE table of gradient rules: one entry per op of the IR (tinygrad style).
//
// A rule receives the forward node's inputs and output and the gradient dy of that output, and
// returns one gradient per input (null where the input gets none), written with the same Graph
// builder, so the backward pass is more graph. Gradients of broadcasting ops may come back in the
// output's (broadcast) shape: backward() sums them down to the input's shape. `needs[i]` says
// whether input i wants a gradient at all, so rules skip work (and ops like Log(a) in Pow's
// exponent gradient) nobody asked for.
//
// Conventions follow PyTorch's autograd where a derivative is not unique: Relu'(0) = 0,
// |x|'(0) = 0, Clip passes the gradient at its bounds, Max/Min split it evenly on ties, ReduceMax
// splits it evenly among equal maxima, MaxPool gives it to the first maximum of the window.
//
// Every op emitted here is a standard ONNX opset-17 op from opSpecs that ONNX Runtime's CPU
// provider runs in float32.

import type { Graph, Node, Value } from '../ir/graph.js';
import { type Op, floatAttr, intAttr, intsAttr, normAxes } from '../ir/ops.js';
import { isFloat, sizeOf } from '../ir/tensor.js';
import { sliceAdjoint } from './adjoints.js';
import {
  averagePoolGrad,
  biasGrad,
  convGeometry,
  convInputGrad,
  convTransposeInputGrad,
  convWeightGrad,
  maxPoolGrad,
} from './conv.js';

export interface GradContext {
  g: Graph;
  node: Node;
  /** Forward inputs (null for an omitted optional input). */
  inputs: readonly (Value | null)[];
  /** Forward output. */
  y: Value;
  /** Gradient of the loss with respect to y (same shape and dtype as y). */
  dy: Value;
  /** Whether input i needs a gradient. */
  needs: readonly boolean[];
}

export type GradRule = (ctx: GradContext) => (Value | null)[];

/** Marks an op whose output carries no gradient back (comparisons, Sign, Cast to bool…). */
export const NO_GRADIENT = 'no gradient' as const;

const c = (ctx: GradContext, x: number): Value => ctx.g.scalar(x, ctx.dy.dtype);
const inp = (ctx: GradContext, i: number): Value => ctx.inputs[i]!;
/** Calls `f` only when input i needs a gradient. */
const when = (ctx: GradContext, i: number, f: () => Value): Value | null => (ctx.needs[i] ? f() : null);

/** Where(mask, dy, 0): the gradient of an op that passes dy through where mask holds. */
const passWhere = (ctx: GradContext, mask: Value, value: Value = ctx.dy): Value => ctx.g.where(mask, value, c(ctx, 0));

/** Gradient share of `a` in Max/Min: all of dy where a wins, half of it on a tie (PyTorch). */
function extremumShare(ctx: GradContext, wins: Value, a: Value, b: Value): Value {
  const { g, dy } = ctx;
  return g.where(wins, dy, g.where(g.equal(a, b), g.mul(dy, c(ctx, 0.5)), c(ctx, 0)));
}

function swapLastTwo(g: Graph, v: Value): Value {
  const r = v.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return g.transpose(v, perm);
}

/** Reduction axes of a Reduce* node and the keepdims shape of its output. */
function reduction(ctx: GradContext): { axes: number[]; kept: number[] } {
  const x = inp(ctx, 0);
  const rank = x.shape.length;
  const axes = normAxes(intsAttr(ctx.node.attrs, 'axes', [...Array(rank).keys()]), rank, ctx.node.op);
  return { axes, kept: x.shape.map((d, a) => (axes.includes(a) ? 1 : d)) };
}

/** dy of a reduction brought back to the input's shape (Reshape to keepdims, Expand). */
function spreadReduced(ctx: GradContext, dy: Value = ctx.dy): Value {
  const { kept } = reduction(ctx);
  const k = intAttr(ctx.node.attrs, 'keepdims', 1) === 1 ? dy : ctx.g.reshape(dy, kept);
  return ctx.g.expand(k, [...inp(ctx, 0).shape]);
}

/** A complete table: every op has a rule or says it has no gradient. */
export type GradRules = Readonly<Record<Op, GradRule | typeof NO_GRADIENT>>;

export const gradRules: GradRules = {
  // ---- elementwise -------------------------------------------------------------------------
  Add: ({ dy }) => [dy, dy],
  Sub: (ctx) => [ctx.dy, when(ctx, 1, () => ctx.g.neg(ctx.dy))],
  Mul: (ctx) => [
    when(ctx, 0, () => ctx.g.mul(ctx.dy, inp(ctx, 1))),
    when(ctx, 1, () => ctx.g.mul(ctx.dy, inp(ctx, 0))),
  ],
  Div: (ctx) => [
    when(ctx, 0, () => ctx.g.div(ctx.dy, inp(ctx, 1))),
    // ∂(a/b)/∂b = −a/b² = −y/b
    when(ctx, 1, () => ctx.g.neg(ctx.g.div(ctx.g.mul(ctx.dy, ctx.y), inp(ctx, 1)))),
  ],
  Pow: (ctx) => {
    const { g, dy, y } = ctx;
    const [a, b] = [inp(ctx, 0), inp(ctx, 1)];
    return [
      when(ctx, 0, () => g.mul(dy, g.mul(b, g.pow(a, g.sub(b, c(ctx, 1)))))),
      when(ctx, 1, () => g.mul(dy, g.mul(y, g.log(a)))),
    ];
  },
  Max: (ctx) => {
    const [a, b] = [inp(ctx, 0), inp(ctx, 1)];
    return [
      when(ctx, 0, () => extremumShare(ctx, ctx.g.greater(a, b), a, b)),
      when(ctx, 1, () => extremumShare(ctx, ctx.g.greater(b, a), a, b)),
    ];
  },
  Min: (ctx) => {
    const [a, b] = [inp(ctx, 0), inp(ctx, 1)];
    return [
      when(ctx, 0, () => extremumShare(ctx, ctx.g.less(a, b), a, b)),
      when(ctx, 1, () => extremumShare(ctx, ctx.g.less(b, a), a, b)),
    ];
  },
  Greater: NO_GRADIENT,
  Less: NO_GRADIENT,
  Equal: NO_GRADIENT,
  Sign: NO_GRADIENT,
  Where: (ctx) => {
    const cond = inp(ctx, 0);
    return [null, when(ctx, 1, () => passWhere(ctx, cond)), when(ctx, 2, () => ctx.g.where(cond, c(ctx, 0), ctx.dy))];
  },
  Neg: ({ g, dy }) => [g.neg(dy)],
  Abs: (ctx) => [ctx.g.mul(ctx.dy, ctx.g.sign(inp(ctx, 0)))],
  Exp: ({ g, dy, y }) => [g.mul(dy, y)],
  Log: (ctx) => [ctx.g.div(ctx.dy, inp(ctx, 0))],
  Sqrt: (ctx) => [ctx.g.div(ctx.dy, ctx.g.mul(ctx.y, c(ctx, 2)))],
  Reciprocal: ({ g, dy, y }) => [g.neg(g.mul(dy, g.mul(y, y)))],
  // From the OUTPUT (y > 0 ⟺ x > 0, and Relu'(0) = 0 either way): when the backward pass does not
  // read the pre-activation, it keeps a single consumer and ORT fuses Conv + Relu (measured in
  // bench/conv-grad-formulations.ts). dy · Cast(y > 0) is a cheaper mask than Where.
  Relu: (ctx) => [ctx.g.mul(ctx.dy, ctx.g.cast(ctx.g.greater(ctx.y, c(ctx, 0)), ctx.dy.dtype))],
  Sigmoid: (ctx) => [ctx.g.mul(ctx.dy, ctx.g.mul(ctx.y, ctx.g.sub(c(ctx, 1), ctx.y)))],
  Tanh: (ctx) => [ctx.g.mul(ctx.dy, ctx.g.sub(c(ctx, 1), ctx.g.mul(ctx.y, ctx.y)))],
  Softplus: (ctx) => [ctx.g.mul(ctx.dy, ctx.g.sigmoid(inp(ctx, 0)))],
  Identity: ({ dy }) => [dy],
  LeakyRelu: (ctx) => {
    const alpha = floatAttr(ctx.node.attrs, 'alpha', 0.01);
    return [ctx.g.where(ctx.g.greater(inp(ctx, 0), c(ctx, 0)), ctx.dy, ctx.g.mul(ctx.dy, c(ctx, alpha)))];
  },
  Clip: (ctx) => {
    const { g, node } = ctx;
    const x = inp(ctx, 0);
    let grad = ctx.dy;
    // Zero outside [min, max]; at the bounds the gradient passes (PyTorch's clamp).
    if (node.attrs.max !== undefined) grad = g.where(g.greater(x, c(ctx, node.attrs.max as number)), c(ctx, 0), grad);
    if (node.attrs.min !== undefined) grad = g.where(g.less(x, c(ctx, node.attrs.min as number)), c(ctx, 0), grad);
    return [grad];
  },
  Cast: (ctx) => {
    const x = inp(ctx, 0);
    return [isFloat(x.dtype) && isFloat(ctx.y.dtype) ? ctx.g.cast(ctx.dy, x.dtype) : null];
  },

  // ---- linear algebra ----------------------------------------------------------------------
  MatMul: (ctx) => {
    const { g, dy } = ctx;
    const [a, b] = [inp(ctx, 0), inp(ctx, 1)];
    return [when(ctx, 0, () => g.matmul(dy, swapLastTwo(g, b))), when(ctx, 1, () => g.matmul(swapLastTwo(g, a), dy))];
  },
  Gemm: (ctx) => {
    // Y = α·A'·B' + β·C with A' = transA ? Aᵀ : A, B' likewise.
    const { g, dy, node } = ctx;
    const [a, b] = [inp(ctx, 0), inp(ctx, 1)];
    const alpha = floatAttr(node.attrs, 'alpha', 1);
    const beta = floatAttr(node.attrs, 'beta', 1);
    const tA = intAttr(node.attrs, 'transA', 0) === 1;
    const tB = intAttr(node.attrs, 'transB', 0) === 1;
    // ∂A' = α·dy·B'ᵀ and ∂B' = α·A'ᵀ·dy, each written as one Gemm in the operand's own layout.
    const dA = when(ctx, 0, () =>
      tA ? g.gemm(b, dy, null, { alpha, transA: tB, transB: true }) : g.gemm(dy, b, null, { alpha, transB: !tB }),
    );
    const dB = when(ctx, 1, () =>
      tB ? g.gemm(dy, a, null, { alpha, transA: true, transB: tA }) : g.gemm(a, dy, null, { alpha, transA: !tA }),
    );
    const dC = ctx.inputs[2] ? when(ctx, 2, () => (beta === 1 ? dy : g.mul(dy, c(ctx, beta)))) : null;
    return [dA, dB, dC];
  },
  // ∂x, ∂W: grad/conv.ts, general formulations with a fast path for 2-D convs with stride 1,
  // dilation 1, group 1 and pads ≤ k−1 (isDenseStrideOneConv2d; see that file's header).
  Conv: (ctx) => {
    const { g, dy, node } = ctx;
    const [x, w] = [inp(ctx, 0), inp(ctx, 1)];
    const geo = convGeometry(node.attrs, x.shape.length - 2);
    return [
      when(ctx, 0, () => convInputGrad(g, dy, w, x.shape, geo)),
      when(ctx, 1, () => convWeightGrad(g, x, dy, w.shape.slice(2), geo)),
      ctx.inputs[2] ? when(ctx, 2, () => biasGrad(g, dy)) : null,
    ];
  },
  ConvTranspose: (ctx) => {
    const { g, dy, node } = ctx;
    const [x, w] = [inp(ctx, 0), inp(ctx, 1)];
    const geo = convGeometry(node.attrs, x.shape.length - 2);
    return [
      when(ctx, 0, () => convTransposeInputGrad(g, dy, w, geo)),
      // The forward scatters x through W into dy's grid: W's gradient is the im2col product with
      // dy as the windowed tensor and x as the "output gradient", shaped [C_in, C_out/group, k…].
      when(ctx, 1, () => convWeightGrad(g, dy, x, w.shape.slice(2), geo)),
      ctx.inputs[2] ? when(ctx, 2, () => biasGrad(g, dy)) : null,
    ];
  },
  MaxPool: (ctx) => {
    const x = inp(ctx, 0);
    const kernel = intsAttr(ctx.node.attrs, 'kernel_shape', []);
    return [maxPoolGrad(ctx.g, x, ctx.y, ctx.dy, kernel, convGeometry(ctx.node.attrs, kernel.length))];
  },
  AveragePool: (ctx) => {
    const kernel = intsAttr(ctx.node.attrs, 'kernel_shape', []);
    return [averagePoolGrad(ctx.g, ctx.dy, inp(ctx, 0).shape, kernel, convGeometry(ctx.node.attrs, kernel.length))];
  },

  // ---- shape manipulation --------------------------------------------------------------------
  Reshape: (ctx) => [ctx.g.reshape(ctx.dy, [...inp(ctx, 0).shape])],
  Flatten: (ctx) => [ctx.g.reshape(ctx.dy, [...inp(ctx, 0).shape])],
  Transpose: (ctx) => {
    const rank = ctx.dy.shape.length;
    const perm = intsAttr(ctx.node.attrs, 'perm', [...Array(rank).keys()].reverse());
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [ctx.g.transpose(ctx.dy, inverse)];
  },
  // Expand is broadcasting: backward() sums dy back down to the input's shape.
  Expand: ({ dy }) => [dy],
  Slice: (ctx) => {
    const a = ctx.node.attrs;
    return [
      sliceAdjoint(
        ctx.g,
        ctx.dy,
        inp(ctx, 0).shape,
        intsAttr(a, 'starts', []),
        intsAttr(a, 'ends', []),
        a.axes as readonly number[] | undefined,
        a.steps as readonly number[] | undefined,
      ),
    ];
  },
  Pad: (ctx) => [padGrad(ctx)],
  Concat: (ctx) => {
    const rank = ctx.dy.shape.length;
    const axis = normAxes([intAttr(ctx.node.attrs, 'axis', 0)], rank, 'Concat')[0]!;
    let offset = 0;
    return ctx.inputs.map((v, i) => {
      const start = offset;
      offset += v!.shape[axis]!;
      return when(ctx, i, () => ctx.g.slice(ctx.dy, [start], [offset], [axis]));
    });
  },
  Resize: (ctx) => {
    // Nearest upsampling by integer factors repeats each element s×s… times: sum those blocks.
    const x = inp(ctx, 0);
    const scales = ctx.node.attrs.scales as readonly number[];
    if (scales.some((s, a) => !Number.isInteger(s) || s < 1 || ctx.dy.shape[a] !== x.shape[a]! * s)) {
      throw new Error(`Resize: gradient only for nearest upsampling by integer factors, not scales [${scales}]`);
    }
    const split: number[] = [];
    const sumAxes: number[] = [];
    x.shape.forEach((d, a) => {
      split.push(d);
      if (scales[a]! > 1) {
        sumAxes.push(split.length);
        split.push(scales[a]!);
      }
    });
    if (sumAxes.length === 0) return [ctx.dy];
    return [ctx.g.reduceSum(ctx.g.reshape(ctx.dy, split), sumAxes, false)];
  },

  // ---- reductions and normalisations ---------------------------------------------------------
  ReduceSum: (ctx) => [spreadReduced(ctx)],
  ReduceMean: (ctx) => {
    const x = inp(ctx, 0);
    const count = sizeOf(x.shape) / sizeOf(ctx.y.shape);
    return [ctx.g.mul(spreadReduced(ctx), c(ctx, 1 / count))];
  },
  ReduceMax: (ctx) => {
    const { g } = ctx;
    const x = inp(ctx, 0);
    const { axes, kept } = reduction(ctx);
    const yKept = g.reshape(ctx.y, kept);
    const dyKept = g.reshape(ctx.dy, kept);
    const hit = g.cast(g.equal(x, yKept), x.dtype);
    const ties = g.reduceSum(hit, axes, true);
    return [g.mul(hit, g.div(dyKept, ties))];
  },
  Softmax: (ctx) => {
    const { g, dy, y } = ctx;
    const axis = intAttr(ctx.node.attrs, 'axis', -1);
    return [g.mul(y, g.sub(dy, g.reduceSum(g.mul(dy, y), [axis], true)))];
  },
  LogSoftmax: (ctx) => {
    const { g, dy, y } = ctx;
    const axis = intAttr(ctx.node.attrs, 'axis', -1);
    return [g.sub(dy, g.mul(g.exp(y), g.reduceSum(dy, [axis], true)))];
  },
  // Rounding to integers: int8 models are made from trained float models, never trained themselves.
  QuantizeLinear: NO_GRADIENT,
  DequantizeLinear: NO_GRADIENT,
};

/**
 * Pad's adjoint. Constant mode: cut the padding back off (and zero-pad where negative pads had
 * cropped). Reflect and edge modes also fold the padded border's gradient back onto the elements
 * it copied, one axis at a time.
 */
function padGrad(ctx: GradContext): Value {
  const { g } = ctx;
  const x = inp(ctx, 0);
  const rank = x.shape.length;
  const pads = intsAttr(ctx.node.attrs, 'pads', []);
  const mode = (ctx.node.attrs.mode as string | undefined) ?? 'constant';
  if (mode === 'constant') {
    const axes = [...Array(rank).keys()].filter((a) => pads[a] !== 0 || pads[a + rank] !== 0);
    let v = ctx.dy;
    if (axes.some((a) => pads[a]! > 0 || pads[a + rank]! > 0)) {
      v = g.slice(
        v,
        axes.map((a) => Math.max(pads[a]!, 0)),
        axes.map((a) => ctx.dy.shape[a]! - Math.max(pads[a + rank]!, 0)),
        axes,
      );
    }
    const restore = pads.map((p) => Math.max(-p, 0));
    return restore.some((p) => p > 0) ? g.pad(v, restore) : v;
  }
  if (pads.some((p) => p < 0)) throw new Error(`Pad: gradient of ${mode} padding with negative pads is not supported`);
  let v = ctx.dy;
  for (let a = 0; a < rank; a++) {
    const before = pads[a]!;
    const after = pads[a + rank]!;
    if (before === 0 && after === 0) continue;
    const n = x.shape[a]!;
    const len = v.shape[a]!;
    const zeroPads = (lo: number, hi: number): number[] => {
      const p = new Array<number>(2 * rank).fill(0);
      p[a] = lo;
      p[a + rank] = hi;
      return p;
    };
    let acc = g.slice(v, [before], [before + n], [a]);
    if (mode === 'edge') {
      if (before > 0)
        acc = g.add(acc, g.pad(g.reduceSum(g.slice(v, [0], [before], [a]), [a], true), zeroPads(0, n - 1)));
      if (after > 0)
        acc = g.add(acc, g.pad(g.reduceSum(g.slice(v, [before + n], [len], [a]), [a], true), zeroPads(n - 1, 0)));
    } else {
      // reflect: padded index j < before copies x[before − j]; j ≥ before + n copies x[2(n−1) − (j − before)].
      if (before > 0) {
        const mirrored = g.slice(v, [before - 1], [-(len + 1)], [a], [-1]); // x[1], …, x[before]
        acc = g.add(acc, g.pad(mirrored, zeroPads(1, n - 1 - before)));
      }
      if (after > 0) {
        const mirrored = g.slice(v, [len - 1], [before + n - 1], [a], [-1]); // x[n−1−after], …, x[n−2]
        acc = g.add(acc, g.pad(mirrored, zeroPads(n - 1 - after, 1)));
      }
    }
    v = acc;
  }
  return v;
}
