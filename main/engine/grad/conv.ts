// Gradients of convolution and pooling, as ONNX subgraphs.
//
// General formulations (any stride, padding, dilation, group, spatial rank):
//   ∂x  = ConvTranspose(dy, W) with the forward's strides/pads/dilations/group and the
//         output_padding that restores x's size.
//   ∂W  = im2col: Pad x, one strided Slice per kernel offset, Concat → cols [N, C·K, L];
//         MatMul(dy [N, O, L], colsᵀ) → [N, O, C·K]; ReduceSum over N. Strides and dilations are
//         just the Slice steps and offsets, and groups a reshape to [N, G, ·, ·].
//   ∂b  = ReduceSum(dy, [0, 2, 3, …]).
//
// Fast path (`isDenseStrideOneConv2d`: 2-D, stride 1, dilation 1, group 1, pads ≤ k−1 — every
// conv of the residual denoisers). Measured on ORT-node, one 32→32 3×3 layer, batch 16×48², one
// thread (bench/conv-grad-formulations.ts, `npm run bench -- --formulations`):
//   ∂x  = Conv(dy, flip(Wᵀ)) with pads k−1−p: the same product as the ConvTranspose, through
//         ORT's Conv kernel, which is about 20% faster than its ConvTranspose.
//   ∂W  = flat shifts: pad x (plus one spare row) and flatten its rows, so the window of kernel
//         offset (i, j) is ONE contiguous range of the flat image; dy gets k−1 zero columns so
//         that the wrapped-around positions contribute nothing; K batched MatMuls dy·windowᵀ
//         replace the 2-D strided Slices and the big Concat of im2col (11.2 → 7.0 ms).
// Outside the fast path the general formulations apply unchanged.
//
// ConvTranspose is Conv's adjoint, so its input gradient is a Conv and its weight gradient is the
// same windows-times-gradient product with the roles of input and output swapped (fast path
// included: a stride-1 ConvTranspose reads dy through the same windows a Conv reads x through).

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
 * Whether the gradients of a convolution reading windows of a [N, C, big…] tensor into a
 * [N, O, small…] one take the fast path (see the header): 2-D, stride 1, dilation 1, group 1,
 * every pad at most k−1 (so the ∂x Conv's pads k−1−p are not negative), and `small` exactly the
 * number of window positions (so no input row or column goes unread).
 */
export function isDenseStrideOneConv2d(big: Shape, small: Shape, kernel: Shape, geo: ConvGeometry): boolean {
  return (
    kernel.length === 2 &&
    geo.group === 1 &&
    [...geo.strides, ...geo.dilations].every((s) => s === 1) &&
    kernel.every(
      (k, a) =>
        geo.pads[a]! <= k - 1 &&
        geo.pads[a + 2]! <= k - 1 &&
        small[a] === big[a]! + geo.pads[a]! + geo.pads[a + 2]! - k + 1,
    )
  );
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
 * ∂W of a convolution whose windows over `input` [N, C, big…] produced `dOut` [N, O, small…],
 * shaped like the weight [O, C/group, k…]: flat shifts on the fast path, im2col otherwise.
 */
export function convWeightGrad(g: Graph, input: Value, dOut: Value, kernel: Shape, geo: ConvGeometry): Value {
  return isDenseStrideOneConv2d(input.shape.slice(2), dOut.shape.slice(2), kernel, geo)
    ? weightGradByFlatShifts(g, input, dOut, kernel, geo.pads)
    : weightGradByIm2col(g, input, dOut, kernel, geo);
}

/** The general ∂W: Σ_n dOut[n] · cols[n]ᵀ with cols = im2col(input). */
export function weightGradByIm2col(g: Graph, input: Value, dOut: Value, kernel: Shape, geo: ConvGeometry): Value {
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

/**
 * The input [N, C, H, W] padded by `pads` (plus one spare zero row at the bottom) and flattened per
 * (n, c) to rows of Wp = W + left + right: the layout in which every kernel offset's windows are
 * one contiguous range (see weightGradByFlatShifts).
 */
export function flatPadded(
  g: Graph,
  input: Value,
  pads: readonly number[],
): { flat: Value; Wp: number; flatLength: number } {
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const [pt, pl, pb, pr] = pads as [number, number, number, number];
  const Wp = W + pl + pr;
  const flatLength = (H + pt + pb + 1) * Wp;
  return { flat: g.reshape(g.pad(input, [0, 0, pt, pl, 0, 0, pb + 1, pr]), [N, C, flatLength]), Wp, flatLength };
}

/**
 * The fast-path ∂W (see the header; only where isDenseStrideOneConv2d holds). With
 * Wp = W + pl + pr, the padded input flattened per (n, c) to rows of Wp, window (i, j) of output
 * position (r, q) is flat element (r + i)·Wp + q + j, so for a fixed offset s = i·Wp + j the
 * windows of all Ho·Wp "wide" positions p = r·Wp + q are the contiguous range [s, s + Ho·Wp).
 * The wide positions with q ≥ Wo wrap into the next row (the spare zero row catches the last
 * one's overrun); dy is zero there, so they add nothing.
 *
 * Σ_p dy[p]·x[p + s] = Σ_q dy[q − s]·x[q]: the K copies can be shifted windows of x or shifted
 * copies of dy, whichever has fewer channels (ref-dae's last layer, 32 → 1, copies dy). Each copy
 * then meets the other operand in a batched MatMul. When the K copies together are no bigger than
 * that operand (ref-dae's 1 → 32 and 32 → 1 layers), they are stacked into ONE MatMul instead, so
 * the big operand is read once rather than K times.
 */
export function weightGradByFlatShifts(
  g: Graph,
  input: Value,
  dOut: Value,
  kernel: Shape,
  pads: readonly number[],
): Value {
  const [N, C] = input.shape as [number, number];
  const [, O, Ho, Wo] = dOut.shape as [number, number, number, number];
  const [kh, kw] = kernel as [number, number];
  const K = kh * kw;
  const { flat, Wp, flatLength } = flatPadded(g, input, pads);
  const L = Ho * Wp;
  const shiftDy = O < C;
  // `big` [N, B, len] meets each of the K `copies` [N, S, len]: B = O and S = C when x is shifted.
  let big: Value;
  const copies: Value[] = [];
  if (shiftDy) {
    // dy shifted by s, as one padded copy: kh − 1 zero rows and kw − 1 zero columns in front put
    // dy[r, q] at flat index s_max + r·Wp + q (the left columns double as the wrap-around zeros);
    // kh + 1 rows behind cover the slice of the smallest shift.
    const sMax = (kh - 1) * Wp + kw - 1;
    const padded = g.pad(dOut, [0, 0, kh - 1, kw - 1, 0, 0, kh + 1, 0]); // [N, O, Ho + 2kh, Wp]
    const dyFlat = g.reshape(padded, [N, O, (Ho + 2 * kh) * Wp]);
    big = flat;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const start = sMax - (i * Wp + j);
        copies.push(g.slice(dyFlat, [start], [start + flatLength], [2])); // [N, O, flatLength]
      }
    }
  } else {
    big = g.reshape(Wp > Wo ? g.pad(dOut, [0, 0, 0, 0, 0, 0, 0, Wp - Wo]) : dOut, [N, O, L]);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) copies.push(g.slice(flat, [i * Wp + j], [i * Wp + j + L], [2])); // [N, C, L]
    }
  }
  const [B, S] = shiftDy ? [C, O] : [O, C];
  let perOffset: Value; // [B, S, K]
  if (K > 1 && K * S <= B) {
    const stacked = g.concat(copies, 1); // [N, K·S, len], offset-major
    const prod = g.matmul(big, g.transpose(stacked, [0, 2, 1])); // [N, B, K·S]
    const summed = N === 1 ? g.reshape(prod, [B, K * S]) : g.reduceSum(prod, [0], false);
    perOffset = g.transpose(g.reshape(summed, [B, K, S]), [0, 2, 1]);
  } else {
    const pieces = copies.map((copy) => g.reshape(g.matmul(big, g.transpose(copy, [0, 2, 1])), [N, B, S, 1]));
    const stacked = pieces.length === 1 ? pieces[0]! : g.concat(pieces, 3); // [N, B, S, K]
    perOffset = N === 1 ? g.reshape(stacked, [B, S, K]) : g.reduceSum(stacked, [0], false);
  }
  // [B, S, K] is [O, C, K] when x was shifted, [C, O, K] when dy was.
  const oc = shiftDy ? g.transpose(perOffset, [1, 0, 2]) : perOffset;
  return g.reshape(oc, [O, C, kh, kw]);
}

