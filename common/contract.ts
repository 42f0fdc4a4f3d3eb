// THE contract of Denoise Lab: every request, response and event that crosses a process boundary
// (renderer ⇄ preload ⇄ Electron main, browser ⇄ local web host, service ⇄ worker thread) is
// declared here once, as a zod schema with its TypeScript type inferred from it. Every door
// validates what it receives with these schemas, so a malformed message is refused with a clear
// error instead of reaching the service.
//
// This file is imported by the renderer too (renderer/tsconfig.json includes it): it must stay
// free of Node imports.
//
// How images cross the boundary: an image lives in the service's image store and is named by an
// `imageId`. What crosses is an `ImageInfo` whose `url` is a RELATIVE url (`api/images/<id>.png`)
// that both doors serve from the page's own origin (the Electron app:// protocol and the web
// host), so `<img src={info.url}>` works unchanged in both. The 8-bit sRGB PNG bytes of an image
// can also be fetched with `images.bytes(imageId)` (a Uint8Array) when the renderer needs pixels
// (canvas work). Full-precision data (16-bit, unclipped float) never leaves the service: exports
// write it to files. Everything else in this contract is plain JSON.
import { z } from 'zod';
import { AppError, CALL_ERROR_CODES, type CallErrorCode } from './errors.js';
import { noiseLevelsSchema, noiseTypeSchema } from './noise-spec.js';

// ---------------------------------------------------------------------------------------------
// Small shared pieces

const id = z.string().min(1).max(128);
/** An absolute or relative path on the machine that runs the service (the host machine). */
const hostPath = z.string().min(1).max(4096);
const finite = z.number().finite();

export const imageIdSchema = id;
export const jobIdSchema = id;
export const modelIdSchema = id;

/** An image held by the service. Pixel values are never sent inline: see the header comment. */
export const imageInfoSchema = z.object({
  imageId: id,
  /** Relative URL of an 8-bit sRGB PNG rendering, served by whichever door the page came through. */
  url: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Colour channels (1 gray, 3 RGB), alpha excluded. */
  channels: z.union([z.literal(1), z.literal(3)]),
  hasAlpha: z.boolean(),
  /** Bit depth of the source (8 or 16); 32 for float data such as unclipped noise. */
  bitDepth: z.union([z.literal(8), z.literal(16), z.literal(32)]),
  /** Original file name, or a description of how the image was made ("noisy: gaussian σ=25"). */
  name: z.string(),
  /** The file it was opened from, if any (export keeps its metadata). */
  sourcePath: z.string().nullable(),
});
export type ImageInfo = z.infer<typeof imageInfoSchema>;

// ---------------------------------------------------------------------------------------------
// Models

export const modelKindSchema = z.enum(['shipped', 'trained', 'imported']);
export type ModelKind = z.infer<typeof modelKindSchema>;

/** One row of a model card's quality table (values on the 0–255 scale). */
export const modelMetricRowSchema = z.object({
  dataset: z.string(),
  noise: z.string(),
  psnr: finite,
  ssim: finite,
  psnrBaseline: finite.optional(),
  ssimBaseline: finite.optional(),
});
export type ModelMetricRow = z.infer<typeof modelMetricRowSchema>;

const capabilitySchema = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), reason: z.string() }),
]);

/** What a model can do in each list (see service/capabilities.ts): the lists show the reason when not. */
export const modelCapabilitiesSchema = z.object({
  /** Runs on a photo at all, image in and image out (what a denoise job accepts). */
  image: capabilitySchema,
  /** Denoise photos: image in, image out, grey or colour. */
  denoise: capabilitySchema,
  /** The Latent workspace: has a code to show. */
  latent: capabilitySchema,
});
export type ModelCapabilities = z.infer<typeof modelCapabilitiesSchema>;

