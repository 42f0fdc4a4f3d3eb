// The int8 quantiser (engine/quant): the scheme's golden numbers (scales, zero points, rounding),
// Q/DQ round trips on the reference interpreter, which values a residual network quantises, and
// the QDQ graph against its float original, through the ONNX writer and reader and back.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { evaluate } from '../../../main/engine/exec/reference/index.js';
import { Graph, Tensor, type Value } from '../../../main/engine/ir/index.js';
import { fromOnnx, toOnnx } from '../../../main/engine/onnx/index.js';
import {
  activationParams,
  quantizeNumber,
  quantizationPoints,
  quantizeGraph,
  RangeObserver,
  roundHalfEven,
  weightParams,
} from '../../../main/engine/quant/index.js';
import { randomTensor } from './grad-check.js';

const f32 = (shape: number[], values: number[]): Tensor => Tensor.fromArray('float32', shape, values);

describe('quantisation scheme', () => {
  it('rounds half to even, as ONNX Runtime does', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
  });

  it('gives uint8 activations a scale over their range and a zero point that makes 0 exact', () => {
    expect(activationParams({ min: -1, max: 3 })).toEqual({ scale: Math.fround(4 / 255), zero: 64 });
    // A range that misses 0 is widened to it: ReLU outputs get zero point 0, negative ranges 255.
    expect(activationParams({ min: 0.25, max: 2 })).toEqual({ scale: Math.fround(2 / 255), zero: 0 });
    expect(activationParams({ min: -2, max: -0.5 })).toEqual({ scale: Math.fround(2 / 255), zero: 255 });
    expect(activationParams({ min: 0, max: 0 })).toEqual({ scale: 1, zero: 0 });
    expect(() => activationParams({ min: NaN, max: 1 })).toThrow(/not a range/);
  });

  it('quantises weights symmetrically per output channel to ±127', () => {
    const w = [0.5, -1.27, 0.01, 0, 0, 0, 0.3, 0.2, -0.1];
    const { q, scales } = weightParams(w, [3, 1, 1, 3], 0);
    expect(Array.from(scales)).toEqual([Math.fround(1.27 / 127), 1, Math.fround(0.3 / 127)]);
    expect(Array.from(q)).toEqual([50, -127, 1, 0, 0, 0, 127, 85, -42]);
    // ConvTranspose keeps its output channels on axis 1: the same weights laid out [1, 3, 1, 3].
    const t = weightParams(w, [1, 3, 1, 3], 1);
    expect(Array.from(t.q)).toEqual(Array.from(q));
    // Each weight comes back within half a step of its channel's scale.
    w.forEach((x, i) =>
      expect(Math.abs(q[i]! * scales[Math.floor(i / 3)]! - x)).toBeLessThanOrEqual(
        scales[Math.floor(i / 3)]! / 2 + 1e-9,
      ),
    );
  });

  it('keeps the min and max of each point over batches, and refuses NaN', () => {
    const o = new RangeObserver(['a']);
    o.observe({ a: f32([3], [0.5, -1, 2]) });
    o.observe({ a: f32([2], [3, 0]) });
    expect(o.ranges().get('a')).toEqual({ min: -1, max: 3 });
    expect(() => o.observe({ a: f32([1], [NaN]) })).toThrow(/NaN/);
    expect(() => new RangeObserver(['a']).ranges()).toThrow(/no batch/);
  });

  it('shrinks the range of heavy-tailed values when asked for the least Q/DQ error', () => {
    // Laplace-distributed values (scale 0.1), as conv outputs are: a few far out in the tails.
    const rng = new Rng(3);
    const values = Array.from(
      { length: 20000 },
      () => (rng.uniform() < 0.5 ? -1 : 1) * 0.1 * -Math.log(1 - rng.uniform()),
    );
    const o = new RangeObserver(['a']);
    o.observe({ a: f32([values.length], values) });
    const minmax = o.ranges('minmax').get('a')!;
    const mse = o.ranges('mse').get('a')!;
    const error = (r: { min: number; max: number }) => {
      const { scale, zero } = activationParams(r);
      return values.reduce((e, x) => e + ((quantizeNumber(x, scale, zero, 0, 255) - zero) * scale - x) ** 2, 0);
    };
    expect(mse.min).toBeGreaterThan(minmax.min);
    expect(mse.max).toBeLessThan(minmax.max);
    // Measured: 6 % less squared error than min/max.
    expect(error(mse)).toBeLessThan(0.96 * error(minmax));
  });
});

