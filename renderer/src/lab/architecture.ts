// The Lab's model designer, as plain data: the variant the user picked and the numbers in the
// layer form. From it come the live parameter count, the conv bottleneck's compression ratio, the
// over/undercomplete verdict, and the architecture JSON sent to the `train` job.
//
// The counts mirror the engine's layer plan (main/engine/nn/plan.ts): the renderer cannot import
// the engine's zod-validated builders cheaply on every keystroke, so it counts with this small pure
// function; test/unit/renderer/architecture.test.ts checks it against the engine for every preset
// and a sweep of designs, so the two cannot drift apart silently.

import { defaultPredicts } from '../../../common/model/architecture.js';

export const VARIANTS = [
  { id: 'basic', label: 'Basic (undercomplete)', family: 'dense' },
  { id: 'stacked', label: 'Stacked', family: 'dense' },
  { id: 'sparse', label: 'Sparse', family: 'dense' },
  { id: 'denoising', label: 'Denoising', family: 'dense' },
  { id: 'variational', label: 'Variational (VAE)', family: 'dense' },
  { id: 'contractive', label: 'Contractive', family: 'dense' },
  { id: 'convolutional', label: 'Convolutional', family: 'conv-ae' },
  { id: 'residual', label: 'Residual denoiser', family: 'residual' },
] as const;

export type VariantId = (typeof VARIANTS)[number]['id'];
export type Family = (typeof VARIANTS)[number]['family'];
export type Activation = 'relu' | 'leaky-relu' | 'sigmoid' | 'tanh' | 'softplus' | 'linear';

export interface DenseDesign {
  type: 'dense';
  /** W0-W1-…-Wn, input and output equal. */
  widths: number[];
  hidden: Activation;
  output: Activation;
  bias: boolean;
}

export interface ConvDesign {
  type: 'conv-ae';
  channels: number;
  /** Channels after each stride-2 stage. */
  stages: number[];
  bottleneck: number;
  bias: boolean;
}

export interface ResidualDesign {
  type: 'residual';
  channels: number;
  features: number;
  depth: number;
  kernel: number;
  noiseLevelInput: boolean;
  bias: boolean;
  /** 2: FFDNet-style, the body runs at half resolution (4×4 stride-2 conv in, transposed conv out). */
  scale?: 1 | 2;
  /** Middle layers in pairs with a skip around each (residual blocks); needs an even depth. */
  skips?: boolean;
}

export type NetworkDesign = DenseDesign | ConvDesign | ResidualDesign;

export function familyOf(variant: VariantId): Family {
  return VARIANTS.find((v) => v.id === variant)!.family;
}

/** Index of a dense network's latent layer: the narrowest interior width, first if tied. */
export function latentIndex(widths: readonly number[]): number {
  let best = 1;
  for (let i = 2; i < widths.length - 1; i++) if (widths[i]! < widths[best]!) best = i;
  return best;
}

const dense = (inF: number, outF: number, bias: boolean) => inF * outF + (bias ? outF : 0);
const conv = (inC: number, outC: number, k: number, bias: boolean) => inC * outC * k * k + (bias ? outC : 0);

/**
 * Trainable parameters of a design. A VAE's latent layer is two heads (μ and log σ²), so the layer
 * into the latent counts twice; everything else is one weight matrix (or kernel) plus a bias.
 */
export function parameterCount(net: NetworkDesign, variational = false): number {
  switch (net.type) {
    case 'dense': {
      const w = net.widths;
      const L = latentIndex(w);
      let n = 0;
      for (let i = 0; i < w.length - 1; i++) {
        const layer = dense(w[i]!, w[i + 1]!, net.bias);
        n += variational && i === L - 1 ? 2 * layer : layer;
      }
      return n;
    }
    case 'conv-ae': {
      let n = 0;
      let c = net.channels;
      for (const s of net.stages) {
        n += conv(c, s, 3, net.bias); // stride-2 3×3 down
        c = s;
      }
      n += (variational ? 2 : 1) * conv(c, net.bottleneck, 3, net.bias);
      let inC = net.bottleneck;
      for (const s of [...net.stages].reverse()) {
        n += conv(inC, s, 4, net.bias); // stride-2 4×4 transposed conv up
        inC = s;
      }
      return n + conv(inC, net.channels, 3, net.bias);
    }
    case 'residual': {
      let n = 0;
      for (let i = 0; i < net.depth; i++) {
        const inC = i === 0 ? net.channels + (net.noiseLevelInput ? 1 : 0) : net.features;
        const outC = i === net.depth - 1 ? net.channels : net.features;
        const resample = net.scale === 2 && (i === 0 || i === net.depth - 1);
        n += conv(inC, outC, resample ? 4 : net.kernel, net.bias);
      }
      return n;
    }
  }
}

