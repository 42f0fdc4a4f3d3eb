// The layers every network is made of, described as plain data (so the same description yields the
// parameter list, the parameter count and the graph nodes), plus their parameter initialisation.
//
// Weight layouts are ONNX's: dense W is [in, out] (Gemm: y = x·W + b; PyTorch's nn.Linear stores
// the transpose), conv W is [out, in, k, k], transposed-conv W is [in, out, k, k]. Parameter names
// follow the engine fixtures: `<layer>.W` / `<layer>.b` for dense layers (the Gemm layout, so
// nobody mistakes it for PyTorch's), `<layer>.weight` / `<layer>.bias` for conv layers.
//
// Initialisation is PyTorch's default for nn.Linear / nn.Conv2d / nn.ConvTranspose2d, i.e. Kaiming
// (He) uniform with a = √5, which works out to W ~ U(−1/√fan_in, 1/√fan_in), and the same bound for
// the bias. fan_in is computed as PyTorch does from the weight tensor: size(1) · k·k. For a
// transposed conv that is out_channels·k·k (PyTorch's quirk, kept so that models initialised here
// and in PyTorch have the same statistics). Values are drawn row-major, parameter by parameter, in
// declaration order from the seeded Rng, so one seed gives one model on every machine.

import type { Rng } from '../../common/rng.js';
import type { Graph, Value } from '../ir/graph.js';
import { type FloatType, Tensor } from '../ir/tensor.js';
import type { Activation } from './architecture.js';

export interface DenseLayer {
  kind: 'dense';
  name: string;
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
  activation: Activation;
}

export interface ConvLayer {
  kind: 'conv' | 'conv-transpose';
  name: string;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  pad: number;
  bias: boolean;
  activation: Activation;
  /** 'zero': weights and bias start at 0 (the second conv of a residual block; see architecture.ts). */
  init?: 'zero';
}

export type Layer = DenseLayer | ConvLayer;

export interface ParamSpec {
  /** Graph name: `<layer>.W` / `<layer>.b` (dense), `<layer>.weight` / `<layer>.bias` (conv). */
  name: string;
  shape: number[];
  /** PyTorch's fan_in of the layer's weight: the init bound is 1/√fanIn. */
  fanIn: number;
  /** How to draw it (default 'pytorch'); see initParams. */
  init?: InitScheme;
  /** Number of terms summed into one output of the layer (the true fan-in; 'kaiming' uses it). */
  summed?: number;
}

/**
 * 'pytorch': every weight and bias from U(±1/√fan_in), PyTorch's default for Linear and Conv.
 * 'kaiming': weights from U(±√(6/fan_in)) (He et al. 2015, the variance 2/fan_in that keeps ReLU
 * activations at a steady scale through depth), biases zero. Deep plain ReLU stacks such as the
 * 14-layer denoisers barely train from PyTorch's default, whose variance shrinks by 6× a layer.
 * 'zero': all zeros, for layers whose starting point must be "add nothing" (set by the layer).
 */
export type InitScheme = 'pytorch' | 'kaiming' | 'zero';

export function weightName(layer: Layer): string {
  return layer.kind === 'dense' ? `${layer.name}.W` : `${layer.name}.weight`;
}

export function biasName(layer: Layer): string {
  return layer.kind === 'dense' ? `${layer.name}.b` : `${layer.name}.bias`;
}

export function layerParams(layer: Layer): ParamSpec[] {
  if (layer.kind === 'dense') {
    const fanIn = layer.inFeatures;
    const specs: ParamSpec[] = [{ name: weightName(layer), shape: [layer.inFeatures, layer.outFeatures], fanIn }];
    if (layer.bias) specs.push({ name: biasName(layer), shape: [layer.outFeatures], fanIn });
    return specs;
  }
  const k = layer.kernel;
  const shape =
    layer.kind === 'conv' ? [layer.outChannels, layer.inChannels, k, k] : [layer.inChannels, layer.outChannels, k, k];
  const fanIn = shape[1]! * k * k;
  // Terms summed into one output: for a transposed conv that is C_in·k²/stride², not PyTorch's
  // C_out·k² (which it uses for its default init, kept above for that scheme).
  const summed = layer.kind === 'conv' ? fanIn : (layer.inChannels * k * k) / (layer.stride * layer.stride);
  const init = layer.init;
  const specs: ParamSpec[] = [{ name: weightName(layer), shape, fanIn, summed, ...(init ? { init } : {}) }];
  if (layer.bias)
    specs.push({ name: biasName(layer), shape: [layer.outChannels], fanIn, summed, ...(init ? { init } : {}) });
  return specs;
}

export function countParams(specs: readonly ParamSpec[]): number {
  let n = 0;
  for (const s of specs) n += s.shape.reduce((a, b) => a * b, 1);
  return n;
}

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