describe('QuantizeLinear / DequantizeLinear (reference interpreter)', () => {
  const roundTrip = (x: Tensor, scale: Tensor, zero: Tensor, axis?: number) => {
    const g = new Graph('float32');
    const s = g.constant(scale, 's');
    const z = g.constant(zero, 'z');
    const q = g.output(g.node('QuantizeLinear', [g.input('x', x.shape), s, z], { axis }, 'q'));
    const y = g.output(g.node('DequantizeLinear', [q, s, z], { axis }, 'y'));
    const out = evaluate(g, { x }, ['q', 'y']);
    return { q: out.q!, y: out.y!, name: y.name };
  };

  it('matches hand-computed values per channel (axis 1, int8, ties to even)', () => {
    const { q, y } = roundTrip(
      f32([1, 2, 1, 2], [1.25, -0.75, 1.25, -0.75]),
      f32([2], [0.5, 0.25]),
      new Tensor('int8', [2], [0, -10]),
      1,
    );
    expect(q.dtype).toBe('int8');
    expect(q.toNumbers()).toEqual([2, -2, -5, -13]);
    expect(y.toNumbers()).toEqual([1, -1, 1.25, -0.75]);
  });

  it('comes back within half a step inside the range and saturates outside it (uint8)', () => {
    const scale = Math.fround(0.02);
    const values = Array.from({ length: 101 }, (_, i) => -2.5 + i * 0.0503);
    const { q, y } = roundTrip(f32([101], values), f32([], [scale]), new Tensor('uint8', [], [128]));
    expect(q.dtype).toBe('uint8');
    const back = y.toNumbers();
    values.forEach((x, i) => expect(Math.abs(back[i]! - x)).toBeLessThanOrEqual(scale / 2 + 1e-6));
    const high = roundTrip(f32([2], [10, -10]), f32([], [scale]), new Tensor('uint8', [], [128]));
    expect(high.q.toNumbers()).toEqual([255, 0]);
    expect(high.y.toNumbers().map((v) => Number(v.toFixed(6)))).toEqual([2.54, -2.56]);
  });
});

/**
 * A small network of the shipped denoisers' shape: conv, a residual block (conv, ReLU, conv, add),
 * a transposed conv back out, subtracted from the input.
 */
function residualNet(rng: Rng): Graph {
  const g = new Graph('float32');
  const x = g.input('x', [1, 2, 6, 6]);
  const w = (name: string, shape: number[]): Value =>
    g.constant(randomTensor(rng, shape, -0.5, 0.5).cast('float32'), name);
  const conv = (v: Value, name: string, out: string) =>
    g.node(
      'Conv',
      [v, w(`${name}.weight`, [3, v.shape[1]!, 3, 3]), w(`${name}.bias`, [3])],
      { pads: [1, 1, 1, 1] },
      out,
    );
  const h = conv(x, 'conv0', 'h');
  const r = g.node('Relu', [conv(h, 'conv1', 'c1')], {}, 'r');
  const s = g.node('Add', [h, conv(r, 'conv2', 'c2')], {}, 's');
  const t = g.node('ConvTranspose', [s, w('conv3.weight', [3, 2, 1, 1]), w('conv3.bias', [2])], {}, 't');
  g.output(g.sub(x, t), 'output');
  return g;
}

