// The architecture format: a small, versioned JSON document that says which network to build and
// how to train it. It travels with every exported model (ONNX metadata), so a model file alone is
// enough to rebuild its graphs, count its parameters or continue training it.
//
// Three network families cover every autoencoder of the seeds:
//   dense      fully connected, widths W0-W1-…-Wn (W0 = Wn = input size); the latent layer is the
//              narrowest interior layer unless `latentLayer` says otherwise
//   conv-ae    convolutional autoencoder: stride-2 3×3 convs down, a 3×3 conv to `bottleneck`
//              channels, stride-2 4×4 transposed convs up; compression ratio 4^stages·C / bottleneck
//   residual   DnCNN-style denoiser that predicts the noise (output = input − network(input)),
//              optionally with a noise-level map as an extra input channel (FFDNet-style)
// and one that is not an autoencoder but trains with them:
//   estimator  CBDNet's noise-estimation subnetwork: a plain stack of 3×3 convs from the photo to
//              a one-channel map of its noise level (σ/255 per pixel), the map a denoiser with a
//              noise-level input is given
// and the variant says what is added to the reconstruction loss (sparsity, contractive penalty,
// or the VAE's KL term with a reparameterised latent). "Denoising" is orthogonal: any network
// trained with a `noise` model sees corrupted inputs and reconstructs the clean ones.

import { AppError } from '../errors.js';
import { z } from 'zod';
import { trainingNoiseSchema } from '../noise-spec.js';

export const ARCH_FORMAT = 'denoise-lab.architecture';
export const ARCH_VERSION = 1;

