// From an architecture to its layers: the encoder (input → latent), the VAE's two heads, the
// decoder (latent → reconstruction), or the residual body of a denoiser. Parameter lists, counts
// and graphs are all derived from this one plan, so they cannot disagree.

import {
  type Architecture,
  type ConvAeNetwork,
  type DenseNetwork,
  type EstimatorNetwork,
  type ResidualNetwork,
  denseLatentIndex,
} from './architecture.js';
import { type Layer, type ParamSpec, countParams, layerParams } from './layers.js';

export interface AutoencoderPlan {
  kind: 'autoencoder';
  /** Input → latent. For a VAE: input → last hidden layer before the heads. */
  encoder: Layer[];
  /** VAE only: μ and log σ² of q(z|x), both from the encoder's last output. */
  heads?: { mu: Layer; logvar: Layer };
  /** Latent → reconstruction; the last layer carries the output activation. */
  decoder: Layer[];
}

export interface ResidualPlan {
  kind: 'residual';
  /** Conv layers predicting the noise; the output is input − body(input). */
  body: Layer[];
  noiseLevelInput: boolean;
  /** Output = input − body (true) or body (false). */
  predictsNoise: boolean;
  /** body[1…] in pairs form residual blocks h ← h + b(a(h)), body[0] and the last layer outside them. */
  skips: boolean;
}

export interface EstimatorPlan {
  kind: 'estimator';
  /** Conv layers from the photo to its one-channel noise-level map. */
  body: Layer[];
}

export type Plan = AutoencoderPlan | ResidualPlan | EstimatorPlan;

export function planOf(arch: Architecture): Plan {
  const net = arch.network;
  const variational = arch.variant.type === 'variational';
  switch (net.type) {
    case 'dense':
      return densePlan(net, variational);
    case 'conv-ae':
      return convAePlan(net, variational);
    case 'residual':
      return residualPlan(net);
    case 'estimator':
      return estimatorPlan(net);
  }
}

function densePlan(net: DenseNetwork, variational: boolean): AutoencoderPlan {
  const w = net.widths;
  const L = denseLatentIndex(net);
  const dense = (name: string, i: number, activation: Layer['activation']): Layer => ({
    kind: 'dense',
    name,
    inFeatures: w[i]!,
    outFeatures: w[i + 1]!,
    bias: net.bias,
    activation,
  });
  const encoder: Layer[] = [];
  for (let i = 0; i < (variational ? L - 1 : L); i++) encoder.push(dense(`enc${i}`, i, net.hidden));
  const decoder: Layer[] = [];
  for (let i = L; i < w.length - 1; i++)
    decoder.push(dense(`dec${i - L}`, i, i === w.length - 2 ? net.output : net.hidden));
  if (!variational) return { kind: 'autoencoder', encoder, decoder };
  // The latent layer of a VAE is a Gaussian: two linear heads give its mean and log-variance.
  return {
    kind: 'autoencoder',
    encoder,
    heads: { mu: dense('enc_mu', L - 1, 'linear'), logvar: dense('enc_logvar', L - 1, 'linear') },
    decoder,
  };
}

function convAePlan(net: ConvAeNetwork, variational: boolean): AutoencoderPlan {
  const conv = (name: string, inC: number, outC: number, stride: number, activation: Layer['activation']): Layer => ({
    kind: 'conv',
    name,
    inChannels: inC,
    outChannels: outC,
    kernel: 3,
    stride,
    pad: 1,
    bias: net.bias,
    activation,
  });
  const encoder: Layer[] = [];
  let c = net.channels;
  net.stages.forEach((s, i) => {
    encoder.push(conv(`enc${i}`, c, s, 2, net.hidden)); // 3×3, stride 2, pad 1: H → H/2 for even H
    c = s;
  });
  let heads: AutoencoderPlan['heads'];
  if (variational)
    heads = {
      mu: conv('enc_mu', c, net.bottleneck, 1, 'linear'),
      logvar: conv('enc_logvar', c, net.bottleneck, 1, 'linear'),
    };
  else encoder.push(conv('enc_bottleneck', c, net.bottleneck, 1, net.hidden));
  const decoder: Layer[] = [];
  const ups = [...net.stages].reverse();
  let inC = net.bottleneck;
  ups.forEach((s, i) => {
    // 4×4, stride 2, pad 1: exactly doubles H and W, no output_padding needed.
    decoder.push({
      kind: 'conv-transpose',
      name: `dec${i}`,
      inChannels: inC,
      outChannels: s,
      kernel: 4,
      stride: 2,
      pad: 1,
      bias: net.bias,
      activation: net.hidden,
    });
    inC = s;
  });
  decoder.push(conv('dec_out', inC, net.channels, 1, net.output));
  return { kind: 'autoencoder', encoder, decoder, ...(heads ? { heads } : {}) };
}

function residualPlan(net: ResidualNetwork): ResidualPlan {
  const pad = (net.kernel - 1) / 2;
  const body: Layer[] = [];
  for (let i = 0; i < net.depth; i++) {
    const first = i === 0;
    const last = i === net.depth - 1;
    // At scale 2 the first layer halves H and W and the last one doubles them back: 4×4 windows,
    // stride 2, pad 1 map even sizes exactly (n → n/2 → n), so input and output always align.
    const resample = net.scale === 2 && (first || last);
    // With skips: the head is linear, and each block's second conv is linear and starts at zero.
    const blockEnd = net.skips && !first && !last && i % 2 === 0;
    body.push({
      kind: resample && last ? 'conv-transpose' : 'conv',
      name: `conv${i}`,
      inChannels: first ? net.channels + (net.noiseLevelInput ? 1 : 0) : net.features,
      outChannels: last ? net.channels : net.features,
      kernel: resample ? 4 : net.kernel,
      stride: resample ? 2 : 1,
      pad: resample ? 1 : pad,
      bias: net.bias,
      activation: last || blockEnd || (first && net.skips) ? 'linear' : net.hidden,
      ...(blockEnd ? { init: 'zero' as const } : {}),
    });
  }
  return {
    kind: 'residual',
    body,
    noiseLevelInput: net.noiseLevelInput,
    predictsNoise: net.predicts === 'noise',
    skips: net.skips,
  };
}

function estimatorPlan(net: EstimatorNetwork): EstimatorPlan {
  const body: Layer[] = [];
  for (let i = 0; i < net.depth; i++) {
    const last = i === net.depth - 1;
    body.push({
      kind: 'conv',
      name: `conv${i}`,
      inChannels: i === 0 ? net.channels : net.features,
      outChannels: last ? 1 : net.features,
      kernel: net.kernel,
      stride: 1,
      pad: (net.kernel - 1) / 2,
      bias: net.bias,
      activation: last ? net.output : net.hidden,
    });
  }
  return { kind: 'estimator', body };
}

export function planLayers(plan: Plan): Layer[] {
  if (plan.kind === 'residual' || plan.kind === 'estimator') return plan.body;
  return [...plan.encoder, ...(plan.heads ? [plan.heads.mu, plan.heads.logvar] : []), ...plan.decoder];
}

/** Every trainable parameter, in the order they are declared and initialised. */
export function paramSpecs(arch: Architecture): ParamSpec[] {
  return planLayers(planOf(arch))
    .flatMap(layerParams)
    .map((s) => (arch.init === 'pytorch' || s.init ? s : { ...s, init: arch.init }));
}

export function parameterCount(arch: Architecture): number {
  return countParams(paramSpecs(arch));
}