/** Parameters per layer, for the form's breakdown ("8→3: 27"). */
export function denseLayerCounts(net: DenseDesign, variational = false): { label: string; params: number }[] {
  const w = net.widths;
  const L = latentIndex(w);
  return w.slice(0, -1).map((inF, i) => {
    const outF = w[i + 1]!;
    const one = dense(inF, outF, net.bias);
    const heads = variational && i === L - 1;
    return { label: `${inF} → ${outF}${heads ? ' (μ and log σ²)' : ''}`, params: heads ? 2 * one : one };
  });
}

/**
 * How many input values each bottleneck value stands for: H·W·C in, (H/2^s)·(W/2^s)·B out, so
 * 4^s·C / B. Above 1 the code is smaller than the image (undercomplete).
 */
export function compressionRatio(net: ConvDesign): number {
  return (4 ** net.stages.length * net.channels) / net.bottleneck;
}

export interface Completeness {
  inputSize: number;
  codeSize: number;
  /** Hidden (code) ≥ input: the network could learn the identity unless something stops it. */
  overcomplete: boolean;
}

/**
 * Over/undercomplete, per input value. Dense: latent width vs input width. Conv: bottleneck values
 * per input value (1 / compression ratio), stated per 1 input "unit" so no image size is needed.
 * Residual denoisers keep full resolution in every layer: features ≥ channels, overcomplete.
 */
export function completeness(net: NetworkDesign): Completeness {
  switch (net.type) {
    case 'dense': {
      const inputSize = net.widths[0]!;
      const codeSize = net.widths[latentIndex(net.widths)]!;
      return { inputSize, codeSize, overcomplete: codeSize >= inputSize };
    }
    case 'conv-ae': {
      const inputSize = 4 ** net.stages.length * net.channels;
      return { inputSize, codeSize: net.bottleneck, overcomplete: net.bottleneck >= inputSize };
    }
    case 'residual':
      return { inputSize: net.channels, codeSize: net.features, overcomplete: net.features >= net.channels };
  }
}

export interface VariantOptions {
  /** Sparse: 'l1' (λ·Σ|z|) or 'kl' (to a target mean activation ρ). */
  sparsePenalty: 'l1' | 'kl';
  sparseTarget: number;
  lambda: number;
  beta: number;
  loss: 'mse' | 'mae' | 'bce' | 'charbonnier';
}

/**
 * The engine's architecture JSON (format denoise-lab.architecture, version 1) for a design. The
 * training noise is not part of it: the `train` job takes it as its own parameter.
 */
export function architectureJson(
  variant: VariantId,
  net: NetworkDesign,
  o: VariantOptions,
  name?: string,
): Record<string, unknown> {
  let v: Record<string, unknown> = { type: 'basic' };
  if (variant === 'sparse')
    v =
      o.sparsePenalty === 'kl'
        ? { type: 'sparse', penalty: 'kl', weight: o.lambda, target: o.sparseTarget }
        : { type: 'sparse', penalty: 'l1', weight: o.lambda };
  if (variant === 'contractive') v = { type: 'contractive', weight: o.lambda };
  if (variant === 'variational') v = { type: 'variational', beta: o.beta };
  return {
    format: 'denoise-lab.architecture',
    version: 1,
    ...(name ? { name } : {}),
    network: net.type === 'residual' ? { ...net, predicts: defaultPredicts(net) } : { ...net },
    variant: v,
    loss: o.loss,
  };
}

/** Problems the engine would refuse, said before the user presses Start. Empty = fine. */
export function designProblems(variant: VariantId, net: NetworkDesign, o: VariantOptions): string[] {
  const p: string[] = [];
  const positive = (xs: number[]) => xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 65536);
  if (net.type === 'dense') {
    if (net.widths.length < 3) p.push('a dense autoencoder needs at least input, latent and output widths');
    if (!positive(net.widths)) p.push('every width must be a whole number from 1 to 65536');
    if (net.widths[0] !== net.widths[net.widths.length - 1]) p.push('input and output widths must match');
    if (variant === 'contractive' && latentIndex(net.widths) !== 1)
      p.push('the contractive penalty needs a one-layer encoder (the first hidden layer must be the narrowest)');
    if (variant === 'sparse' && o.sparsePenalty === 'kl' && net.hidden !== 'sigmoid')
      p.push('KL sparsity needs a sigmoid hidden activation (mean activations in (0, 1))');
    if (o.loss === 'bce' && net.output !== 'sigmoid') p.push('binary cross-entropy needs a sigmoid output');
  } else if (net.type === 'conv-ae') {
    if (!positive([...net.stages, net.bottleneck, net.channels])) p.push('channels must be whole numbers ≥ 1');
    if (net.stages.length < 1 || net.stages.length > 6) p.push('a conv autoencoder has 1 to 6 stride-2 stages');
    if (net.channels > 4) p.push('at most 4 image channels');
  } else {
    if (net.depth < 2) p.push('a residual denoiser has at least 2 layers');
    if (net.kernel % 2 !== 1) p.push('the kernel size must be odd');
    if (net.skips && net.depth % 2 !== 0) p.push('residual blocks need an even number of layers (head, pairs, tail)');
    if (!positive([net.features, net.channels])) p.push('channels must be whole numbers ≥ 1');
  }
  return p;
}
