// Gradients of convolution and pooling, as ONNX subgraphs.
//
// Formulations (measured in design/engine-sketch.md on ORT, one 32→32 3×3 layer, batch 16×48²):
//   ∂x  = ConvTranspose(dy, W) with the forward's strides/pads/dilations/group and the
//         output_padding that restores x's size (8.8 ms).
//   ∂W  = im2col: Pad x, one strided Slice per kernel offset, Concat → cols [N, C·K, L];
//         MatMul(dy [N, O, L], colsᵀ) → [N, O, C·K]; ReduceSum over N (10.9 ms, faster than the
//         Conv-over-transposed-tensors form at 17.5 ms). Strides and dilations are just the Slice
//         steps and offsets, and groups a reshape to [N, G, ·, ·], so im2col covers every case.
//   ∂b  = ReduceSum(dy, [0, 2, 3, …]).
// ConvTranspose is Conv's adjoint, so its input gradient is a Conv and its weight gradient is the
// same im2col product with the roles of input and output swapped.

import type { Graph, Value } from '../ir/graph.js';
import { intAttr, intsAttr, type Attrs } from '../ir/ops.js';
import { type Shape, Tensor, sizeOf } from '../ir/tensor.js';

export interface ConvGeometry {
  strides: number[];
  pads: number[];
  dilations: number[];
  group: number;
}

export function convGeometry(attrs: Attrs, spatialRank: number): ConvGeometry {
  return {
    strides: [...intsAttr(attrs, 'strides', Array(spatialRank).fill(1))],
    pads: [...intsAttr(attrs, 'pads', Array(2 * spatialRank).fill(0))],
    dilations: [...intsAttr(attrs, 'dilations', Array(spatialRank).fill(1))],
    group: intAttr(attrs, 'group', 1),
  };
}

/** output_padding for ConvTranspose(small → big) so that it lands exactly on `big`. */
export function outputPaddingFor(small: Shape, big: Shape, kernel: Shape, geo: ConvGeometry): number[] {
  const sp = kernel.length;
  return kernel.map((k, a) => {
    const reached =
      geo.strides[a]! * (small[a]! - 1) + (k - 1) * geo.dilations[a]! + 1 - geo.pads[a]! - geo.pads[a + sp]!;
    return big[a]! - reached;
  });
}

/**
 * The strided, dilated windows of `input` [N, C, big…] as columns [N, C·K, L], where K counts kernel
 * offsets and L = prod(small). Column order (c, k) matches a weight [O, C, k…] flattened to [O, C·K].
 */
export function im2col(g: Graph, input: Value, small: Shape, kernel: Shape, geo: ConvGeometry, padValue = 0): Value {
  const sp = kernel.length;
  const [N, C] = input.shape as [number, number];
  const spatialAxes = kernel.map((_, a) => a + 2);
  const padded = geo.pads.some((p) => p !== 0)
    ? g.pad(
        input,
        [0, 0, ...geo.pads.slice(0, sp), 0, 0, ...geo.pads.slice(sp)],
        'constant',
        padValue === 0 ? undefined : padValue,
      )
    : input;
  const K = sizeOf(kernel);
  const L = sizeOf(small);
  const pieces: Value[] = [];
  const offset = new Array<number>(sp).fill(0);
  for (let k = 0; k < K; k++) {
    const starts = offset.map((o, a) => o * geo.dilations[a]!);
    const ends = starts.map((s, a) => s + geo.strides[a]! * (small[a]! - 1) + 1);
    const whole = starts.every((s, a) => s === 0 && ends[a] === padded.shape[a + 2] && geo.strides[a] === 1);
    pieces.push(whole ? padded : g.slice(padded, starts, ends, spatialAxes, [...geo.strides]));
    for (let a = sp - 1; a >= 0; a--) {
      offset[a]!++;
      if (offset[a]! < kernel[a]!) break;
      offset[a] = 0;
    }
  }
  // Concat along the first spatial axis gives [N, C, K·small0, …], which is [N, C·K, L] row-major.
  const stacked = pieces.length === 1 ? pieces[0]! : g.concat(pieces, 2);
  return g.reshape(stacked, [N, C * K, L]);
}

/**
 * ∂W of a convolution whose windows over `input` [N, C, big…] produced `dOut` [N, O, small…]:
 * Σ_n dOut[n] · cols[n]ᵀ, shaped like the weight [O, C/group, k…].
 */
export function convWeightGrad(g: Graph, input: Value, dOut: Value, kernel: Shape, geo: ConvGeometry): Value {
  const [N, C] = input.shape as [number, number];
  const O = dOut.shape[1]!;
  const small = dOut.shape.slice(2);
  const G = geo.group;
  const K = sizeOf(kernel);
  const L = sizeOf(small);
  const cols = im2col(g, input, small, kernel, geo);
  let prod: Value;
  if (G === 1) {
    const dy = g.reshape(dOut, [N, O, L]);
    prod = g.matmul(dy, g.transpose(cols, [0, 2, 1])); // [N, O, C·K]
  } else {
    const dy = g.reshape(dOut, [N, G, O / G, L]);
    const c = g.reshape(cols, [N, G, (C / G) * K, L]);
    prod = g.matmul(dy, g.transpose(c, [0, 1, 3, 2])); // [N, G, O/G, C/G·K]
  }
  const summed = N === 1 ? prod : g.reduceSum(prod, [0], false);
  return g.reshape(summed, [O, C / G, ...kernel]);
}

