// Graphs of a model: the forward graph used for training (parameters as graph parameters, with
// probes on the latent code and on every layer's feature map), the inference graph (the same
// forward pass, to be exported with its parameters frozen), and encoder-only / decoder-only graphs
// for the latent-space views. Losses are added on top of the training forward graph by
// `objective.ts`; the optimizer step by engine/optim.
//
// Shapes in the IR are static, so every builder takes the batch size and the sample shape. The
// convolutional models are fully convolutional: their exported graphs are valid for any N, H, W
// (multiples of `sizeMultiple` for the conv autoencoder), declared as dynamic axes on export.

import { Graph, type Value } from '../ir/graph.js';
import type { FloatType } from '../ir/tensor.js';
import { reparameterize } from '../losses/vae.js';
import { type Architecture, denseLatentIndex } from '../../../common/model/architecture.js';
import { type Layer, layerParams } from '../../../common/model/layers.js';
import { applyLayer, declareParams } from './layers.js';
import { type AutoencoderPlan, planLayers, planOf } from '../../../common/model/plan.js';

/** Shape of one sample without the batch axis: [D] for dense networks, [C, H, W] for conv ones. */
export type SampleShape = readonly number[];

export interface GraphOptions {
  batch: number;
  /** [D] or [C, H, W]; default: the architecture's natural shape (conv: 48×48 patches). */
  sampleShape?: SampleShape;
  floatType?: FloatType;
}

/** Names of graph inputs and outputs shared by all model graphs (and by exported ONNX models). */
export const IO = {
  /** Training graph: the (possibly corrupted) input batch. */
  x: 'x',
  /** Inference graph: the input image / vector batch. */
  input: 'input',
  /** σ/255 of the noise, as an [N, 1, H, W] map (residual denoisers with a noise-level input). */
  noiseLevel: 'noise_level',
  /** Standard normal draws for the VAE's reparameterised sample, shaped like the latent. */
  eps: 'eps',
  /** Encoder-only / decoder-only graphs' latent input or output. */
  latent: 'latent',
  output: 'output',
} as const;

/** Multiple that H and W of inputs must be: 2^stages for conv autoencoders, the scale of residual nets, else 1. */
export function sizeMultiple(arch: Architecture): number {
  const net = arch.network;
  if (net.type === 'conv-ae') return 2 ** net.stages.length;
  if (net.type === 'residual') return net.scale;
  return 1;
}

export function defaultSampleShape(arch: Architecture, patch = 48): number[] {
  const net = arch.network;
  if (net.type === 'dense') return [net.widths[0]!];
  const m = sizeMultiple(arch);
  const side = Math.max(m, Math.round(patch / m) * m);
  return [net.channels, side, side];
}

/** Throws a clear error when a sample shape does not fit the architecture. */
export function checkSampleShape(arch: Architecture, shape: SampleShape): void {
  const net = arch.network;
  if (net.type === 'dense') {
    if (shape.length !== 1 || shape[0] !== net.widths[0])
      throw new RangeError(`dense network expects samples of ${net.widths[0]} values, got shape [${shape.join(', ')}]`);
    return;
  }
  if (shape.length !== 3 || shape[0] !== net.channels)
    throw new RangeError(`${net.type} network expects ${net.channels}×H×W samples, got shape [${shape.join(', ')}]`);
  const m = sizeMultiple(arch);
  if (shape[1]! < m || shape[2]! < m || shape[1]! % m !== 0 || shape[2]! % m !== 0)
    throw new RangeError(`${net.type} network needs H and W that are multiples of ${m}, got ${shape[1]}×${shape[2]}`);
}

/** Latent shape of one sample: [d] (dense) or [bottleneck, H/2^k, W/2^k] (conv-ae); null for residual nets. */
export function latentShape(arch: Architecture, sample: SampleShape = defaultSampleShape(arch)): number[] | null {
  const net = arch.network;
  if (net.type === 'dense') return [net.widths[denseLatentIndex(net)]!];
  if (net.type === 'residual' || net.type === 'estimator') return null;
  const m = sizeMultiple(arch);
  return [net.bottleneck, sample[1]! / m, sample[2]! / m];
}