describe('quantizeGraph', () => {
  it('quantises convolution inputs and outputs (after their ReLU) and the residual sums that int8 ops read', () => {
    const g = residualNet(new Rng(1));
    // The sum 's' is read only by the float ConvTranspose: rounding it would only lose precision.
    expect(quantizationPoints(g)).toEqual(['x', 'h', 'r', 'c2']);
    // The first conv left float: its input is no longer a point; its output still feeds a quantised conv.
    expect(quantizationPoints(g, { floatWeights: ['conv0.weight'] })).toEqual(['h', 'r', 'c2']);
    expect(quantizationPoints(g, { floatPoints: ['r'] })).toEqual(['x', 'h', 'c2']);
    // The transposed conv quantised on request: its output is the noise, which stays float as it feeds the output.
    expect(quantizationPoints(g, { floatOps: [] })).toEqual(['x', 'h', 'r', 'c2', 's', 't']);
  });

  it('writes int8 weights and uint8 Q/DQ pairs that track the float graph, and survives the ONNX writer and reader', () => {
    const rng = new Rng(7);
    const g = residualNet(rng);
    const x = randomTensor(rng, [1, 2, 6, 6], 0, 1).cast('float32');
    // Calibrate on the input itself: the ranges are what it reaches.
    const points = quantizationPoints(g);
    const probe = residualNet(new Rng(7));
    for (const p of points) if (p !== 'x') probe.output(probe.value(p));
    const observer = new RangeObserver(points);
    observer.observe(evaluate(probe, { x }, points));
    const q = quantizeGraph(g, observer.ranges());

    const ops = q.nodes.map((n) => n.op);
    expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(points.length);
    // One per point, and one per int8 weight (three Convs; the ConvTranspose stays float).
    expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(points.length + 3);
    const w1 = q.constants.get('conv1.weight/int8')!;
    expect(w1.dtype).toBe('int8');
    expect(w1.toNumbers()).toEqual(
      Array.from(weightParams(g.constants.get('conv1.weight')!.data as Float32Array, [3, 3, 3, 3], 0).q),
    );
    expect(q.constants.has('conv1.weight')).toBe(false);
    expect(q.constants.get('conv3.weight')?.dtype).toBe('float32');

    const want = evaluate(g, { x })['output']!.toNumbers();
    const got = evaluate(q, { x })['output']!.toNumbers();
    const err = Math.max(...want.map((v, i) => Math.abs(v - got[i]!)));
    // Quantised, so not equal; close: a few uint8 steps of the widest activation range (~1/100).
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(0.03);

    const back = fromOnnx(toOnnx(q)).graph;
    expect(back.nodes.map((n) => n.op)).toEqual(ops);
    expect(evaluate(back, { x })['output']!.toNumbers()).toEqual(got);
  });

  it('keeps the residual stream float with floatStream: only the convs that read it read it rounded', () => {
    const g = residualNet(new Rng(1));
    const options = { floatWeights: ['conv0.weight'], floatStream: true };
    const points = quantizationPoints(g, options);
    expect(points).toEqual(['h', 'r', 'c2']);
    const ranges = new Map(points.map((p) => [p, { min: -1, max: 1 }]));
    const q = quantizeGraph(g, ranges, options);
    const producer = (name: string) => q.nodes.find((n) => n.outputs.includes(name))!;
    const conv1 = q.nodes.find((n) => n.op === 'Conv' && n.inputs[1]!.startsWith('conv1.weight'))!;
    const add = q.nodes.find((n) => n.op === 'Add')!;
    // conv1 reads h through Q/DQ; the Add reads h itself, and conv2's output (an int8 conv's) through Q/DQ.
    expect(producer(conv1.inputs[0]!).op).toBe('DequantizeLinear');
    expect(add.inputs[0]).toBe('h');
    expect(producer(add.inputs[1]!).op).toBe('DequantizeLinear');
  });

  it('refuses a point without a calibrated range', () => {
    expect(() => quantizeGraph(residualNet(new Rng(1)), new Map())).toThrow(/no calibrated range for 'x'/);
  });
});
