// The channel allow-list, validation helpers and the error shape every door answers with.
import { z } from 'zod';
import { AppError, CALL_ERROR_CODES, type CallErrorCode } from '../errors.js';
import { parseWith } from './validation.js';
import {
  appInfoSchema,
  openFilesRequestSchema,
  saveFileRequestSchema,
  settingsPatchSchema,
  settingsSchema,
} from './app.js';
import { hostPath, id, imageInfoSchema } from './fields.js';
import { historyPointSchema, jobOutcomeSchema, jobSnapshotSchema } from './job-events.js';
import { checkpointInfoSchema, importModelParamsSchema, jobSpecSchema } from './jobs.js';
import { modelCardSchema } from './models.js';

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
  /** Deletes a checkpoint of a run that is not training (only files of the app's checkpoints folder). */
  'checkpoints:delete': {
    request: z.strictObject({ checkpointId: id }),
    response: z.object({ deleted: z.boolean() }),
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
export function parseRequest<C extends Channel>(channel: C, value: unknown): ChannelRequestParsed<C> {
  return parseWith(channels[channel].request, value, `request for ${channel}`) as ChannelRequestParsed<C>;
}

export function parseResponse<C extends Channel>(channel: C, value: unknown): ChannelResponse<C> {
  return parseWith(channels[channel].response, value, `response of ${channel}`, 'response') as ChannelResponse<C>;
}

/** The error shape sent back over any door when a call fails. */
export const callErrorSchema = z.object({
  error: z.object({
    /** 'exists': the target name is taken and the request said to cancel on a clash. */
    code: z.enum(CALL_ERROR_CODES),
    /** For the person: what happened and what to do. */
    message: z.string(),
    /** The technical account (which field failed which check), shown behind a "details" toggle. */
    details: z.string().optional(),
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
