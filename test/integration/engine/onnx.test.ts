// ONNX writer and reader: round trip of every op, metadata, frozen parameters, dynamic axes;
// models made by PyTorch and by the onnx package; clear errors on bad files.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { everyOpGraph } from '../../../scripts/fixtures/onnx_graphs.js';
import { fromOnnx, inspectOnnx, toOnnx } from '../../../main/engine/onnx/index.js';
import { encodeModel, type ModelProto } from '../../../main/engine/onnx/proto.js';
import { evaluate } from '../../../main/engine/exec/reference/index.js';
import { createExecutor } from '../../../main/engine/exec/index.js';
import { Graph } from '../../../main/engine/ir/graph.js';
import { Tensor } from '../../../main/engine/ir/tensor.js';

const fixtureDir = path.join(import.meta.dirname, '../../fixtures/engine/onnx');
const fixtureBytes = (name: string) => new Uint8Array(readFileSync(path.join(fixtureDir, name)));
interface JsonTensor {
  shape: number[];
  data: number[];
}
const expected = JSON.parse(readFileSync(path.join(fixtureDir, 'onnx_import.json'), 'utf8')) as Record<
  string,
  { inputs: Record<string, JsonTensor>; outputs: Record<string, JsonTensor> }
>;
const tensorOf = (t: JsonTensor) => new Tensor('float32', t.shape, t.data);

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  for (let i = 0; i < a.size; i++) worst = Math.max(worst, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  return worst;
}

describe('toOnnx → fromOnnx round trip', () => {
  const { graph, feeds } = everyOpGraph();
  const frozen = new Map([
    ['w1', feeds.w1!],
    ['wd', feeds.wd!],
  ]);
  const metadata = { model_card: JSON.stringify({ arch: 'test', params: 123 }), note: 'ünïcödé' };
  const bytes = toOnnx(graph, { frozenParameters: frozen, metadata, docString: 'every op' });

  it('keeps nodes, attributes, constants, parameters, outputs and metadata', () => {
    const back = fromOnnx(bytes, { parameters: ['w1', 'wd'] });
    expect(back.opset).toBe(17);
    expect(back.metadata).toEqual(metadata);
    expect(back.docString).toBe('every op');
    const g = back.graph;
    expect(g.nodes.map((n) => n.op)).toEqual(graph.nodes.map((n) => n.op));
    graph.nodes.forEach((n, i) => {
      expect(g.nodes[i]!.attrs, `${n.name}`).toEqual(n.attrs);
      expect(g.nodes[i]!.inputs, `${n.name}`).toEqual(n.inputs);
      expect(g.nodes[i]!.outputs, `${n.name}`).toEqual(n.outputs);
    });
    // Unfrozen parameters travel as graph inputs; frozen ones as initializers (→ parameters here).
    expect(g.inputs.map((v) => v.name).sort()).toEqual(['b1', 'bd', 'bt', 'wt', 'x']);
    expect(g.parameters.map((v) => v.name).sort()).toEqual(['w1', 'wd']);
    expect([...g.constants.keys()].sort()).toEqual([...graph.constants.keys()].sort());
    for (const [name, t] of graph.constants) expect(g.constants.get(name)!.data).toEqual(t.data);
    expect(back.initializers.get('wd')!.data).toEqual(feeds.wd!.data);
    expect(() => fromOnnx(bytes, { parameters: ['x'] })).toThrow(/'x', which is not a float initializer/);
    expect(g.outputs.map((v) => [v.name, v.shape])).toEqual(graph.outputs.map((v) => [v.name, v.shape]));
  });

  it('gives bit-identical results on the reference interpreter after the round trip', () => {
    const back = fromOnnx(bytes);
    // Default: initializers (the frozen w1, wd) are constants, so they are not fed.
    const { w1: _w1, wd: _wd, ...rest } = feeds;
    const before = evaluate(graph, feeds);
    const after = evaluate(back.graph, rest);
    for (const [name, t] of Object.entries(before)) expect(after[name]!.data, name).toEqual(t.data);
  });

  it('writes symbolic dimensions and reads them back only with explicit shapes', () => {
    const g = new Graph();
    const x = g.input('x', [1, 1, 4, 4]);
    const w = g.parameter('w', [1, 1, 3, 3]);
    g.output(g.sub(x, g.conv(x, w, null, { pads: [1, 1, 1, 1] })), 'y');
    const dyn = toOnnx(g, {
      frozenParameters: new Map([['w', new Tensor('float32', [1, 1, 3, 3], Array(9).fill(0.5))]]),
      dynamicAxes: { x: { 0: 'N', 2: 'H', 3: 'W' }, y: { 0: 'N', 2: 'H', 3: 'W' } },
    });
    const summary = inspectOnnx(dyn);
    expect(summary.inputs).toEqual([{ name: 'x', elemType: 'FLOAT', dims: ['N', 1, 'H', 'W'] }]);
    expect(summary.outputs[0]!.dims).toEqual(['N', 1, 'H', 'W']);
    expect(summary.parameterCount).toBe(9);
    expect(() => fromOnnx(dyn)).toThrow(/input 'x' has symbolic dimensions \[N,1,H,W\]; pass its shape in inputShapes/);
    expect(() => fromOnnx(dyn, { inputShapes: { x: [2, 3, 5, 5] } })).toThrow(/declared shape is \[N,1,H,W\]/);
    const back = fromOnnx(dyn, { inputShapes: { x: [2, 1, 5, 6] } });
    expect(back.graph.outputs[0]!.shape).toEqual([2, 1, 5, 6]);
    // Centre pixel of a constant image: x − 9 · 0.5 · x.
    const out = evaluate(back.graph, { x: new Tensor('float32', [2, 1, 5, 6], Array(60).fill(2)) }).y!;
    expect(out.data[1 * 6 + 1]).toBeCloseTo(2 - 9, 6);
  });

  it('refuses frozen parameters that do not fit the graph', () => {
    expect(() => toOnnx(graph, { frozenParameters: new Map([['nope', feeds.w1!]]) })).toThrow(
      /'nope' is not a parameter/,
    );
    expect(() => toOnnx(graph, { frozenParameters: new Map([['w1', feeds.wd!]]) })).toThrow(
      /frozen parameter 'w1' is float32\[5,64\]/,
    );
  });
});

