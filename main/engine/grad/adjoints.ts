// Linear adjoints that several gradient rules share: un-broadcasting and the adjoint of a
// (possibly strided or reversed) Slice. Built only from standard ONNX ops.

import type { Graph, Value } from '../ir/graph.js';
import { normAxes, sliceRange } from '../ir/ops.js';
import type { Shape } from '../ir/tensor.js';

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Sums a gradient of a broadcast result back to the shape of the operand that was broadcast:
 * ReduceSum over the leading axes it lacked and the axes where it had size 1, then Reshape.
 */
export function unbroadcast(g: Graph, grad: Value, shape: Shape): Value {
  if (sameShape(grad.shape, shape)) return grad;
  const lead = grad.shape.length - shape.length;
  const axes: number[] = [];
  grad.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const summed = axes.length > 0 ? g.reduceSum(grad, axes, true) : grad;
  return sameShape(summed.shape, shape) ? summed : g.reshape(summed, [...shape]);
}

/**
 * The adjoint of `Slice(x, starts, ends, axes, steps)`: places dy's elements back at the positions
 * they were read from, zeros elsewhere. Reversed axes are flipped back with a Slice of step −1;
 * strided axes get zeros inserted (Reshape to [n, 1], Pad to [n, step], Reshape to [n·step]); a
 * final Slice trims and a Pad puts everything at its offset.
 */
export function sliceAdjoint(
  g: Graph,
  dy: Value,
  inShape: Shape,
  starts: readonly number[],
  ends: readonly number[],
  axesAttr: readonly number[] | undefined,
  stepsAttr: readonly number[] | undefined,
): Value {
  const rank = inShape.length;
  const axes = normAxes(axesAttr ?? [...starts.keys()], rank, 'Slice');
  const steps = stepsAttr ?? starts.map(() => 1);
  // Per axis: lowest source index, positive stride and count.
  const lo = new Array<number>(rank).fill(0);
  const stride = new Array<number>(rank).fill(1);
  const count = [...inShape];
  const flipAxes: number[] = [];
  axes.forEach((a, i) => {
    const r = sliceRange(inShape[a]!, starts[i]!, ends[i]!, steps[i]!);
    count[a] = r.count;
    stride[a] = Math.abs(r.step);
    lo[a] = r.step > 0 ? r.start : r.start + (r.count - 1) * r.step;
    if (r.step < 0 && r.count > 1) flipAxes.push(a);
  });
  if (count.some((c) => c === 0)) {
    return g.expand(g.scalar(0, dy.dtype), [...inShape]);
  }
  let v = dy;
  if (flipAxes.length > 0) {
    v = g.slice(
      v,
      flipAxes.map(() => -1),
      flipAxes.map((a) => -(count[a]! + 1)),
      flipAxes,
      flipAxes.map(() => -1),
    );
  }
  const strided = [...Array(rank).keys()].filter((a) => stride[a]! > 1 && count[a]! > 1);
  if (strided.length > 0) {
    const split: number[] = [];
    const padEnd: number[] = [];
    const merged: number[] = [];
    for (let a = 0; a < rank; a++) {
      split.push(count[a]!);
      padEnd.push(0);
      merged.push(count[a]!);
      if (strided.includes(a)) {
        split.push(1);
        padEnd.push(stride[a]! - 1);
        merged[a] = count[a]! * stride[a]!;
      }
    }
    v = g.reshape(v, split);
    v = g.pad(v, [...split.map(() => 0), ...padEnd]);
    v = g.reshape(v, merged);
    // Trim the trailing zeros after the last element read.
    v = g.slice(
      v,
      strided.map(() => 0),
      strided.map((a) => (count[a]! - 1) * stride[a]! + 1),
      strided,
    );
  }
  const before: number[] = [];
  const after: number[] = [];
  for (let a = 0; a < rank; a++) {
    before.push(lo[a]!);
    after.push(inShape[a]! - lo[a]! - v.shape[a]!);
  }
  if (before.some((p) => p !== 0) || after.some((p) => p !== 0)) v = g.pad(v, [...before, ...after]);
  return v;
}
