// Every job kind: its parameters and result, in one table (`jobKinds`) from which the job request
// schema and the typed results are derived.
import { z } from 'zod';
import { noiseLevelsSchema, noiseTypeSchema } from '../noise-spec.js';
import { parseWith } from './validation.js';
import { finite, hostPath, id, imageInfoSchema } from './fields.js';
import { modelCardSchema } from './models.js';

// Job parameters and results (one entry per job kind)

export { noiseTypeSchema, type NoiseType } from '../noise-spec.js';

/** Noise as a type and its levels (common/noise-spec.ts says what each level means). */
const syntheticNoiseParams = noiseLevelsSchema.extend({
  imageId: id,
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
  clip: z.boolean().default(true),
});

/**
 * Camera noise (main/imaging/camera): a simulated camera at an ISO-like level, optionally saved as
 * a JPEG; the camera is drawn from the seed. Its result carries `reference`: the same camera
 * without noise, the fair reference to score against (demosaicking alone changes a photo).
 */
const cameraNoiseParams = z.strictObject({
  imageId: id,
  type: z.literal('camera'),
  level: z.enum(['low', 'medium', 'high']),
  jpegQuality: z.number().int().min(60).max(100).nullable().default(null),
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
});

export const addNoiseParamsSchema = z.discriminatedUnion('type', [syntheticNoiseParams, cameraNoiseParams]);

/** The noisy image; for camera noise also its noise-free twin to score against. */
export const addNoiseResultSchema = imageInfoSchema.extend({ reference: imageInfoSchema.optional() });

/**
 * The photographer's controls (main/imaging/denoise-controls.ts): strength multiplies the noise
 * level the model is told; luminance and chroma are the fractions of the luminance and colour noise
 * removal kept; detail the fraction of removed fine detail given back.
 */
export const denoiseControlsShape = {
  strength: finite.min(0).max(4).default(1),
  luminance: finite.min(0).max(1).default(1),
  chroma: finite.min(0).max(1).default(1),
  detail: finite.min(0).max(1).default(0),
};

/** Most pixels a preview region may cover (a viewer's worth at 4K; a preview must stay quick). */
export const MAX_REGION_PIXELS = 4_000_000;

/**
 * A rectangle of an image, in its pixels. Whether it lies inside the image is checked by the job
 * (only it knows the image's size).
 */
