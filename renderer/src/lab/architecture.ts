// The Lab's model designer, as plain data: the variant the user picked and the numbers in the
// layer form. A design becomes the architecture JSON sent to the `train` job, and everything the
// form shows about it (parameter count, per-layer breakdown, the problems that would stop a run)
// comes from the one model spec in common/model/, the same code the engine builds from.
import {
  ARCH_FORMAT,
  ARCH_VERSION,
  type Activation,
  type Architecture,
  architectureSchema,
  defaultPredicts,
  denseLatentIndex,
  layerParams,
  countParams,
  parameterCount as specParameterCount,
  planOf,
} from '../../../common/model/index.js';

export type { Activation };

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

/** The design as the model spec reads it: the architecture, or the problems that stop it. */
function specOf(
  variant: VariantId,
  net: NetworkDesign,
  o: VariantOptions,
): { arch: Architecture; problems: [] } | { arch: null; problems: string[] } {
  const r = architectureSchema.safeParse(architectureJson(variant, net, o));
  if (r.success) return { arch: r.data, problems: [] };
  return { arch: null, problems: [...new Set(r.error.issues.map(problemText))] };
}

/** What a person reads for a field the form names ("every width", "the kernel size"). */
const FIELD_WORDS: Record<string, string> = {
  widths: 'every width',
  stages: 'every stage',
  bottleneck: 'the bottleneck',
  channels: 'the image channels',
  features: 'the features',
  depth: 'the depth',
  kernel: 'the kernel size',
};

function problemText(issue: { path: PropertyKey[]; message: string; code: string }): string {
  // The spec's own rules say their problem in full; zod's range checks name no field.
  if (issue.code === 'custom') return issue.message;
  const field = issue.path.find((p): p is string => typeof p === 'string' && p in FIELD_WORDS);
  return field ? `${FIELD_WORDS[field]}: ${issue.message}` : issue.message;
}

const DEFAULT_OPTIONS: VariantOptions = { sparsePenalty: 'l1', sparseTarget: 0.05, lambda: 0, beta: 1, loss: 'mse' };

/**
 * Trainable parameters of a design (null while the design is invalid). A VAE's latent layer is two
 * heads (μ and log σ²), so the layer into the latent counts twice.
 */
export function parameterCount(net: NetworkDesign, variational = false): number | null {
  const { arch } = specOf(variational ? 'variational' : 'basic', net, DEFAULT_OPTIONS);
  return arch ? specParameterCount(arch) : null;
}

/** Parameters per dense layer, for the form's breakdown ("8 → 3: 27"); empty while invalid. */
export function denseLayerCounts(net: DenseDesign, variational = false): { label: string; params: number }[] {
  const { arch } = specOf(variational ? 'variational' : 'basic', net, DEFAULT_OPTIONS);
  if (!arch) return [];
  const plan = planOf(arch);
  if (plan.kind !== 'autoencoder') return [];
  const count = (layer: (typeof plan.encoder)[number]) => countParams(layerParams(layer));
  const label = (layer: (typeof plan.encoder)[number]) =>
    layer.kind === 'dense' ? `${layer.inFeatures} → ${layer.outFeatures}` : layer.name;
  const rows = plan.encoder.map((l) => ({ label: label(l), params: count(l) }));
  if (plan.heads)
    rows.push({
      label: `${label(plan.heads.mu)} (μ and log σ²)`,
      params: count(plan.heads.mu) + count(plan.heads.logvar),
    });
  return [...rows, ...plan.decoder.map((l) => ({ label: label(l), params: count(l) }))];
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
      const codeSize = net.widths[denseLatentIndex(net)]!;
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
    format: ARCH_FORMAT,
    version: ARCH_VERSION,
    ...(name ? { name } : {}),
    network: net.type === 'residual' ? { ...net, predicts: defaultPredicts(net) } : { ...net },
    variant: v,
    loss: o.loss,
  };
}

/** Problems the engine would refuse, said before the user presses Start. Empty = fine. */
export function designProblems(variant: VariantId, net: NetworkDesign, o: VariantOptions): string[] {
  return specOf(variant, net, o).problems;
}