describe('models made elsewhere', () => {
  it('runs a PyTorch-exported residual denoiser (dynamic N/H/W) like PyTorch', async () => {
    const fx = expected.torch_denoiser!;
    const noisy = tensorOf(fx.inputs.noisy!);
    const model = fromOnnx(fixtureBytes('torch_denoiser.onnx'), { inputShapes: { noisy: noisy.shape } });
    expect(model.graph.nodes.map((n) => n.op)).toEqual(['Conv', 'Relu', 'Conv', 'Sub']);
    const want = tensorOf(fx.outputs.denoised!);
    expect(maxAbsDiff(evaluate(model.graph, { noisy }).denoised!, want)).toBeLessThan(1e-5);
    const compiled = await (await createExecutor('ort-node', { threads: 1 })).compile(model.graph);
    expect(maxAbsDiff((await compiled.run({ noisy })).denoised!, want)).toBeLessThan(1e-5);
    await compiled.dispose();
  });

  it('runs a PyTorch-exported FFDNet-style model with a noise-level map input', () => {
    const fx = expected.torch_ffdnet!;
    const feeds = { noisy: tensorOf(fx.inputs.noisy!), sigma: tensorOf(fx.inputs.sigma!) };
    const summary = inspectOnnx(fixtureBytes('torch_ffdnet.onnx'));
    expect(summary.inputs.map((v) => v.name)).toEqual(['noisy', 'sigma']);
    expect(summary.parameterCount).toBe(4 * 2 * 9 + 4 + 4 * 9 + 1);
    const model = fromOnnx(fixtureBytes('torch_ffdnet.onnx'), {
      inputShapes: { noisy: [2, 1, 5, 4], sigma: [2, 1, 5, 4] },
    });
    expect(maxAbsDiff(evaluate(model.graph, feeds).denoised!, tensorOf(fx.outputs.denoised!))).toBeLessThan(1e-5);
  });

  it('turns constant operand inputs and Constant nodes into attributes (onnx.helper model)', () => {
    const fx = expected.helper_operands!;
    const model = fromOnnx(fixtureBytes('helper_operands.onnx'));
    const attrs = Object.fromEntries(model.graph.nodes.map((n) => [n.op, n.attrs]));
    expect(attrs.Conv).toEqual({ strides: [2, 2], pads: [1, 1, 1, 1] });
    expect(attrs.Clip).toEqual({ min: -0.5, max: 0.75 });
    expect(attrs.Pad).toEqual({ mode: 'edge', pads: [0, 0, 1, 0, 0, 0, 0, 1] });
    expect(attrs.Resize).toEqual({ mode: 'nearest', scales: [1, 1, 2, 2] });
    expect(attrs.Slice).toEqual({ starts: [1, 0], ends: [7, 6], axes: [2, 3] });
    expect(attrs.ReduceSum).toEqual({ axes: [1], keepdims: 1 });
    expect(attrs.Reshape).toEqual({ shape: [6, -1] });
    expect(model.graph.constants.size).toBe(1); // only the conv weight
    const y = evaluate(model.graph, { x: tensorOf(fx.inputs.x!) }).y!;
    expect(maxAbsDiff(y, tensorOf(fx.outputs.y!))).toBeLessThan(1e-5);
  });
});

describe('bad files', () => {
  const model = (ops: { op_type: string; input: string[]; output: string[] }[], opset = 17): Uint8Array =>
    encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: opset }],
      graph: {
        name: 'g',
        node: ops,
        input: [
          { name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }, { dim_value: 3 }] } } } },
          { name: 's', type: { tensor_type: { elem_type: 7, shape: { dim: [{ dim_value: 1 }] } } } },
        ],
        output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
      },
    } satisfies ModelProto);

  it('names an op the engine lacks', () => {
    expect(() => fromOnnx(model([{ op_type: 'Gelu', input: ['x'], output: ['y'] }]))).toThrow(
      /ONNX op 'Gelu' is not supported/,
    );
    // inspectOnnx still works: info shows any model.
    expect(inspectOnnx(model([{ op_type: 'Gelu', input: ['x'], output: ['y'] }])).opCounts).toEqual({ Gelu: 1 });
  });

  it('refuses run-time operands and unsupported opsets', () => {
    expect(() => fromOnnx(model([{ op_type: 'Reshape', input: ['x', 's'], output: ['y'] }]))).toThrow(
      /operand 'shape' \('s'\) is computed at run time/,
    );
    expect(() => fromOnnx(model([{ op_type: 'Relu', input: ['x'], output: ['y'] }], 9))).toThrow(
      /opset 9 is not supported/,
    );
  });

  it('says "not an ONNX model" for empty, random and truncated bytes', () => {
    expect(() => fromOnnx(new Uint8Array())).toThrow(/not an ONNX model: the file is empty/);
    expect(() => inspectOnnx(new TextEncoder().encode('hello, I am a PNG'))).toThrow(/not an ONNX model/);
    const good = fixtureBytes('torch_denoiser.onnx');
    expect(() => inspectOnnx(good.subarray(0, good.length - 100))).toThrow(/not an ONNX model/);
  });
});