export const regionSchema = z
  .strictObject({
    x: z.number().int().nonnegative(),
    y: z.number().int().nonnegative(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
  })
  .refine((r) => r.width * r.height <= MAX_REGION_PIXELS, {
    message: `a region may cover at most ${MAX_REGION_PIXELS / 1e6} megapixels`,
  });
export type Region = z.infer<typeof regionSchema>;

export const denoiseParamsSchema = z.strictObject({
  imageId: id,
  modelId: id,
  /** Noise level on the 0–255 scale for noise-level-conditioned models; 'auto' estimates it. */
  sigma: z.union([finite.min(0).max(255), z.literal('auto')]).default('auto'),
  ...denoiseControlsShape,
  /** Tile size in pixels; omitted = chosen from available memory. */
  tile: z.number().int().min(16).max(8192).optional(),
  /**
   * Denoise only this region (a live preview): the answer is a new image of the region's size, made
   * with the surrounding pixels as context, so it matches the same region of a whole-photo denoise.
   */
  region: regionSchema.optional(),
});

export const evaluateParamsSchema = z.strictObject({
  referenceId: id,
  testId: id,
  /** Also produce the SSIM map as an image (grey, white = identical). */
  ssimMap: z.boolean().default(true),
});

/** `modelId`: read the level as that model's noise estimator does (the MAD estimate if it has none). */
export const estimateNoiseParamsSchema = z.strictObject({ imageId: id, modelId: id.optional() });

export const exportFormatSchema = z.enum(['png', 'jpeg', 'webp', 'tiff']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

/**
 * What to do when a file of the target name exists: replace it, keep both (the new one gets the
 * first free "name (2).png"-style name), or cancel (fail with the error code 'exists', so that the
 * app can ask and try again with the answer).
 */
export const clashPolicySchema = z.enum(['replace', 'keep-both', 'cancel']);
export type ClashPolicy = z.infer<typeof clashPolicySchema>;

/** What an exported photo keeps of its source's metadata (EXIF with GPS and maker notes, XMP, IPTC, ICC). */
export const metadataModeSchema = z.enum(['keep', 'no-gps', 'strip']);
export type MetadataMode = z.infer<typeof metadataModeSchema>;

export const exportDestinationSchema = z.discriminatedUnion('kind', [
  /** Write to this path on the host (Electron save dialog, CLI, or a typed path). */
  z.strictObject({ kind: z.literal('path'), path: hostPath, onClash: clashPolicySchema.default('cancel') }),
  /** Web door: the service writes a temp file and answers with a download URL. */
  z.strictObject({ kind: z.literal('download'), fileName: z.string().min(1).max(255).optional() }),
]);
export type ExportDestination = z.infer<typeof exportDestinationSchema>;

export const exportParamsSchema = z.strictObject({
  imageId: id,
  destination: exportDestinationSchema,
  format: exportFormatSchema.default('png'),
  bitDepth: z.union([z.literal(8), z.literal(16)]).default(8),
  /** JPEG/WebP quality 1–100. */
  quality: z.number().int().min(1).max(100).default(92),
  metadata: metadataModeSchema.default('keep'),
});

export const batchDenoiseParamsSchema = z.strictObject({
  /** Files or folders on the host (folders are walked recursively; structure kept under outDir). */
  inputs: z.array(hostPath).min(1).max(100_000),
  outDir: hostPath,
  modelId: id,
  sigma: z.union([finite.min(0).max(255), z.literal('auto')]).default('auto'),
  ...denoiseControlsShape,
  tile: z.number().int().min(16).max(8192).optional(),
  format: exportFormatSchema.optional(),
  /** For every output that exists already (the app asks once for the whole batch). */
  onClash: clashPolicySchema.default('cancel'),
  metadata: metadataModeSchema.default('keep'),
});

export const optimizerSchema = z.enum(['sgd', 'momentum', 'adam', 'adamw']);

export const trainDataSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('digits') }),
  z.strictObject({ kind: z.literal('folder'), path: hostPath }),
  z.strictObject({ kind: z.literal('npy'), path: hostPath }),
]);

export const trainParamsSchema = z
  .strictObject({
    /** An architecture spec string (`dense:8-3-8`, a preset name) or the engine's architecture JSON. */
    architecture: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    data: trainDataSchema,
    /** Patch size for image data (square). */
    patch: z.number().int().min(4).max(1024).optional(),
    /** Input corruption while training: a type and its levels, as in add-noise, or none, or the camera mix. */
    /**
     * 'camera-mix' (photos, models with a noise-level input): the camera-pipeline simulator's noise
     * mixed with Gaussian / Poisson–Gaussian noise of σ up to `level` (main/ml/train/camera-mix.ts).
     */
    noise: noiseLevelsSchema.extend({ type: z.union([noiseTypeSchema, z.literal('none'), z.literal('camera-mix')]) }),
    optimizer: optimizerSchema.default('adam'),
    /** Deliberately generous: a far too high rate is a lesson (the run stops with a clear message). */
    lr: finite.positive().max(1e10),
    batch: z.number().int().min(1).max(4096),
    /** Exactly one of steps / epochs. */
    steps: z.number().int().min(0).max(100_000_000).optional(),
    epochs: z.number().int().min(1).max(100_000).optional(),
    seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
    /** Sparsity / contractive penalty weight. */
    lambda: finite.nonnegative().optional(),
    /** VAE KL weight. */
    beta: finite.nonnegative().optional(),
    /** Save a checkpoint every N steps (0 = only at the end). */
    checkpointEvery: z.number().int().nonnegative().default(0),
    /** Resume from this checkpoint id. */
    resumeFrom: id.optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.steps === undefined) === (p.epochs === undefined))
      ctx.addIssue({ code: 'custom', path: ['steps'], message: 'give exactly one of steps and epochs' });
  });

