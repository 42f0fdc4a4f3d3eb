// What a job reports while it runs and how it ends: states, progress events, chart points.
import { z } from 'zod';
import { finite, id, imageInfoSchema } from './fields.js';
import { type JobKind, jobKindSchema, type JobResult } from './jobs.js';

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
