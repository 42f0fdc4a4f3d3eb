// What a reference kernel is, and the small indexing helpers the op families share.
//
// A kernel receives its input tensors (undefined for an omitted optional input), the node's
// attributes, and the output types the shape rule already inferred, so no kernel re-derives
// shapes. Arithmetic is done in JS doubles and rounded once when stored into the output array,
// which for float32 outputs matches a float32 engine to within one rounding per op.

import type { Attrs, TypedShape } from '../../ir/ops.js';
import { type Shape, Tensor, type TensorData, allocate, sizeOf } from '../../ir/tensor.js';

export type Kernel = (
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs,
  outputs: readonly TypedShape[],
) => Tensor[];

/** The elements of a tensor as numbers (int64 converted; float and bool arrays as they are). */
export function numbers(t: Tensor): ArrayLike<number> {
  const d = t.data;
  return d instanceof BigInt64Array ? Float64Array.from(d, (x) => Number(x)) : d;
}

/** A fresh output tensor of the inferred type, with its writable array. */
export function output(type: TypedShape): { tensor: Tensor; data: Exclude<TensorData, BigInt64Array> } {
  const data = allocate(type.dtype, sizeOf(type.shape));
  if (data instanceof BigInt64Array) throw new Error(`reference: kernels do not produce int64 tensors directly`);
  return { tensor: new Tensor(type.dtype, type.shape, data), data };
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/**
 * Gathers `out[i] = in[map(i)]` where the map is separable per axis: `axisMaps[a][j]` is the
 * source coordinate on axis a for output coordinate j, or -1 for "outside" (filled with `fill`).
 * Slice, Pad, Resize, Expand and broadcasting are all instances of this.
 */
export function gatherAxes(
  src: ArrayLike<number>,
  srcShape: Shape,
  outShape: Shape,
  axisMaps: readonly Int32Array[],
  fill = 0,
): Float64Array {
  const rank = outShape.length;
  const strides = stridesOf(srcShape);
  // Per-axis source offsets (coordinate × stride), -1 marks padding.
  const offsets = axisMaps.map((m, a) => Int32Array.from(m, (c) => (c < 0 ? -1 : c * strides[a]!)));
  const total = sizeOf(outShape);
  const out = new Float64Array(total);
  if (total === 0) return out;
  if (rank === 0) {
    out[0] = src[0]!;
    return out;
  }
  const idx = new Int32Array(rank);
  // Running partial offsets: base[a] = sum of offsets of axes < a (or -1 if any is padding).
  const base = new Float64Array(rank + 1);
  const recompute = (from: number): void => {
    for (let a = from; a < rank; a++) {
      const o = offsets[a]![idx[a]!]!;
      base[a + 1] = base[a]! < 0 || o < 0 ? -1 : base[a]! + o;
    }
  };
  base[0] = 0;
  recompute(0);
  const last = rank - 1;
  const lastOff = offsets[last]!;
  const lastDim = outShape[last]!;
  for (let i = 0; i < total;) {
    const b = base[last]!;
    for (let j = 0; j < lastDim; j++, i++) {
      const o = lastOff[j]!;
      out[i] = b < 0 || o < 0 ? fill : src[b + o]!;
    }
    // advance the multi-index over all but the last axis
    let a = last - 1;
    while (a >= 0) {
      idx[a]!++;
      if (idx[a]! < outShape[a]!) break;
      idx[a] = 0;
      a--;
    }
    if (a < 0) break;
    recompute(a);
  }
  return out;
}

/** Axis maps broadcasting `inShape` to `outShape` (numpy rules; the shape rule already checked them). */
export function broadcastMaps(inShape: Shape, outShape: Shape): { shape: number[]; maps: Int32Array[] } {
  const rank = outShape.length;
  const shape: number[] = [];
  const maps: Int32Array[] = [];
  for (let a = 0; a < rank; a++) {
    const d = inShape[inShape.length - rank + a] ?? 1;
    shape.push(d);
    maps.push(Int32Array.from({ length: outShape[a]! }, (_, j) => (d === 1 ? 0 : j)));
  }
  return { shape, maps };
}

/** Flat source index of every output element when `inShape` is broadcast to `outShape`; null if equal. */
export function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array | null {
  if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) return null;
  const n = sizeOf(inShape);
  const iota = new Float64Array(n);
  for (let i = 0; i < n; i++) iota[i] = i;
  const { shape, maps } = broadcastMaps(inShape, outShape);
  return Int32Array.from(gatherAxes(iota, shape, outShape, maps));
}

/** Store doubles into the output's typed array (rounding to float32 where the output is float32). */
export function fromDoubles(type: TypedShape, values: Float64Array): Tensor {
  const { tensor, data } = output(type);
  data.set(values);
  return tensor;
}
