import { describe, expect, it } from 'vitest';
import { Graph, ShapeError } from '../../../main/engine/ir/index.js';

describe('IR shape inference', () => {
  it('infers Conv output sizes with stride, padding and dilation (PyTorch formula)', () => {
    const g = new Graph();
    const x = g.input('x', [2, 3, 7, 8]);
    const w = g.parameter('w', [4, 3, 3, 3]);
    expect(g.conv(x, w, null, { strides: [2, 2], pads: [1, 1, 1, 1] }).shape).toEqual([2, 4, 4, 4]);
    expect(g.conv(x, w, null, { dilations: [2, 2] }).shape).toEqual([2, 4, 3, 4]);
    const w2 = g.parameter('w2', [4, 1, 5, 5]);
    const x3 = g.input('x3', [1, 3, 9, 9]);
    expect(() => g.conv(x3, w2, null)).toThrow(ShapeError);
  });

  it('infers ConvTranspose output sizes with output_padding', () => {
    const g = new Graph();
    const x = g.input('x', [1, 4, 4, 4]);
    const w = g.parameter('w', [4, 2, 3, 3]);
    expect(g.convTranspose(x, w, null, { strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1] }).shape).toEqual([1, 2, 8, 8]);
    // seed 000: length 3, kernel 2, stride 1, no padding -> length 4
    const x1 = g.input('x1', [1, 1, 3]);
    const w1 = g.parameter('w1', [1, 1, 2]);
    expect(g.convTranspose(x1, w1, null).shape).toEqual([1, 1, 4]);
  });

  it('infers broadcasting, reductions, reshape, slice, pad, concat and matmul', () => {
    const g = new Graph();
    const a = g.input('a', [4, 1, 5]);
    const b = g.input('b', [3, 1]);
    expect(g.add(a, b).shape).toEqual([4, 3, 5]);
    expect(g.reduceSum(a, [0, 2], false).shape).toEqual([1]);
    expect(g.reduceMean(a, [-1]).shape).toEqual([4, 1, 1]);
    expect(g.reshape(a, [0, -1]).shape).toEqual([4, 5]);
    expect(g.slice(a, [1, 0], [-1, 5], [0, 2], [1, 2]).shape).toEqual([2, 1, 3]);
    expect(g.pad(a, [0, 0, 1, 0, 0, 2]).shape).toEqual([4, 1, 8]);
    expect(g.concat([a, a], 1).shape).toEqual([4, 2, 5]);
    const m = g.input('m', [2, 1, 5, 6]);
    expect(g.matmul(a, m).shape).toEqual([2, 4, 1, 6]);
    expect(g.gemm(g.reshape(a, [4, 5]), g.input('n', [6, 5]), null, { transB: true }).shape).toEqual([4, 6]);
    expect(() => g.add(a, g.input('c', [3, 4]))).toThrow(/cannot broadcast/);
    expect(() => g.reshape(a, [3, -1])).toThrow(ShapeError);
  });

  it('rejects unknown attributes and wrong arity', () => {
    const g = new Graph();
    const x = g.input('x', [2, 2]);
    expect(() => g.node('Relu', [x], { alpha: 1 })).toThrow(/unknown attribute/);
    expect(() => g.node('Add', [x])).toThrow(/takes 2–2 inputs/);
  });
});