export const saveModelParamsSchema = z.strictObject({
  checkpointId: id,
  name: z.string().min(1).max(200),
  /** A user model of the same name: replace it, keep both (the new one is "name-2"), or refuse. */
  onClash: clashPolicySchema.default('cancel'),
});

export const exportOnnxParamsSchema = z.strictObject({
  modelId: id,
  destination: exportDestinationSchema,
});

export const latentEncodeParamsSchema = z.strictObject({
  modelId: id,
  /** How many digits of the test split to encode. */
  count: z.number().int().min(1).max(10_000).default(1000),
  seed: z.number().int().nonnegative().default(0),
});

export const latentDecodeParamsSchema = z.strictObject({
  modelId: id,
  /** A point in the 2-D plot (projected back when the latent has more dims) or a full latent vector. */
  point: z.array(finite).min(1).max(4096),
  space: z.enum(['plot', 'latent']).default('plot'),
});

export const latentTraversalParamsSchema = z.strictObject({
  modelId: id,
  dims: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  /** Values both dimensions take, from..to; without it each dimension spans its own codes (`spread`). */
  range: z.tuple([finite, finite]).optional(),
  /**
   * Without `range`: each dimension goes from its mean code − spread·σ to mean + spread·σ, σ the
   * standard deviation of that dimension's codes over the digits, so the grid covers where the
   * codes actually lie (a fixed ±3 is twice the spread of a typical autoencoder's codes, and the
   * wrong place altogether for codes that are never negative).
   */
  spread: z.number().positive().max(10).default(2),
  steps: z.number().int().min(2).max(32).default(9),
});

export const latentInterpolateParamsSchema = z.strictObject({
  modelId: id,
  from: z.array(finite).min(1),
  to: z.array(finite).min(1),
  steps: z.number().int().min(2).max(64).default(10),
  space: z.enum(['plot', 'latent']).default('plot'),
});

export const featureMapsParamsSchema = z.strictObject({ modelId: id, imageId: id });

/**
 * Classification probe (encoder reuse): a softmax head trained on a dense model's frozen latent
 * codes of the digits vs the same head on the raw pixels, both tested on held-out digits.
 */
export const latentProbeParamsSchema = z.strictObject({
  modelId: id,
  /** Full-batch Adam steps of each head. */
  steps: z.number().int().min(1).max(5000).default(300),
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
});

/** Decode an image file on the host into the image store (what `images.open` runs). */
export const openImageParamsSchema = z.strictObject({ path: hostPath });

/** Inspect an .onnx file and copy it into the user's models (what `models.import` runs). */
export const importModelParamsSchema = z.strictObject({
  path: hostPath,
  name: z.string().min(1).max(200).optional(),
  /** A user model of the same name: as in save-model. */
  onClash: clashPolicySchema.default('cancel'),
});

/** Test-only job kinds, accepted only by a service created with `debugJobs: true`. */
export const debugParamsSchema = z.strictObject({
  /** count: run `steps` steps of `stepMs` each (progress, pause, cancel). crash: kill the worker. */
  action: z.enum(['count', 'crash-exit', 'crash-oom', 'throw']),
  steps: z.number().int().min(0).max(1_000_000).default(10),
  stepMs: z.number().int().min(0).max(60_000).default(50),
  /** count: also write a file of this name into the job's output folder, to test cleanup on cancel. */
  writeFile: z.boolean().default(false),
});

// Results

export const evaluateResultSchema = z.object({
  psnr: finite.nullable(), // null = identical images (infinite PSNR)
  ssim: finite,
  mse: finite,
  psnr_y: finite.nullable(),
  ssim_y: finite,
  ssimMap: imageInfoSchema.nullable(),
});
export type EvaluateResult = z.infer<typeof evaluateResultSchema>;

export const estimateNoiseResultSchema = z.object({
  /** Estimated noise level on the 0–255 scale (a per-pixel map's median). */
  sigma: finite,
  method: z.string(),
  /**
   * The JPEG quality the level allows for, or null: compression removes the fine grain the
   * estimator reads, so its calibration raises the level of a heavily compressed JPEG.
   */
  jpegQuality: z.number().nullable().default(null),
});
export type EstimateNoiseResult = z.infer<typeof estimateNoiseResultSchema>;

