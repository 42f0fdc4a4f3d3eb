// Turning the layers of common/model/layers.ts into graph nodes, and their parameter initialisation.
//
// Initialisation is PyTorch's default for nn.Linear / nn.Conv2d / nn.ConvTranspose2d, i.e. Kaiming
// (He) uniform with a = √5, which works out to W ~ U(−1/√fan_in, 1/√fan_in), and the same bound for
// the bias. fan_in is computed as PyTorch does from the weight tensor: size(1) · k·k. For a
// transposed conv that is out_channels·k·k (PyTorch's quirk, kept so that models initialised here
// and in PyTorch have the same statistics). Values are drawn row-major, parameter by parameter, in
// declaration order from the seeded Rng, so one seed gives one model on every machine.

import type { Rng } from '../../../common/rng.js';
import type { Activation } from '../../../common/model/architecture.js';
import { type Layer, type ParamSpec, biasName, weightName } from '../../../common/model/layers.js';
import type { Graph, Value } from '../ir/graph.js';
import { type FloatType, Tensor } from '../ir/tensor.js';

/** Half-width of the uniform a parameter is drawn from (0: all zeros, nothing drawn). */
function initBound(s: ParamSpec): number {
  const isBias = s.shape.length === 1 && !s.name.endsWith('.W');
  if (s.init === 'zero') return 0;
  if (s.init === 'kaiming') return isBias ? 0 : Math.sqrt(6 / (s.summed ?? s.fanIn));
  return 1 / Math.sqrt(s.fanIn);
}

/** Draws every parameter in order, by its spec's scheme (see InitScheme). */
export function initParams(specs: readonly ParamSpec[], rng: Rng, dtype: FloatType = 'float32'): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const s of specs) {
    const t = Tensor.zeros(dtype, s.shape);
    const data = t.data as Float32Array | Float64Array;
    const bound = initBound(s);
    if (bound > 0) for (let i = 0; i < data.length; i++) data[i] = (2 * rng.uniform() - 1) * bound;
    out.set(s.name, t);
  }
  return out;
}

export function applyActivation(g: Graph, x: Value, act: Activation): Value {
  switch (act) {
    case 'relu':
      return g.relu(x);
    case 'leaky-relu':
      return g.leakyRelu(x, 0.01); // PyTorch's default slope
    case 'sigmoid':
      return g.sigmoid(x);
    case 'tanh':
      return g.tanh(x);
    case 'softplus':
      return g.softplus(x);
    case 'linear':
      return x;
  }
}

/** Parameters of a graph by name (training: graph parameters; any Value works). */
export type ParamValues = ReadonlyMap<string, Value>;

/** Adds the layer's affine part (no activation) to the graph. */
export function applyLinearPart(g: Graph, params: ParamValues, x: Value, layer: Layer): Value {
  const w = params.get(weightName(layer));
  if (!w) throw new Error(`layer ${layer.name}: weight not declared`);
  const b = layer.bias ? (params.get(biasName(layer)) ?? null) : null;
  return g.scope(layer.name, () => {
    if (layer.kind === 'dense') return g.gemm(x, w, b);
    const opts = { strides: [layer.stride, layer.stride], pads: [layer.pad, layer.pad, layer.pad, layer.pad] };
    return layer.kind === 'conv' ? g.conv(x, w, b, opts) : g.convTranspose(x, w, b, opts);
  });
}

/** Adds the whole layer; returns the pre-activation too (the contractive penalty needs it). */
export function applyLayer(g: Graph, params: ParamValues, x: Value, layer: Layer): { pre: Value; out: Value } {
  const pre = applyLinearPart(g, params, x, layer);
  return { pre, out: g.scope(layer.name, () => applyActivation(g, pre, layer.activation)) };
}

/** Declares the parameters as graph parameters, in order. */
export function declareParams(g: Graph, specs: readonly ParamSpec[]): Map<string, Value> {
  const m = new Map<string, Value>();
  for (const s of specs) m.set(s.name, g.parameter(s.name, s.shape));
  return m;
}
