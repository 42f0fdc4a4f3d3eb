// Which formulation the Conv gradient rule emits (grad/conv.ts): the fast path exactly for 2-D
// convs with stride 1, dilation 1, group 1 and pads ≤ k−1, the general one otherwise. The values
// of both are checked in grad-fd.test.ts (finite differences) and fixtures-conv.test.ts (PyTorch);
// this file makes sure those checks really cover both branches, and that the ReLU rule leaves
// the pre-activation with a single reader (what lets ORT fuse Conv + Relu).

import { describe, expect, it } from 'vitest';
import { backward } from '../../../main/engine/grad/index.js';
import { convGeometry, isDenseStrideOneConv2d } from '../../../main/engine/grad/conv.js';
import { Graph, type ConvOptions, type Shape } from '../../../main/engine/ir/index.js';

/** Op counts of the backward part of Conv(x, w, b) → sum. */
function backwardOps(xShape: Shape, wShape: Shape, o: ConvOptions): Record<string, number> {
  const g = new Graph();
  const x = g.input('x', xShape);
  const w = g.parameter('w', wShape);
  const b = g.parameter('b', [wShape[0]!]);
  const y = g.conv(x, w, b, o);
  const forward = g.nodes.length;
  backward(g, g.reduceSum(y, undefined, false), [x, w, b]);
  const counts: Record<string, number> = {};
  for (const n of g.nodes.slice(forward + 1)) counts[n.op] = (counts[n.op] ?? 0) + 1;
  return counts;
}

describe('Conv gradient formulations', () => {
  const fast: [string, Shape, Shape, ConvOptions][] = [
    ['3×3, pads 1', [2, 3, 6, 6], [4, 3, 3, 3], { pads: [1, 1, 1, 1] }],
    ['3×2, asymmetric pads', [2, 3, 5, 7], [2, 3, 3, 2], { pads: [0, 1, 2, 0] }],
    ['2×3, no pads', [1, 2, 4, 5], [3, 2, 2, 3], {}],
  ];
  it.each(fast)('%s: ∂x as Conv(dy, flipped Wᵀ), ∂W by K flat-shift MatMuls', (_name, xs, ws, o) => {
    const ops = backwardOps(xs, ws, o);
    const K = ws[2]! * ws[3]!;
    expect(ops.ConvTranspose).toBeUndefined();
    expect(ops.Conv).toBe(1);
    expect(ops.MatMul).toBe(K);
  });

  it('∂W copies shifted windows of whichever of x and dy has fewer channels', () => {
    const slicedChannels = (xShape: Shape, wShape: Shape): number[] => {
      const g = new Graph();
      const x = g.input('x', xShape);
      const w = g.parameter('w', wShape);
      const forward = g.nodes.length + 1;
      backward(g, g.reduceSum(g.conv(x, w, null, { pads: [1, 1, 1, 1] }), undefined, false), [w]);
      return g.nodes
        .slice(forward)
        .filter((n) => n.op === 'Slice')
        .map((n) => g.value(n.outputs[0]!).shape[1]!);
    };
    expect(slicedChannels([2, 8, 6, 6], [1, 8, 3, 3])).toEqual(Array(9).fill(1)); // 8 → 1: dy
    expect(slicedChannels([2, 1, 6, 6], [8, 1, 3, 3])).toEqual(Array(9).fill(1)); // 1 → 8: x
  });

  it.each([
    ['1 → 9', [2, 1, 6, 6], [9, 1, 3, 3]],
    ['9 → 1', [2, 9, 6, 6], [1, 9, 3, 3]],
  ] as [string, Shape, Shape][])(
    '%s: the 9 copies of the 1-channel operand meet the other in ONE MatMul',
    (_n, xs, ws) => {
      const ops = backwardOps(xs, ws, { pads: [1, 1, 1, 1] });
      expect(ops.MatMul).toBe(1);
      expect(ops.Slice).toBe(9 + 1); // the copies, and the flip of W for ∂x
    },
  );

  const general: [string, Shape, Shape, ConvOptions][] = [
    ['pad 3 > k−1', [1, 2, 4, 5], [2, 2, 3, 3], { pads: [3, 1, 0, 2] }],
    ['1×1 kernel with pads', [1, 2, 3, 4], [2, 2, 1, 1], { pads: [1, 0, 0, 1] }],
    ['stride 2', [1, 2, 7, 6], [3, 2, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['dilation 2', [1, 2, 7, 7], [3, 2, 3, 3], { dilations: [2, 2], pads: [2, 2, 2, 2] }],
    ['group 2', [1, 4, 6, 5], [4, 2, 3, 3], { pads: [1, 1, 1, 1], group: 2 }],
    ['1-D', [1, 2, 9], [3, 2, 3], { pads: [1, 1] }],
  ];
  it.each(general)('%s: ∂x as ConvTranspose, ∂W by one im2col MatMul', (_name, xs, ws, o) => {
    const ops = backwardOps(xs, ws, o);
    expect(ops.ConvTranspose).toBe(1);
    expect(ops.Conv).toBeUndefined();
    expect(ops.MatMul).toBe(1);
  });

  it('the predicate needs the output to cover every window position', () => {
    const geo = convGeometry({ pads: [1, 1, 1, 1] }, 2);
    expect(isDenseStrideOneConv2d([6, 6], [6, 6], [3, 3], geo)).toBe(true);
    // A stride-1 ConvTranspose with output_padding would leave an unread row: general path.
    expect(isDenseStrideOneConv2d([7, 6], [6, 6], [3, 3], geo)).toBe(false);
  });
});

describe('ReLU backward', () => {
  it('reads the output, so the pre-activation keeps a single reader', () => {
    const g = new Graph();
    const x = g.input('x', [1, 2, 5, 5]);
    const w = g.parameter('w', [2, 2, 3, 3]);
    const pre = g.conv(x, w, null, { pads: [1, 1, 1, 1] });
    const y = g.relu(pre);
    backward(g, g.reduceSum(g.mul(y, y), undefined, false), [w]);
    expect(g.nodes.filter((n) => n.inputs.includes(pre.name)).map((n) => n.op)).toEqual(['Relu']);
  });
});