export interface ModelSummary {
  family: Architecture['network']['type'];
  variant: Architecture['variant']['type'];
  denoising: boolean;
  inputSize: number;
  latentSize: number | null;
  /** Input size / latent size (> 1: the code compresses). */
  compressionRatio: number | null;
  /** Hidden (latent) size ≥ input size; such a code needs a regulariser (sparsity, noise…) to learn anything. */
  overcomplete: boolean | null;
}

export function summarize(arch: Architecture, sample: SampleShape = defaultSampleShape(arch)): ModelSummary {
  const inputSize = sample.reduce((a, b) => a * b, 1);
  const latent = latentShape(arch, sample);
  const latentSize = latent ? latent.reduce((a, b) => a * b, 1) : null;
  return {
    family: arch.network.type,
    variant: arch.variant.type,
    // An estimator sees noisy inputs but returns their noise level, not a cleaner photo.
    denoising: arch.noise !== null && arch.network.type !== 'estimator',
    inputSize,
    latentSize,
    compressionRatio: latentSize ? inputSize / latentSize : null,
    overcomplete: latentSize === null ? null : latentSize >= inputSize,
  };
}

/** What the forward builders return: the graph and the values losses and probes attach to. */
export interface ForwardGraph {
  arch: Architecture;
  graph: Graph;
  /** The input batch ('x' when training, 'input' for inference). */
  x: Value;
  noiseLevel?: Value;
  eps?: Value;
  /** Reconstruction (after the output activation). */
  output: Value;
  /** Pre-activation of the output layer (logits when the output is a sigmoid). */
  outputPre: Value;
  /** Latent code (the VAE's sample when training, its mean at inference). */
  z?: Value;
  mu?: Value;
  logvar?: Value;
  /** Encoder layers with pre-activations (for the contractive penalty). */
  encoder: { layer: Layer; input: Value; pre: Value; out: Value }[];
  /** Each layer's output, by layer name (feature maps of conv layers). */
  features: Map<string, Value>;
  params: Map<string, Value>;
}

function newGraph(arch: Architecture, o: GraphOptions): { g: Graph; sample: SampleShape } {
  if (!Number.isInteger(o.batch) || o.batch < 1)
    throw new RangeError(`batch must be a positive integer, got ${o.batch}`);
  const sample = o.sampleShape ?? defaultSampleShape(arch);
  checkSampleShape(arch, sample);
  return { g: new Graph(o.floatType ?? 'float32'), sample };
}

function runLayers(
  g: Graph,
  params: Map<string, Value>,
  x: Value,
  layers: readonly Layer[],
  fg: Pick<ForwardGraph, 'features' | 'encoder'>,
  isEncoder: boolean,
) {
  let h = x;
  let pre = x;
  for (const layer of layers) {
    const input = h;
    const r = applyLayer(g, params, h, layer);
    pre = r.pre;
    h = r.out;
    fg.features.set(layer.name, h);
    if (isEncoder) fg.encoder.push({ layer, input, pre, out: h });
  }
  return { pre, out: h };
}

/** Head, residual blocks h ← h + b(a(h)) over the middle layers in pairs, tail (see ResidualPlan). */
function runBlocks(
  g: Graph,
  params: Map<string, Value>,
  x: Value,
  layers: readonly Layer[],
  fg: Pick<ForwardGraph, 'features'>,
) {
  const apply = (h: Value, layer: Layer): Value => {
    const out = applyLayer(g, params, h, layer).out;
    fg.features.set(layer.name, out);
    return out;
  };
  let h = apply(x, layers[0]!);
  for (let i = 1; i < layers.length - 1; i += 2) {
    h = g.add(h, apply(apply(h, layers[i]!), layers[i + 1]!));
    // A block's feature map is what it hands on (h + correction), not the correction alone.
    fg.features.set(layers[i + 1]!.name, h);
  }
  return { out: apply(h, layers[layers.length - 1]!) };
}

/**
 * The forward pass. mode 'train': inputs 'x' (+ 'eps' for a VAE, + 'noise_level'), the VAE
 * samples z = μ + exp(½·log σ²)·ε. mode 'inference': input 'input', the VAE decodes its mean.
 */