export const modelCardSchema = z.object({
  id,
  name: z.string(),
  /** The .onnx file (absolute path on the host). */
  file: z.string(),
  kind: modelKindSchema,
  /** One-line human summary, e.g. "residual conv denoiser, 17 layers × 64". */
  architecture: z.string(),
  /** The architecture JSON/spec the engine can rebuild it from, when known. */
  architectureSpec: z.unknown().optional(),
  params: z.number().int().nonnegative().nullable(),
  inputChannels: z.number().int().positive().nullable(),
  /** True when the model takes a noise-level map (the strength slider is real). */
  noiseLevelInput: z.boolean(),
  /** What it was trained on, e.g. "gaussian σ 0–75 + poisson-gaussian", null if unknown. */
  trainingNoise: z.string().nullable(),
  metrics: z.array(modelMetricRowSchema),
  description: z.string().optional(),
  createdAt: z.string().optional(),
  /** Trained models: optimizer steps of the training run. */
  trainingSteps: z.number().int().nonnegative().optional(),
  /** Filled in by the service from the fields above; never read from a card file. */
  capabilities: modelCapabilitiesSchema,
});
export type ModelCard = z.infer<typeof modelCardSchema>;

/**
 * The JSON file that may sit next to a model's .onnx (`models/<name>.json`, or in the user data
 * folder): a model card without the fields the service fills in itself (id, file, kind).
 */
export const modelCardFileSchema = modelCardSchema
  .omit({ id: true, file: true, kind: true, capabilities: true })
  .partial()
  .extend({ name: z.string() });
export type ModelCardFile = z.infer<typeof modelCardFileSchema>;

// ---------------------------------------------------------------------------------------------
// Job parameters and results (one entry per job kind)

export { noiseTypeSchema, type NoiseType } from './noise-spec.js';

/** Noise as a type and its levels (common/noise-spec.ts says what each level means). */
export const addNoiseParamsSchema = noiseLevelsSchema.extend({
  imageId: id,
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
  clip: z.boolean().default(true),
});

export const denoiseParamsSchema = z.strictObject({
  imageId: id,
  modelId: id,
  /** Noise level on the 0–255 scale for noise-level-conditioned models; 'auto' estimates it. */
  sigma: z.union([finite.min(0).max(255), z.literal('auto')]).default('auto'),
  /** Tile size in pixels; omitted = chosen from available memory. */
  tile: z.number().int().min(16).max(8192).optional(),
});

export const evaluateParamsSchema = z.strictObject({
  referenceId: id,
  testId: id,
  /** Also produce the SSIM map as an image (grey, white = identical). */
  ssimMap: z.boolean().default(true),
});

export const estimateNoiseParamsSchema = z.strictObject({ imageId: id });

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
    /** Input corruption while training: a type and its levels, as in add-noise, or none. */
    noise: noiseLevelsSchema.extend({ type: z.union([noiseTypeSchema, z.literal('none')]) }),
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
  range: z.tuple([finite, finite]).default([-3, 3]),
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
  /** Estimated Gaussian σ on the 0–255 scale. */
  sigma: finite,
  method: z.string(),
});

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
  checkpointId: id,
  jobId: id.nullable(),
  step: z.number().int().nonnegative(),
  createdAt: z.string(),
  metrics: z.record(z.string(), finite),
  path: z.string(),
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
  'add-noise': { params: addNoiseParamsSchema, result: imageInfoSchema, lane: 'imaging', pausable: false },
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

// ---------------------------------------------------------------------------------------------
// Job states and events

