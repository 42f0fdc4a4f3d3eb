// Data-movement kernels: Reshape, Flatten, Transpose, Expand, Slice, Pad (constant, reflect,
// edge; negative pads crop), Concat and Resize (nearest). Most are per-axis gathers.

import { type Op, floatAttr, intAttr, intsAttr, normAxes, sliceRange } from '../../ir/ops.js';
import { Tensor, sizeOf } from '../../ir/tensor.js';
import { type Kernel, broadcastMaps, fromDoubles, gatherAxes, numbers, output, stridesOf } from './kernel.js';

/** Same elements, new shape (a copy, so no two values ever share a buffer). */
const reshape: Kernel = ([x], _attrs, [type]) => [new Tensor(type!.dtype, type!.shape, x!.data.slice())];

const transpose: Kernel = ([x], attrs, [type]) => {
  const rank = x!.shape.length;
  const perm = intsAttr(attrs, 'perm', [...Array(rank).keys()].reverse());
  const inStrides = stridesOf(x!.shape);
  const outShape = type!.shape;
  const src = numbers(x!);
  const { tensor, data } = output(type!);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < data.length; i++) {
    let off = 0;
    for (let a = 0; a < rank; a++) off += idx[a]! * inStrides[perm[a]!]!;
    data[i] = src[off]!;
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]!++;
      if (idx[a]! < outShape[a]!) break;
      idx[a] = 0;
    }
  }
  return [tensor];
};

const expand: Kernel = ([x], _attrs, [type]) => {
  const { shape, maps } = broadcastMaps(x!.shape, type!.shape);
  return [fromDoubles(type!, gatherAxes(numbers(x!), shape, type!.shape, maps))];
};

const slice: Kernel = ([x], attrs, [type]) => {
  const rank = x!.shape.length;
  const starts = intsAttr(attrs, 'starts', []);
  const ends = intsAttr(attrs, 'ends', []);
  const axes = normAxes(intsAttr(attrs, 'axes', [...starts.keys()]), rank, 'Slice');
  const steps = intsAttr(attrs, 'steps', Array(starts.length).fill(1));
  const maps = x!.shape.map((d) => Int32Array.from({ length: d }, (_, j) => j));
  axes.forEach((a, i) => {
    const r = sliceRange(x!.shape[a]!, starts[i]!, ends[i]!, steps[i]!);
    maps[a] = Int32Array.from({ length: r.count }, (_, j) => r.start + j * r.step);
  });
  return [fromDoubles(type!, gatherAxes(numbers(x!), x!.shape, type!.shape, maps))];
};

/** Source coordinate of padded coordinate j (pads may be negative, which crops). */
function padSource(j: number, before: number, n: number, mode: string): number {
  const i = j - before;
  if (i >= 0 && i < n) return i;
  if (mode === 'edge') return i < 0 ? 0 : n - 1;
  if (mode === 'reflect') {
    // Mirror without repeating the edge; the shape rule guarantees pads < n, so one fold suffices.
    return i < 0 ? -i : 2 * (n - 1) - i;
  }
  return -1;
}

const pad: Kernel = ([x], attrs, [type]) => {
  const pads = intsAttr(attrs, 'pads', []);
  const mode = (attrs.mode as string | undefined) ?? 'constant';
  const maps = type!.shape.map((d, a) =>
    Int32Array.from({ length: d }, (_, j) => padSource(j, pads[a]!, x!.shape[a]!, mode)),
  );
  return [fromDoubles(type!, gatherAxes(numbers(x!), x!.shape, type!.shape, maps, floatAttr(attrs, 'value', 0)))];
};

const concat: Kernel = (inputs, attrs, [type]) => {
  const rank = type!.shape.length;
  const axis = normAxes([intAttr(attrs, 'axis', 0)], rank, 'Concat')[0]!;
  const outer = sizeOf(type!.shape.slice(0, axis));
  const inner = sizeOf(type!.shape.slice(axis + 1));
  const outRow = type!.shape[axis]! * inner;
  const { tensor, data } = output(type!);
  let offset = 0;
  for (const t of inputs) {
    const src = numbers(t!);
    const row = t!.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < row; j++) data[o * outRow + offset + j] = src[o * row + j]!;
    }
    offset += row;
  }
  return [tensor];
};

/**
 * Nearest-neighbour Resize with ONNX's defaults (coordinate_transformation_mode half_pixel,
 * nearest_mode round_prefer_floor). For integer upscaling this is PyTorch's `nearest` (i ↦ ⌊i/s⌋).
 */
const resize: Kernel = ([x], attrs, [type]) => {
  const mode = (attrs.mode as string | undefined) ?? 'nearest';
  if (mode !== 'nearest') throw new Error(`Resize: reference interpreter supports mode 'nearest' only, not '${mode}'`);
  const scales = attrs.scales as readonly number[];
  const maps = type!.shape.map((d, a) => {
    const n = x!.shape[a]!;
    return Int32Array.from({ length: d }, (_, j) => {
      const orig = (j + 0.5) / scales[a]! - 0.5;
      // round_prefer_floor: halves go down
      const r = orig - Math.floor(orig) === 0.5 ? Math.floor(orig) : Math.round(orig);
      return Math.min(Math.max(r, 0), n - 1);
    });
  });
  return [fromDoubles(type!, gatherAxes(numbers(x!), x!.shape, type!.shape, maps))];
};

export const shapeKernels = {
  Reshape: reshape,
  Flatten: reshape,
  Transpose: transpose,
  Expand: expand,
  Slice: slice,
  Pad: pad,
  Concat: concat,
  Resize: resize,
} satisfies Partial<Record<Op, Kernel>>;
