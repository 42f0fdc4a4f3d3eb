// The service ⇄ worker-thread protocol (never crosses a door, so it lives beside the service).
import { z } from 'zod';
import {
  APP_MAX_MEGAPIXELS,
  finite,
  historyPointSchema,
  id,
  imageInfoSchema,
  jobKindSchema,
  jobPreviewSchema,
  modelCardSchema,
} from '../../common/contract/index.js';

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
