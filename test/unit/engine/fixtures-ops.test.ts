// Every case of ops.json (single ONNX opset-17 ops, forward and backward) against the engine.
// ONNX's constant operand inputs (Clip min/max, Pad pads/constant_value, Slice starts…, ReduceSum
// axes, Resize scales) are attributes in the IR (see ir/ops.ts), so they are moved over here.

import { describe, it } from 'vitest';
import { evaluate } from '../../../main/engine/exec/reference/index.js';
import { backward } from '../../../main/engine/grad/index.js';
import { type AttrValue, Graph, type FloatType, type Op, type Value } from '../../../main/engine/ir/index.js';
import { FIXTURE_TOL, type JsonTensor, expectMatches, loadFixture, toTensor } from './fixtures-load.js';

interface OpCase {
  name: string;
  op: Op;
  attrs: Record<string, AttrValue>;
  inputs: (JsonTensor | null)[];
  dy: JsonTensor;
  y: JsonTensor;
  grads: (JsonTensor | null)[];
}

/** Which ONNX inputs (by index) become which IR attribute. */
const operandAttrs: Partial<Record<Op, Record<number, string>>> = {
  Clip: { 1: 'min', 2: 'max' },
  Pad: { 1: 'pads', 2: 'value' },
  Slice: { 1: 'starts', 2: 'ends', 3: 'axes', 4: 'steps' },
  ReduceSum: { 1: 'axes' },
  Resize: { 1: 'roi', 2: 'scales' },
};

/** ONNX attributes the IR does not carry because it fixes them (Resize: integer upsampling is the same in every mode). */
const impliedAttrs = new Set(['coordinate_transformation_mode', 'nearest_mode']);

function check(c: OpCase, dtype: FloatType): void {
  const g = new Graph(dtype);
  const attrs: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(c.attrs)) if (!impliedAttrs.has(k)) attrs[k] = v;
  const moved = operandAttrs[c.op] ?? {};
  const feeds: Record<string, ReturnType<typeof toTensor>> = {};
  const data: { index: number; value: Value }[] = [];
  c.inputs.forEach((t, i) => {
    const attr = moved[i];
    if (attr !== undefined) {
      if (t && attr !== 'roi') attrs[attr] = t.shape.length === 0 ? t.data[0]! : t.data;
      return;
    }
    const v = g.input(`in${i}`, t!.shape);
    feeds[v.name] = toTensor(t!, dtype);
    data.push({ index: i, value: v });
  });
  const y = g.node(
    c.op,
    data.map((d) => d.value),
    attrs,
  );
  const grads = backward(
    g,
    y,
    data.map((d) => d.value),
    { seed: g.constant(toTensor(c.dy, dtype), 'dy') },
  );
  const names = [y.name, ...data.map((d) => grads.get(d.value.name)!.name)];
  const out = evaluate(g, feeds, names);
  const tol = FIXTURE_TOL[dtype];
  expectMatches(out[y.name]!, c.y, tol, `${c.name} y`);
  data.forEach((d, j) => {
    const want = c.grads[d.index];
    if (want) expectMatches(out[names[j + 1]!]!, want, tol, `${c.name} grad ${d.index}`);
  });
}

const cases = loadFixture<{ cases: OpCase[] }>('ops.json').cases;

describe.each(['float64', 'float32'] as const)('PyTorch fixtures: single ops (%s)', (dtype) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => check(c, dtype));
});
