// Model cards as the app lists them (shipped, trained, imported), with what each model can do.
import { z } from 'zod';
import { finite, id } from './fields.js';

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