/** ∂b = sum of dy over batch and spatial axes. */
export function biasGrad(g: Graph, dy: Value): Value {
  return g.reduceSum(
    dy,
    dy.shape.map((_, a) => a).filter((a) => a !== 1),
    false,
  );
}

/** ∂x of Conv(x, w): ConvTranspose of dy with the same geometry. */
export function convInputGrad(g: Graph, dy: Value, w: Value, xShape: Shape, geo: ConvGeometry): Value {
  const kernel = w.shape.slice(2);
  const outputPadding = outputPaddingFor(dy.shape.slice(2), xShape.slice(2), kernel, geo);
  return g.convTranspose(dy, w, null, {
    strides: geo.strides,
    pads: geo.pads,
    dilations: geo.dilations,
    group: geo.group,
    outputPadding: outputPadding.some((p) => p !== 0) ? outputPadding : undefined,
  });
}

/** ∂x of ConvTranspose(x, w): a Conv of dy with the same geometry (output_padding only added unread rows). */
export function convTransposeInputGrad(g: Graph, dy: Value, w: Value, geo: ConvGeometry): Value {
  return g.conv(dy, w, null, { strides: geo.strides, pads: geo.pads, dilations: geo.dilations, group: geo.group });
}

/** Per-axis count of window elements inside the input, multiplied out: [1, 1, small…]. */
function windowCounts(big: Shape, small: Shape, kernel: Shape, geo: ConvGeometry): number[] {
  const sp = kernel.length;
  let counts = [1];
  for (let a = 0; a < sp; a++) {
    const axis: number[] = [];
    for (let l = 0; l < small[a]!; l++) {
      let c = 0;
      for (let k = 0; k < kernel[a]!; k++) {
        const pos = l * geo.strides[a]! - geo.pads[a]! + k;
        if (pos >= 0 && pos < big[a]!) c++;
      }
      axis.push(c);
    }
    counts = counts.flatMap((prev) => axis.map((c) => prev * c));
  }
  return counts;
}

/** A depthwise ConvTranspose weight [C·K, 1, k…] whose j-th kernel of each group is one-hot at offset j. */
function oneHotKernels(g: Graph, C: number, kernel: Shape, dtype: Value['dtype']): Value {
  const K = sizeOf(kernel);
  const data = new Array<number>(C * K * K).fill(0);
  for (let c = 0; c < C; c++) for (let j = 0; j < K; j++) data[(c * K + j) * K + j] = 1;
  return g.constant(Tensor.fromArray(dtype, [C * K, 1, ...kernel], data), 'onehot_kernels');
}

/**
 * ∂x of AveragePool (count_include_pad = 0): dy divided by each window's element count, spread
 * back over the window by a depthwise ConvTranspose with a kernel of ones.
 */
export function averagePoolGrad(g: Graph, dy: Value, xShape: Shape, kernel: Shape, geo: ConvGeometry): Value {
  const C = xShape[1]!;
  const small = dy.shape.slice(2);
  const counts = windowCounts(xShape.slice(2), small, kernel, geo);
  const countT = g.constant(Tensor.fromArray(dy.dtype, [1, 1, ...small], counts), 'pool_counts');
  const ones = g.constant(
    Tensor.fromArray(dy.dtype, [C, 1, ...kernel], new Array(C * sizeOf(kernel)).fill(1)),
    'pool_ones',
  );
  return convInputGrad(g, g.div(dy, countT), ones, xShape, { ...geo, group: C });
}

/**
 * ∂x of MaxPool with PyTorch's tie rule (the first maximum in window order takes the gradient):
 * for each kernel offset, a mask of "this element equals the max and no earlier one did", times
 * dy; the K masked gradients go back to their positions through one depthwise ConvTranspose with
 * one-hot kernels.
 */
export function maxPoolGrad(g: Graph, x: Value, y: Value, dy: Value, kernel: Shape, geo: ConvGeometry): Value {
  const [N, C] = x.shape as [number, number];
  const small = y.shape.slice(2);
  const K = sizeOf(kernel);
  const L = sizeOf(small);
  const cols = im2col(g, x, small, kernel, geo, -Infinity); // [N, C·K, L]
  const windows = g.reshape(cols, [N, C, K, L]);
  const yFlat = g.reshape(y, [N, C, 1, L]);
  const dyFlat = g.reshape(dy, [N, C, 1, L]);
  const one = g.scalar(1, dy.dtype);
  let taken: Value | null = null;
  const parts: Value[] = [];
  for (let k = 0; k < K; k++) {
    const w = K === 1 ? windows : g.slice(windows, [k], [k + 1], [2]);
    const hit = g.cast(g.equal(w, yFlat), dy.dtype);
    const first: Value = taken ? g.mul(hit, g.sub(one, taken)) : hit;
    taken = taken ? g.add(taken, first) : first;
    parts.push(g.mul(first, dyFlat));
  }
  const stacked = parts.length === 1 ? parts[0]! : g.concat(parts, 2); // [N, C, K, L]
  const spread = g.reshape(stacked, [N, C * K, ...small]);
  return convInputGrad(g, spread, oneHotKernels(g, C, kernel, dy.dtype), x.shape, { ...geo, group: C });
}
