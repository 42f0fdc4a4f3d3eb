// Conv and ConvTranspose forward and backward against PyTorch float64 fixtures (every case).

import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../main/engine/exec/reference/index.js';
import { convGeometry, isDenseStrideOneConv2d } from '../../../main/engine/grad/conv.js';
import { backward } from '../../../main/engine/grad/index.js';
import { Graph, type FloatType } from '../../../main/engine/ir/index.js';
import { FIXTURE_TOL, type JsonTensor, expectMatches, loadFixture, toTensor } from './fixtures-load.js';

interface ConvCase {
  name: string;
  attrs: { strides: number[]; pads: number[]; dilations: number[]; group: number; output_padding?: number[] };
  x: JsonTensor;
  w: JsonTensor;
  b: JsonTensor;
  dy: JsonTensor;
  y: JsonTensor;
  dx: JsonTensor;
  dw: JsonTensor;
  db: JsonTensor;
}

function check(c: ConvCase, op: 'Conv' | 'ConvTranspose', dtype: FloatType): void {
  const g = new Graph(dtype);
  const x = g.input('x', c.x.shape);
  const w = g.parameter('w', c.w.shape);
  const b = g.parameter('b', c.b.shape);
  const o = { strides: c.attrs.strides, pads: c.attrs.pads, dilations: c.attrs.dilations, group: c.attrs.group };
  const y =
    op === 'Conv' ? g.conv(x, w, b, o) : g.convTranspose(x, w, b, { ...o, outputPadding: c.attrs.output_padding });
  // The fixtures' gradients are vector–Jacobian products with dy: backpropagate dy itself.
  const grads = backward(g, y, [x, w, b], { seed: g.constant(toTensor(c.dy, dtype), 'dy') });
  const names = [y.name, ...[x, w, b].map((v) => grads.get(v.name)!.name)];
  const out = evaluate(g, { x: toTensor(c.x, dtype), w: toTensor(c.w, dtype), b: toTensor(c.b, dtype) }, names);
  const tol = FIXTURE_TOL[dtype];
  expectMatches(out[names[0]!]!, c.y, tol, `${c.name} y`);
  expectMatches(out[names[1]!]!, c.dx, tol, `${c.name} dx`);
  expectMatches(out[names[2]!]!, c.dw, tol, `${c.name} dw`);
  expectMatches(out[names[3]!]!, c.db, tol, `${c.name} db`);
}

const conv = loadFixture<{ cases: ConvCase[] }>('conv.json').cases;
const convT = loadFixture<{ cases: ConvCase[] }>('conv_transpose.json').cases;

describe.each(['float64', 'float32'] as const)('PyTorch fixtures: convolutions (%s)', (dtype) => {
  it.each(conv.map((c) => [c.name, c] as const))('Conv %s', (_name, c) => check(c, 'Conv', dtype));
  it.each(convT.map((c) => [c.name, c] as const))('ConvTranspose %s', (_name, c) => check(c, 'ConvTranspose', dtype));
});

it('the Conv fixtures cover both the stride-1 fast path of grad/conv.ts and the general formulations', () => {
  const fast = conv.filter((c) =>
    isDenseStrideOneConv2d(c.x.shape.slice(2), c.y.shape.slice(2), c.w.shape.slice(2), convGeometry(c.attrs, 2)),
  );
  expect(fast.map((c) => c.name)).toEqual([
    'k3_s1_p1',
    'k3_s1_asym_pads_0110',
    'k1_s1_p0',
    'cin1_k3_s1_p1',
    'rect_5x7_k3x2_s1_p0120',
    'k2_s1_p1_even_kernel',
    'k3_s1_p1021_cout_lt_cin',
    'cin1_cout9_k3_s1_p1',
    'cin9_cout1_k3_s1_p2101',
  ]);
  expect(conv.length - fast.length).toBe(7);
});