/** ∂b = sum of dy over batch and spatial axes. */
export function biasGrad(g: Graph, dy: Value): Value {
  return g.reduceSum(
    dy,
    dy.shape.map((_, a) => a).filter((a) => a !== 1),
    false,
  );
}

/** ∂x of Conv(x, w): a Conv with flipped, transposed weights on the fast path, a ConvTranspose otherwise. */
export function convInputGrad(g: Graph, dy: Value, w: Value, xShape: Shape, geo: ConvGeometry): Value {
  return isDenseStrideOneConv2d(xShape.slice(2), dy.shape.slice(2), w.shape.slice(2), geo)
    ? inputGradByFlippedConv(g, dy, w, geo.pads)
    : inputGradByConvTranspose(g, dy, w, xShape, geo);
}

/** The general ∂x: ConvTranspose of dy with the forward's geometry, output_padding restoring x's size. */
export function inputGradByConvTranspose(g: Graph, dy: Value, w: Value, xShape: Shape, geo: ConvGeometry): Value {
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

/**
 * The fast-path ∂x (only where isDenseStrideOneConv2d holds): Conv(dy, W̃) with W̃ = W transposed
 * to [C, O, k…] and flipped spatially, and pads k−1−p. W̃ is computed in the graph (Transpose and
 * a Slice with step −1) because W changes every training step.
 */
export function inputGradByFlippedConv(g: Graph, dy: Value, w: Value, pads: readonly number[]): Value {
  const [kh, kw] = w.shape.slice(2) as [number, number];
  const flipped = g.slice(g.transpose(w, [1, 0, 2, 3]), [-1, -1], [-(kh + 1), -(kw + 1)], [2, 3], [-1, -1]);
  const [pt, pl, pb, pr] = pads as [number, number, number, number];
  return g.conv(dy, flipped, null, { pads: [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr] });
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
