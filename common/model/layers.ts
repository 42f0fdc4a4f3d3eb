// The layers every network is made of, described as plain data, so the same description yields the
// parameter list and the parameter count (here, shared with the renderer) and the graph nodes
// (main/engine/nn/layers.ts).
//
// Weight layouts are ONNX's: dense W is [in, out] (Gemm: y = x·W + b; PyTorch's nn.Linear stores
// the transpose), conv W is [out, in, k, k], transposed-conv W is [in, out, k, k]. Parameter names
// follow the engine fixtures: `<layer>.W` / `<layer>.b` for dense layers (the Gemm layout, so
// nobody mistakes it for PyTorch's), `<layer>.weight` / `<layer>.bias` for conv layers.

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