export function buildForward(arch: Architecture, o: GraphOptions & { mode: 'train' | 'inference' }): ForwardGraph {
  const { g, sample } = newGraph(arch, o);
  const plan = planOf(arch);
  const params = declareParams(g, planLayers(plan).flatMap(layerParams));
  const x = g.input(o.mode === 'train' ? IO.x : IO.input, [o.batch, ...sample]);
  const fg: ForwardGraph = { arch, graph: g, x, output: x, outputPre: x, encoder: [], features: new Map(), params };

  if (plan.kind === 'residual') {
    let h = x;
    if (plan.noiseLevelInput) {
      fg.noiseLevel = g.input(IO.noiseLevel, [o.batch, 1, sample[1]!, sample[2]!]);
      h = g.concat([x, fg.noiseLevel], 1);
    }
    const body = plan.skips ? runBlocks(g, params, h, plan.body, fg) : runLayers(g, params, h, plan.body, fg, false);
    fg.outputPre = plan.predictsNoise ? g.sub(x, body.out) : body.out;
    fg.output = fg.outputPre;
    return fg;
  }
  if (plan.kind === 'estimator') {
    const body = runLayers(g, params, x, plan.body, fg, false);
    fg.output = body.out;
    fg.outputPre = body.pre;
    return fg;
  }

  const enc = runLayers(g, params, x, plan.encoder, fg, true);
  let z = enc.out;
  if (plan.heads) {
    const mu = applyLayer(g, params, enc.out, plan.heads.mu).out;
    const logvar = applyLayer(g, params, enc.out, plan.heads.logvar).out;
    fg.mu = mu;
    fg.logvar = logvar;
    fg.features.set(plan.heads.mu.name, mu);
    fg.features.set(plan.heads.logvar.name, logvar);
    if (o.mode === 'train') {
      fg.eps = g.input(IO.eps, [o.batch, ...latentShape(arch, sample)!]);
      z = g.scope('reparam', () => reparameterize(g, mu, logvar, fg.eps!));
    } else {
      z = mu;
    }
  }
  fg.z = z;
  const dec = runLayers(g, params, z, plan.decoder, fg, false);
  fg.output = dec.out;
  fg.outputPre = dec.pre;
  return fg;
}

/**
 * The exported model: input 'input' (+ 'noise_level') → output 'output', parameters still graph
 * parameters (the ONNX writer freezes them into initializers). With `features`, every layer's
 * output is an extra graph output 'feature/<layer>' (for the feature-map view).
 */
export function buildInference(arch: Architecture, o: GraphOptions & { features?: boolean }): ForwardGraph {
  const fg = buildForward(arch, { ...o, mode: 'inference' });
  fg.output = fg.graph.output(fg.output, IO.output);
  if (o.features) for (const [name, v] of fg.features) fg.graph.output(v, `feature/${name}`);
  return fg;
}

function autoencoderPlan(arch: Architecture, what: string): AutoencoderPlan {
  const plan = planOf(arch);
  if (plan.kind !== 'autoencoder') throw new RangeError(`${what}: a ${arch.network.type} network has no latent code`);
  return plan;
}

/** input → latent (a VAE's mean). Parameters are those of the whole model that the encoder uses. */
export function buildEncoder(arch: Architecture, o: GraphOptions): { graph: Graph; input: Value; latent: Value } {
  const plan = autoencoderPlan(arch, 'encoder');
  const { g, sample } = newGraph(arch, o);
  const layers = plan.heads ? [...plan.encoder, plan.heads.mu] : plan.encoder;
  const params = declareParams(g, layers.flatMap(layerParams));
  const input = g.input(IO.input, [o.batch, ...sample]);
  const sink = { features: new Map<string, Value>(), encoder: [] };
  const latent = g.output(runLayers(g, params, input, layers, sink, false).out, IO.latent);
  return { graph: g, input, latent };
}

/** latent → reconstruction (decoding a latent point, traversal grids, VAE samples). */
export function buildDecoder(arch: Architecture, o: GraphOptions): { graph: Graph; latent: Value; output: Value } {
  const plan = autoencoderPlan(arch, 'decoder');
  const { g, sample } = newGraph(arch, o);
  const params = declareParams(g, plan.decoder.flatMap(layerParams));
  const latent = g.input(IO.latent, [o.batch, ...latentShape(arch, sample)!]);
  const sink = { features: new Map<string, Value>(), encoder: [] };
  const output = g.output(runLayers(g, params, latent, plan.decoder, sink, false).out, IO.output);
  return { graph: g, latent, output };
}