export const ACTIVATIONS = ['relu', 'leaky-relu', 'sigmoid', 'tanh', 'softplus', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

const activation = z.enum(ACTIVATIONS);
/** Widths and channel counts: positive, and small enough that nobody builds a 100-GB model by typo. */
const width = z.number().int().min(1).max(65536);

const denseNetwork = z
  .object({
    type: z.literal('dense'),
    widths: z.array(width).min(3, 'a dense autoencoder needs at least 3 widths (input, latent, output)'),
    hidden: activation.default('relu'),
    output: activation.default('linear'),
    bias: z.boolean().default(true),
    /** Index in `widths` of the latent layer (default: the narrowest interior layer, first if tied). */
    latentLayer: z.number().int().min(1).optional(),
  })
  .strict();

const convAeNetwork = z
  .object({
    type: z.literal('conv-ae'),
    channels: z.number().int().min(1).max(4),
    /** Channels after each stride-2 stage on the way down (decoder mirrors them). */
    stages: z.array(width).min(1).max(6),
    bottleneck: width,
    hidden: activation.default('relu'),
    output: activation.default('sigmoid'),
    bias: z.boolean().default(true),
  })
  .strict();

/** A square conv kernel with same-size padding, so its side is odd. */
const oddKernel = z
  .number()
  .int()
  .min(1)
  .max(15)
  .refine((k) => k % 2 === 1, 'kernel must be odd (same-size padding)');

const residualNetwork = z
  .object({
    type: z.literal('residual'),
    channels: z.number().int().min(1).max(4),
    features: width,
    /** Number of conv layers in total (first and last included), at least 2. */
    depth: z.number().int().min(2).max(200),
    kernel: oddKernel,
    hidden: activation.default('relu'),
    bias: z.boolean().default(true),
    noiseLevelInput: z.boolean().default(false),
    /**
     * 1: every layer at full resolution (DnCNN). 2: FFDNet-style, the body runs at half resolution
     * (a 4×4 stride-2 conv in, a 4×4 stride-2 transposed conv out), a quarter of the cost per
     * pixel for the same depth and width, and twice the receptive field; H and W must be even.
     */
    scale: z.union([z.literal(1), z.literal(2)]).default(1),
    /**
     * 'noise': output = input − body (DnCNN's residual learning, best at full resolution).
     * 'image': output = body (FFDNet). A plain half-resolution ReLU stack learns the (smooth) clean
     * image far sooner than the full-resolution white noise: measured, one predicting the noise was
     * still near the noisy input's loss after 600 steps. With `skips` the noise is learnt at once.
     */
    predicts: z.enum(['noise', 'image']).default('noise'),
    /**
     * Residual blocks (EDSR, Lim et al. 2017, which needs no batch norm): a linear head conv, the
     * middle layers in pairs h ← h + conv(ReLU(conv(h))), a linear tail. Each block's second conv
     * starts at zero, so the untrained network is a linear map that can pass every detail of the
     * input, and depth adds corrections. A plain ReLU stack must first learn to carry fine detail
     * through every layer: measured, a plain half-resolution stack could not reproduce a clean
     * photo better than 29 dB after 9,000 steps. Needs an even depth (head + pairs + tail).
     */
    skips: z.boolean().default(false),
  })
  .strict();

const estimatorNetwork = z
  .object({
    type: z.literal('estimator'),
    /** Channels of the photo it reads (the map it writes always has one). */
    channels: z.number().int().min(1).max(4),
    features: width,
    /** Conv layers in total, first and last included. */
    depth: z.number().int().min(2).max(50),
    kernel: oddKernel,
    hidden: activation.default('relu'),
    /** ReLU (CBDNet's choice) keeps the map ≥ 0, as a noise level is. */
    output: activation.default('relu'),
    bias: z.boolean().default(true),
  })
  .strict();

const variant = z.discriminatedUnion('type', [
  z.object({ type: z.literal('basic') }).strict(),
  z
    .object({
      type: z.literal('sparse'),
      penalty: z.enum(['l1', 'kl']),
      weight: z.number().min(0).finite(),
      /** Target mean activation ρ of the KL penalty (latent units must be in (0, 1): sigmoid). */
      target: z.number().gt(0).lt(1).optional(),
    })
    .strict(),
  z.object({ type: z.literal('contractive'), weight: z.number().min(0).finite() }).strict(),
  z.object({ type: z.literal('variational'), beta: z.number().min(0).finite().default(1) }).strict(),
]);

export const architectureSchema = z
  .object({
    format: z.literal(ARCH_FORMAT),
    version: z.literal(ARCH_VERSION),
    name: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    network: z.discriminatedUnion('type', [denseNetwork, convAeNetwork, residualNetwork, estimatorNetwork]),
    variant: variant.default({ type: 'basic' }),
    loss: z.enum(['mse', 'noise-weighted-mse', 'asymmetric-mse', 'mae', 'bce', 'charbonnier']).default('mse'),
    /** α of the asymmetric MSE (losses/reconstruction.ts): over-estimates weigh α, under-estimates 1 − α; default 0.3. */
    asymmetry: z.number().gt(0).lt(1).optional(),
    /**
     * Floor f of the noise-weighted MSE, as σ on the 0–255 scale (weights f²/(σ² + f²)); default 10.
     * Measured on the default model: 8,806 more steps with f = 20 (to favour σ 50) came out 0.4–0.5
     * dB below the f = 10 model at σ 15, 25 and 50 alike (scripts/train/README.md).
     */
    noiseWeightFloor: z.number().gt(0).max(255).optional(),
    /** Parameter initialisation: PyTorch's default, or He/Kaiming for deep ReLU stacks (see nn/layers.ts). */
    init: z.enum(['pytorch', 'kaiming']).default('pytorch'),
    /** Corruption applied to inputs during training (a denoising autoencoder); levels on the 0–255 scale. */
    noise: trainingNoiseSchema.nullable().default(null),
  })
  .strict()
  .superRefine((a, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const net = a.network;
    if (net.type === 'dense') {
      const w = net.widths;
      if (w[0] !== w[w.length - 1])
        issue(['network', 'widths'], `input width ${w[0]} and output width ${w[w.length - 1]} must match`);
      if (net.latentLayer !== undefined && net.latentLayer >= w.length - 1)
        issue(['network', 'latentLayer'], `must be an interior layer index (1…${w.length - 2})`);
    }
    if (a.variant.type === 'contractive') {
      if (net.type !== 'dense') issue(['variant'], 'the contractive penalty needs a dense network');
      // The closed form ‖∂z/∂x‖²_F = Σ_j f'(a_j)² Σ_i W_ji² holds for a one-layer encoder.
      else if (denseLatentIndex(net) !== 1)
        issue(['network'], 'the contractive penalty (closed form) needs a one-layer encoder: latent layer 1');
    }
    if (net.type === 'residual' && net.skips && net.depth % 2 !== 0)
      issue(
        ['network', 'depth'],
        `residual blocks need an even depth (head + pairs of convs + tail), got ${net.depth}`,
      );
    if (a.variant.type === 'variational' && net.type === 'residual')
      issue(['variant'], 'a residual denoiser cannot be variational');
    if (a.variant.type === 'sparse' && net.type === 'residual')
      issue(['variant'], 'a residual denoiser has no latent code to make sparse');
    if (a.variant.type === 'sparse' && a.variant.penalty === 'kl') {
      if (a.variant.target === undefined)
        issue(['variant', 'target'], 'the KL sparsity penalty needs a target mean activation ρ in (0, 1)');
      if (net.type !== 'residual' && net.hidden !== 'sigmoid')
        issue(
          ['network', 'hidden'],
          'the KL sparsity penalty needs latent activations in (0, 1): use a sigmoid hidden activation',
        );
    }
    if (a.asymmetry !== undefined && a.loss !== 'asymmetric-mse')
      issue(['asymmetry'], 'only the asymmetric MSE has an asymmetry α');
    if (net.type === 'estimator') {
      if (a.variant.type !== 'basic') issue(['variant'], 'a noise estimator has no latent code');
      if (!a.noise) issue(['noise'], 'a noise estimator learns from noisy inputs: give it a noise model');
      else if (a.noise.type !== 'gaussian' && a.noise.type !== 'poisson-gaussian' && a.noise.type !== 'camera-mix')
        issue(['noise'], 'a noise estimator needs noise with a known level: gaussian, poisson-gaussian or camera-mix');
    }
    if (a.noise?.type === 'camera-mix') {
      const mapped = (net.type === 'residual' && net.noiseLevelInput) || net.type === 'estimator';
      if (!mapped || net.channels !== 3)
        issue(['noise'], 'camera-mix noise needs an RGB denoiser with a noise-level input, or an RGB noise estimator');
    }
    if (a.noiseWeightFloor !== undefined && a.loss !== 'noise-weighted-mse')
      issue(['noiseWeightFloor'], 'only the noise-weighted MSE has a floor');
    if (a.loss === 'noise-weighted-mse' && !(net.type === 'residual' && net.noiseLevelInput))
      issue(['loss'], 'the noise-weighted MSE needs a denoiser with a noise-level input');
    if (a.loss === 'bce') {
      const out = net.type === 'residual' ? 'linear' : net.output;
      if (out !== 'sigmoid') issue(['loss'], 'binary cross-entropy needs a sigmoid output layer');
    }
  });

export type Architecture = z.output<typeof architectureSchema>;
export type ArchitectureInput = z.input<typeof architectureSchema>;
export type Network = Architecture['network'];
export type DenseNetwork = Extract<Network, { type: 'dense' }>;
export type ConvAeNetwork = Extract<Network, { type: 'conv-ae' }>;
export type ResidualNetwork = Extract<Network, { type: 'residual' }>;
export type EstimatorNetwork = Extract<Network, { type: 'estimator' }>;
export type Variant = Architecture['variant'];
export type LossName = Architecture['loss'];
export type ArchNoise = NonNullable<Architecture['noise']>;

/**
 * What a residual denoiser should predict when its designer does not say: the clean image for a
 * plain half-resolution stack (see `predicts` above), the noise otherwise. Presets and the Lab's
 * designs both take it from here.
 */
export function defaultPredicts(net: { scale?: 1 | 2 | undefined; skips?: boolean | undefined }): 'noise' | 'image' {
  return net.scale === 2 && !net.skips ? 'image' : 'noise';
}

/** Index in `widths` of a dense network's latent layer: explicit, or the narrowest interior layer. */
export function denseLatentIndex(net: { widths: readonly number[]; latentLayer?: number | undefined }): number {
  if (net.latentLayer !== undefined) return net.latentLayer;
  let best = 1;
  for (let i = 2; i < net.widths.length - 1; i++) if (net.widths[i]! < net.widths[best]!) best = i;
  return best;
}

export class ArchitectureError extends AppError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

/**
 * Validates a parsed JSON document (or an object literal) and fills in defaults. Every problem is
 * reported at once, each with its path: "network.widths: input width 8 and output width 6 must match".
 */
export function validateArchitecture(doc: unknown, source = 'architecture'): Architecture {
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    const d = doc as Record<string, unknown>;
    if (d.format !== ARCH_FORMAT)
      throw new ArchitectureError(`${source}: not a Denoise Lab architecture (format must be "${ARCH_FORMAT}")`);
    if (typeof d.version === 'number' && d.version > ARCH_VERSION)
      throw new ArchitectureError(
        `${source}: architecture version ${d.version} is newer than this app understands (${ARCH_VERSION})`,
      );
  } else {
    throw new ArchitectureError(`${source}: expected a JSON object`);
  }
  const r = architectureSchema.safeParse(doc);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new ArchitectureError(`${source}: invalid architecture:\n  ${lines.join('\n  ')}`);
  }
  return r.data;
}

/** Parses architecture JSON text (e.g. a file's contents or ONNX metadata). */
export function parseArchitectureJson(text: string, source = 'architecture'): Architecture {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ArchitectureError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  return validateArchitecture(doc, source);
}

/** Canonical JSON of an architecture (defaults filled in), as stored in model files. */
export function architectureToJson(arch: Architecture): string {
  return JSON.stringify(arch);
}

/** Shorthand for building an architecture in code: fills format/version and validates. */
export function architecture(a: Omit<ArchitectureInput, 'format' | 'version'>): Architecture {
  return validateArchitecture({ format: ARCH_FORMAT, version: ARCH_VERSION, ...a });
}
