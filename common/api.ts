// The API the renderer sees, whichever door it came through: the Electron preload exposes an
// object of this type as `window.denoiseLab`, and the web shim (renderer/src/api/) builds the same
// object on top of the local web host. Renderer code imports `api` from renderer/src/api and never
// knows which one it got. All shapes come from the one contract (common/contract/).
//
// Conventions:
// - Every method returns a Promise and rejects with an Error whose message is meant for the user
//   (bad request, missing file, job not available in this build…).
// - Heavy work is a job: `jobs.start({kind, params})` answers at once with a jobId; progress
//   arrives through `jobs.onEvent`; `jobs.wait({ jobId })` resolves with how it ended.
// - Images are referenced by `imageId`; `ImageInfo.url` is a relative URL usable in `<img src>`.
// - Paths are paths on the machine that runs the service (in the web door: the host machine).
import {
  channels,
  type Channel,
  type ChannelRequest,
  type ChannelResponse,
  type ImageInfo,
  type JobEvent,
  type JobOutcome,
  type JobResult,
  type JobSpecInput,
} from './contract/index.js';

export type {
  AppInfo,
  CheckpointInfo,
  ClashPolicy,
  EstimateNoiseResult,
  EvaluateResult,
  ExportDestination,
  ExportFormat,
  ExportResult,
  HistoryPoint,
  ImageInfo,
  ImportModelRequest,
  JobEvent,
  JobKind,
  JobOutcome,
  JobParams,
  JobParamsInput,
  JobResult,
  JobSnapshot,
  JobSpecInput,
  JobState,
  LatentEncodeResult,
  MetadataMode,
  ModelCard,
  NoiseType,
  Settings,
  BatchDenoiseResult,
} from './contract/index.js';

export interface FileFilter {
  name: string;
  extensions: string[];
}

/**
 * One method per channel of the contract, derived from its table: the call on channel
 * 'models:delete' is `api.models.delete({ modelId })`, with that channel's request and response
 * types. Adding a channel is one table entry plus its handler in the service; every door then has
 * the method.
 */
export type ChannelApi = {
  [G in ChannelGroup]: {
    [C in Channel as C extends `${G}:${infer M}` ? M : never]: ChannelMethod<C>;
  };
};
type ChannelGroup = Channel extends `${infer G}:${string}` ? G : never;
/** A channel whose request may be left out (it has defaults for everything) takes it optionally. */
type ChannelMethod<C extends Channel> =
  undefined extends ChannelRequest<C>
    ? (request?: ChannelRequest<C>) => Promise<ChannelResponse<C>>
    : (request: ChannelRequest<C>) => Promise<ChannelResponse<C>>;

export interface DenoiseLabApi extends Omit<ChannelApi, 'images' | 'jobs' | 'dialogs'> {
  /** Which door this is. */
  readonly door: 'electron' | 'web';

  images: Omit<ChannelApi['images'], 'open'> & {
    /**
     * Open an image: a host path, or a File from a drop / file input (Electron resolves its path
     * with webUtils.getPathForFile; the web door uploads it to the host first).
     */
    open(source: string | File): Promise<ImageInfo>;
    /** The 8-bit sRGB PNG bytes of the image (same as fetching `info.url`). */
    bytes(imageId: string): Promise<Uint8Array>;
  };

  jobs: ChannelApi['jobs'] & {
    /** Every job's progress events; returns the function that unsubscribes. */
    onEvent(listener: (event: JobEvent) => void): () => void;
  };

  /** The dialog channels as each door answers them (the web door has no native dialogs). */
  files: {
    /**
     * Pick files to open. Electron: native dialog, returns their paths. Web: a file chooser whose
     * files are uploaded to the host; returns the host paths of the uploads.
     */
    pickFiles(options?: { title?: string; filters?: FileFilter[]; multiple?: boolean }): Promise<string[]>;
    /** Electron: native folder dialog. Web: null (ask the user to type a host path instead). */
    pickFolder(options?: { title?: string }): Promise<string | null>;
    /** Electron: native save dialog. Web: null (export with destination 'download' instead). */
    saveAs(options?: { title?: string; defaultName?: string; filters?: FileFilter[] }): Promise<string | null>;
    /** Web: save a result's download URL through the browser. Electron: no-op (files are on disk). */
    download(downloadUrl: string, fileName: string): Promise<void>;
  };
}

/** One request on a channel of the contract, answered with its response: a door's transport. */
export type ChannelCall = <C extends Channel>(channel: C, request: ChannelRequest<C>) => Promise<ChannelResponse<C>>;

/**
 * Every channel of the table as a method over a door's `call`. Each door adds what differs between
 * them (opening a dropped File, image bytes, job events, file dialogs) and may wrap a method (the
 * web door opens its event socket before `jobs.start`).
 */
export function channelApi(call: ChannelCall): ChannelApi {
  const api: Record<string, Record<string, (request?: unknown) => Promise<unknown>>> = {};
  for (const channel of Object.keys(channels) as Channel[]) {
    const [group, method] = channel.split(':') as [string, string];
    (api[group] ??= {})[method] = (request = {}) => call(channel, request as ChannelRequest<typeof channel>);
  }
  return api as unknown as ChannelApi;
}

/**
 * Run a job to its end: start it, forward its events to `onEvent`, and resolve with its typed
 * result. Rejects with the job's error when it fails, and with an Error named 'JobCancelled' when
 * it is cancelled. Works with either door's object.
 */
/**
 * A failed call or job, with the service's error code: 'exists' means the target name is taken
 * and the request said to cancel on a clash, so the app can ask and try again with the answer.
 * `message` is for the person; `details`, when the service gave any, is the technical account.
 */
export class CallFailed extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = 'CallFailed';
  }
}

/** Whether `e` says the target name is taken (see ClashPolicy). */
export function isNameTaken(e: unknown): boolean {
  return e instanceof CallFailed && e.code === 'exists';
}

export async function runJob<S extends JobSpecInput>(
  api: DenoiseLabApi,
  spec: S,
  onEvent?: (event: JobEvent) => void,
): Promise<JobResult<S['kind']>> {
  const early: JobEvent[] = [];
  let jobId: string | null = null;
  const off = api.jobs.onEvent((e) => {
    if (jobId === null) early.push(e);
    else if (e.jobId === jobId) onEvent?.(e);
  });
  try {
    jobId = (await api.jobs.start(spec)).jobId;
    for (const e of early) if (e.jobId === jobId) onEvent?.(e);
    return resultOf((await api.jobs.wait({ jobId })) as JobOutcome) as JobResult<S['kind']>;
  } finally {
    off();
  }
}

/**
 * Follow a job that is already under way (started before a reload, or by another window) to its
 * end, like `runJob` without the start.
 */
export async function followJob(
  api: DenoiseLabApi,
  jobId: string,
  onEvent?: (event: JobEvent) => void,
): Promise<unknown> {
  const off = api.jobs.onEvent((e) => {
    if (e.jobId === jobId) onEvent?.(e);
  });
  try {
    return resultOf((await api.jobs.wait({ jobId })) as JobOutcome);
  } finally {
    off();
  }
}

/** A job's result, or its error thrown (an Error named 'JobCancelled' for a cancelled job). */
function resultOf(outcome: JobOutcome): unknown {
  if (outcome.state === 'done') return outcome.result;
  if (outcome.state === 'failed') throw new CallFailed(outcome.error, outcome.code);
  const cancelled = new Error('the job was cancelled');
  cancelled.name = 'JobCancelled';
  throw cancelled;
}