export const jobStateSchema = z.enum(['queued', 'running', 'paused', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof jobStateSchema>;
export const finalJobStates: readonly JobState[] = ['done', 'failed', 'cancelled'];

/** A small preview that a job shows while it runs (training reconstructions: clean/noisy/output). */
export const jobPreviewSchema = z.object({
  label: z.string(),
  image: imageInfoSchema,
  /** The training step whose model made it, so a preview is never shown as newer than it is. */
  step: z.number().int().nonnegative().optional(),
});

/**
 * One recorded point of a training run's charts, at the step it was measured: the loss terms of
 * a step ('loss'), a validation pass ('validation'), or a speed reading ('throughput'). Each point
 * is reported once; charts never carry a value forward to later steps.
 */
export const historySeriesSchema = z.enum(['loss', 'validation', 'throughput']);
export type HistorySeries = z.infer<typeof historySeriesSchema>;
export const historyPointSchema = z.object({
  series: historySeriesSchema,
  step: z.number().int().nonnegative(),
  values: z.record(z.string(), finite),
});
export type HistoryPoint = z.infer<typeof historyPointSchema>;

/**
 * Progress of one job. Emitted on every state change and at least twice per second while the job
 * runs. `fraction` is 0–1 (null when unknown); `etaSeconds` null when unknown.
 */
export const jobEventSchema = z.object({
  jobId: id,
  kind: jobKindSchema,
  state: jobStateSchema,
  fraction: finite.min(0).max(1).nullable(),
  step: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().nullable(),
  etaSeconds: finite.nonnegative().nullable(),
  message: z.string(),
  metrics: z.record(z.string(), finite).optional(),
  preview: z.array(jobPreviewSchema).optional(),
  /** Chart points recorded since the job's previous event (training); never repeated by heartbeats. */
  points: z.array(historyPointSchema).optional(),
  /** Set when state is 'failed': the reason, for the user. */
  error: z.string().optional(),
});
export type JobEvent = z.infer<typeof jobEventSchema>;

/** What `jobs.list` and the control calls return: the job's latest event plus its timing. */
export const jobSnapshotSchema = jobEventSchema.extend({
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type JobSnapshot = z.infer<typeof jobSnapshotSchema>;

/** How a job ended, as answered by `jobs.wait`. */
export const jobOutcomeSchema = z.discriminatedUnion('state', [
  z.object({ jobId: id, kind: jobKindSchema, state: z.literal('done'), result: z.unknown() }),
  z.object({
    jobId: id,
    kind: jobKindSchema,
    state: z.literal('failed'),
    error: z.string(),
    /** Set when the failure has a code the app acts on ('exists': ask how to resolve the clash). */
    code: z.string().optional(),
  }),
  z.object({ jobId: id, kind: jobKindSchema, state: z.literal('cancelled') }),
]);
export type JobOutcome =
  | { [K in JobKind]: { jobId: string; kind: K; state: 'done'; result: JobResult<K> } }[JobKind]
  | { jobId: string; kind: JobKind; state: 'failed'; error: string; code?: string }
  | { jobId: string; kind: JobKind; state: 'cancelled' };

// ---------------------------------------------------------------------------------------------
// App info, settings, dialogs

export const appInfoSchema = z.object({
  version: z.string(),
  door: z.enum(['electron', 'web']),
  dataDir: z.string(),
  platform: z.string(),
  cpus: z.number().int().positive(),
  capabilities: z.object({
    /** Native open/save/folder dialogs exist (Electron). Without them, type host paths. */
    nativeDialogs: z.boolean(),
    /** Results can be downloaded through the browser (web door). */
    downloads: z.boolean(),
    /** Job kinds this build can run (others answer "not available in this build yet"). */
    jobKinds: z.array(jobKindSchema),
  }),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

const settingsFields = {
  theme: z.enum(['system', 'light', 'dark']),
  defaultModelId: z.string().nullable(),
  recentFiles: z.array(z.string()).max(50),
  exportFormat: exportFormatSchema,
  exportBitDepth: z.union([z.literal(8), z.literal(16)]),
  exportQuality: z.number().int().min(1).max(100),
  exportMetadata: metadataModeSchema,
  /** Largest image the app decodes, in megapixels (the header is checked before decoding). */
  maxMegapixels: z.number().min(1).max(2000),
};
/**
 * The app's default decoding limit, in megapixels: every full-frame camera (≤ 61 MP) fits, while
 * an image's working copies (float pixels, snapshot, result: ~40 bytes a pixel) stay near 2.5 GB,
 * which an 8 GB laptop can hold. The CLI, run by hand on one file at a time, keeps a higher one.
 */
export const APP_MAX_MEGAPIXELS = 64;
export const settingsSchema = z.object({
  theme: settingsFields.theme.default('system'),
  defaultModelId: settingsFields.defaultModelId.default(null),
  recentFiles: settingsFields.recentFiles.default([]),
  exportFormat: settingsFields.exportFormat.default('png'),
  exportBitDepth: settingsFields.exportBitDepth.default(8),
  exportQuality: settingsFields.exportQuality.default(92),
  exportMetadata: settingsFields.exportMetadata.default('keep'),
  maxMegapixels: settingsFields.maxMegapixels.default(APP_MAX_MEGAPIXELS),
});
/** A settings change: only the fields given are changed (no defaults filled in). */
export const settingsPatchSchema = z.strictObject(settingsFields).partial();
export type Settings = z.infer<typeof settingsSchema>;

export const fileFilterSchema = z.object({ name: z.string(), extensions: z.array(z.string()) });
export const openFilesRequestSchema = z.strictObject({
  title: z.string().max(200).optional(),
  filters: z.array(fileFilterSchema).max(20).optional(),
  multiple: z.boolean().default(true),
});
export const saveFileRequestSchema = z.strictObject({
  title: z.string().max(200).optional(),
  defaultName: z.string().max(255).optional(),
  filters: z.array(fileFilterSchema).max(20).optional(),
});

// ---------------------------------------------------------------------------------------------
// The channel allow-list: the ONLY request/response pairs a door forwards to the service.
// Electron: `ipcRenderer.invoke(channel, request)`; web host: `POST /api/call/<channel>`.

const empty = z.strictObject({}).default({});
const jobRef = z.strictObject({ jobId: id });

export const channels = {
  'app:info': { request: empty, response: appInfoSchema },
  'settings:get': { request: empty, response: settingsSchema },
  'settings:set': { request: settingsPatchSchema, response: settingsSchema },
  'models:list': { request: empty, response: z.array(modelCardSchema) },
  'models:import': { request: importModelParamsSchema, response: modelCardSchema },
  'models:delete': { request: z.strictObject({ modelId: id }), response: z.object({ deleted: z.boolean() }) },
  'images:open': {
    /** dropped: set by the Electron preload for a file dropped on the window (grants it); ignored by the web door. */
    request: z.strictObject({ path: hostPath, dropped: z.boolean().optional() }),
    response: imageInfoSchema,
  },
  'images:info': { request: z.strictObject({ imageId: id }), response: imageInfoSchema },
  'images:release': { request: z.strictObject({ imageId: id }), response: z.object({ released: z.boolean() }) },
  'jobs:start': { request: jobSpecSchema, response: jobRef },
  'jobs:wait': { request: jobRef, response: jobOutcomeSchema },
  'jobs:get': { request: jobRef, response: jobSnapshotSchema },
  'jobs:list': { request: empty, response: z.array(jobSnapshotSchema) },
  /** A training job's recorded chart points (bounded: long runs are thinned, the newest kept). */
  'jobs:history': {
    request: jobRef,
    response: z.object({ jobId: id, points: z.array(historyPointSchema) }),
  },
  'jobs:cancel': { request: jobRef, response: jobSnapshotSchema },
  'jobs:pause': { request: jobRef, response: jobSnapshotSchema },
  'jobs:resume': { request: jobRef, response: jobSnapshotSchema },
  'checkpoints:list': {
    request: z.strictObject({ jobId: id.optional() }).default({}),
    response: z.array(checkpointInfoSchema),
  },
  // Dialogs are answered by the door itself (Electron: native dialogs; web: the shim).
  'dialogs:openFiles': { request: openFilesRequestSchema, response: z.array(z.string()) },
  'dialogs:openFolder': {
    request: z.strictObject({ title: z.string().max(200).optional() }),
    response: z.string().nullable(),
  },
  'dialogs:saveFile': { request: saveFileRequestSchema, response: z.string().nullable() },
} as const;

export type Channel = keyof typeof channels;
export type ChannelRequest<C extends Channel> = z.input<(typeof channels)[C]['request']>;
export type ChannelRequestParsed<C extends Channel> = z.output<(typeof channels)[C]['request']>;
export type ChannelResponse<C extends Channel> = z.output<(typeof channels)[C]['response']>;

/** The one event channel (main → renderer / host → socket). */
export const jobEventChannel = 'jobs:event';

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

// ---------------------------------------------------------------------------------------------
// Validation helpers

/** A message that does not match the contract. `issues` says which field and why. */
export class ContractError extends AppError {
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super('bad-request', message);
  }
}

/** One line per problem: `params.level: Too small: expected number to be >=0`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`);
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = describeIssues(r.error);
    throw new ContractError(`invalid ${what}: ${issues.join('; ')}`, issues);
  }
  return r.data;
}

export function parseRequest<C extends Channel>(channel: C, value: unknown): ChannelRequestParsed<C> {
  return parseWith(channels[channel].request, value, `request for ${channel}`) as ChannelRequestParsed<C>;
}

export function parseResponse<C extends Channel>(channel: C, value: unknown): ChannelResponse<C> {
  return parseWith(channels[channel].response, value, `response of ${channel}`) as ChannelResponse<C>;
}

/** The error shape sent back over any door when a call fails. */
export const callErrorSchema = z.object({
  error: z.object({
    /** 'exists': the target name is taken and the request said to cancel on a clash. */
    code: z.enum(CALL_ERROR_CODES),
    message: z.string(),
  }),
});
export type CallError = z.infer<typeof callErrorSchema>;

/** Error codes name the kind of failure so every door maps them the same way. */
export class ServiceError extends AppError {
  declare readonly code: CallErrorCode;
  constructor(code: CallErrorCode, message: string) {
    super(code, message);
  }
}

// ---------------------------------------------------------------------------------------------
// Service ⇄ worker thread. The worker is stateless between jobs: images live as snapshot files in
// the session folder (so a fresh worker after a crash finds them), and every job gets what it
// needs in its `run` message.

/** Folders the worker needs, fixed for the life of the service. */
export const workerConfigSchema = z.object({
  /** Per-run scratch folder: image snapshots, previews, downloads, job scratch folders. */
  sessionDir: z.string(),
  /** The user's data folder (trained/imported models, checkpoints, settings). */
  dataDir: z.string(),
  /** Shipped models (read-only). */
  shippedModelsDir: z.string(),
  debugJobs: z.boolean(),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

/** A model as the worker needs it to run: the file and what the card says about its inputs. */
export const workerModelSchema = modelCardSchema.pick({
  id: true,
  file: true,
  noiseLevelInput: true,
  inputChannels: true,
});
export type WorkerModel = z.infer<typeof workerModelSchema>;

export const toWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run'),
    jobId: id,
    spec: z.object({ kind: jobKindSchema, params: z.unknown() }),
    /** Models the job refers to, resolved by the service. */
    models: z.array(workerModelSchema).default([]),
    /** Largest image (pixels) the job may decode: the setting or the service's option. */
    pixelLimit: z
      .number()
      .int()
      .positive()
      .default(APP_MAX_MEGAPIXELS * 1_000_000),
    /**
     * Real paths of the folders the user shared with the door that started the job: files the job
     * finds by walking a folder are read only inside them (links are followed, then checked).
     * Absent: no confinement.
     */
    hostRoots: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('control'), jobId: id, action: z.enum(['cancel', 'pause', 'resume']) }),
  /** An image was released: the worker drops it from its memory cache. */
  z.object({ type: z.literal('release'), imageId: id }),
  /** The service is closing: end helper processes (ExifTool) and exit; terminate() cannot. */
  z.object({ type: z.literal('shutdown') }),
]);
export type ToWorker = z.input<typeof toWorkerSchema>;

export const workerProgressSchema = z.object({
  fraction: finite.min(0).max(1).nullable().optional(),
  step: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative().nullable().optional(),
  message: z.string().optional(),
  metrics: z.record(z.string(), finite).optional(),
  preview: z.array(jobPreviewSchema).optional(),
  /** Chart points recorded since the previous progress message. */
  history: z.array(historyPointSchema).optional(),
});
export type WorkerProgress = z.infer<typeof workerProgressSchema>;

export const fromWorkerSchema = z.discriminatedUnion('type', [
  /** Sent once at start: the job kinds this build's worker can run. */
  z.object({ type: z.literal('ready'), kinds: z.array(jobKindSchema) }),
  z.object({ type: z.literal('progress'), jobId: id, progress: workerProgressSchema }),
  /** The job really stopped at a pause point (or went on after resume). */
  z.object({ type: z.literal('paused'), jobId: id, paused: z.boolean() }),
  /** New images the job created (registered by the service before the result arrives). */
  z.object({ type: z.literal('images'), jobId: id, images: z.array(imageInfoSchema) }),
  z.object({ type: z.literal('done'), jobId: id, result: z.unknown() }),
  z.object({
    type: z.literal('failed'),
    jobId: id,
    error: z.string(),
    code: z.enum(['bad-request', 'not-found', 'unavailable', 'failed', 'cancelled', 'exists']),
  }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;