export const exportResultSchema = z.object({
  /** Written file on the host (destination 'path'), or the temp file behind a download. */
  path: z.string().nullable(),
  /** Relative URL to fetch the file from (destination 'download'), else null. */
  downloadUrl: z.string().nullable(),
  fileName: z.string(),
  byteLength: z.number().int().nonnegative(),
});
export type ExportResult = z.infer<typeof exportResultSchema>;

export const batchFileResultSchema = z.object({
  input: z.string(),
  output: z.string().nullable(),
  ok: z.boolean(),
  error: z.string().optional(),
  seconds: finite,
});
export const batchDenoiseResultSchema = z.object({
  files: z.array(batchFileResultSchema),
  failed: z.number().int().nonnegative(),
});
export type BatchDenoiseResult = z.infer<typeof batchDenoiseResultSchema>;

export const checkpointInfoSchema = z.object({
  /** `<jobId>.step-<N>` for a kept checkpoint, `<jobId>` for a run's latest. */
  checkpointId: id,
  jobId: id.nullable(),
  step: z.number().int().nonnegative(),
  createdAt: z.string(),
  metrics: z.record(z.string(), finite),
  path: z.string(),
  /** The run's lowest-loss checkpoint (kept even when it is not among the latest). */
  best: z.boolean(),
  /** The run it belongs to: what the checkpoints browser shows, and what resuming it asks for. */
  run: z.object({
    /** "dense 64-16-64" */
    model: z.string(),
    /** "digits (1,797 × 8×8), train split" */
    data: z.string(),
    startedAt: z.string(),
    /** The train request the run was started with. */
    request: trainParamsSchema,
  }),
});
export type CheckpointInfo = z.infer<typeof checkpointInfoSchema>;

export const trainResultSchema = z.object({
  steps: z.number().int().nonnegative(),
  metrics: z.record(z.string(), finite),
  /** The final checkpoint: pass it to save-model to keep the model. */
  checkpoint: checkpointInfoSchema,
});

export const latentPointSchema = z.object({ x: finite, y: finite, label: z.number().int(), index: z.number().int() });
export const latentEncodeResultSchema = z.object({
  points: z.array(latentPointSchema),
  latentDim: z.number().int().positive(),
  /** 'identity' when the latent is 2-D, 'pca' when projected. */
  projection: z.enum(['identity', 'pca']),
  /** Always null here: the probe takes seconds, so it is its own job kind ('latent-probe'). */
  probe: z.object({ latentAccuracy: finite, pixelAccuracy: finite }).nullable(),
  /** PCA only: fraction of the latent variance the two plotted components explain. */
  explainedVariance: finite.min(0).max(1).optional(),
});
export type LatentEncodeResult = z.infer<typeof latentEncodeResultSchema>;

export const gridImageResultSchema = z.object({
  image: imageInfoSchema,
  rows: z.number().int().positive(),
  cols: z.number().int().positive(),
  /** A traversal's value range per varied dimension: columns first, then rows. */
  ranges: z.array(z.tuple([finite, finite])).optional(),
});

export const featureMapsResultSchema = z.object({
  image: imageInfoSchema,
  channels: z.number().int().positive(),
  mapWidth: z.number().int().positive(),
  mapHeight: z.number().int().positive(),
  /** Input values / bottleneck values. */
  compressionRatio: finite,
  /** The layer whose output is shown (conv autoencoders: the bottleneck). */
  layer: z.string(),
  /** The part of the image that was encoded (a centre crop whose sides fit the model). */
  inputWidth: z.number().int().positive(),
  inputHeight: z.number().int().positive(),
});

export const latentProbeResultSchema = z.object({
  /** Test accuracy of the head on the latent codes, and of the same head on raw pixels. */
  latentAccuracy: finite,
  pixelAccuracy: finite,
  latentFeatures: z.number().int().positive(),
  pixelFeatures: z.number().int().positive(),
  classes: z.number().int().positive(),
  trainSamples: z.number().int().nonnegative(),
  testSamples: z.number().int().nonnegative(),
});
export type LatentProbeResult = z.infer<typeof latentProbeResultSchema>;

export const debugResultSchema = z.object({ steps: z.number().int().nonnegative(), outputFile: z.string().nullable() });

/**
 * The job table: kind → params schema, result schema, and whether it is pausable / a training-lane
 * job (at most one training-lane job runs at a time).
 */
export const jobKinds = {
  'open-image': { params: openImageParamsSchema, result: imageInfoSchema, lane: 'imaging', pausable: false },
  'import-model': { params: importModelParamsSchema, result: modelCardSchema, lane: 'imaging', pausable: false },
  'add-noise': { params: addNoiseParamsSchema, result: addNoiseResultSchema, lane: 'imaging', pausable: false },
  denoise: { params: denoiseParamsSchema, result: imageInfoSchema, lane: 'imaging', pausable: false },
  evaluate: { params: evaluateParamsSchema, result: evaluateResultSchema, lane: 'imaging', pausable: false },
  'estimate-noise': {
    params: estimateNoiseParamsSchema,
    result: estimateNoiseResultSchema,
    lane: 'imaging',
    pausable: false,
  },
  export: { params: exportParamsSchema, result: exportResultSchema, lane: 'imaging', pausable: false },
  'batch-denoise': {
    params: batchDenoiseParamsSchema,
    result: batchDenoiseResultSchema,
    lane: 'imaging',
    pausable: true,
  },
  train: { params: trainParamsSchema, result: trainResultSchema, lane: 'training', pausable: true },
  'save-model': { params: saveModelParamsSchema, result: modelCardSchema, lane: 'imaging', pausable: false },
  'export-onnx': { params: exportOnnxParamsSchema, result: exportResultSchema, lane: 'imaging', pausable: false },
  'latent-encode': {
    params: latentEncodeParamsSchema,
    result: latentEncodeResultSchema,
    lane: 'imaging',
    pausable: false,
  },
  'latent-decode': { params: latentDecodeParamsSchema, result: imageInfoSchema, lane: 'imaging', pausable: false },
  'latent-traversal': {
    params: latentTraversalParamsSchema,
    result: gridImageResultSchema,
    lane: 'imaging',
    pausable: false,
  },
  'latent-interpolate': {
    params: latentInterpolateParamsSchema,
    result: gridImageResultSchema,
    lane: 'imaging',
    pausable: false,
  },
  'feature-maps': {
    params: featureMapsParamsSchema,
    result: featureMapsResultSchema,
    lane: 'imaging',
    pausable: false,
  },
  'latent-probe': {
    params: latentProbeParamsSchema,
    result: latentProbeResultSchema,
    lane: 'imaging',
    pausable: false,
  },
  debug: { params: debugParamsSchema, result: debugResultSchema, lane: 'training', pausable: true },
} as const;

export type JobKind = keyof typeof jobKinds;
export type ImportModelRequest = z.infer<typeof importModelParamsSchema>;
export const jobKindSchema = z.enum(Object.keys(jobKinds) as [JobKind, ...JobKind[]]);
/** Parameters as the caller may write them (defaults may be omitted). */
export type JobParamsInput<K extends JobKind> = z.input<(typeof jobKinds)[K]['params']>;
/** Parameters after validation (defaults filled in). */
export type JobParams<K extends JobKind> = z.output<(typeof jobKinds)[K]['params']>;
export type JobResult<K extends JobKind> = z.output<(typeof jobKinds)[K]['result']>;

/** A job request: `{ kind, params }`, validated against the kind's params schema. */
export const jobSpecSchema = z.discriminatedUnion(
  'kind',
  Object.entries(jobKinds).map(([kind, k]) =>
    z.strictObject({ kind: z.literal(kind as JobKind), params: k.params }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);
export type JobSpec = { [K in JobKind]: { kind: K; params: JobParams<K> } }[JobKind];
export type JobSpecInput = { [K in JobKind]: { kind: K; params: JobParamsInput<K> } }[JobKind];

/** Validate a job request; throws a ContractError naming the bad field. */
export function parseJobSpec(value: unknown): JobSpec {
  return parseWith(jobSpecSchema, value, 'job request') as JobSpec;
}
