// The one dispatcher behind every door: (channel, untrusted request) → validated response.
// Electron's ipcMain handlers and the web host's /api/call/<channel> route both call `handle`, so
// the two doors cannot drift apart. Dialog channels belong to the door (native dialogs in
// Electron, the browser's file chooser in the web shim) and are passed in by it.
import { cpus, platform } from 'node:os';
import {
  channels,
  finalJobStates,
  isChannel,
  parseRequest,
  parseResponse,
  ServiceError,
  type CallError,
  type Channel,
  type ChannelRequestParsed,
  type ChannelResponse,
} from '../../common/contract/index.js';
import type { JobService } from './job-service.js';
import { deleteModel, listModels } from './models.js';
import { deleteCheckpoint, listCheckpoints, parseCheckpointId } from './checkpoints.js';
import { readSettings, writeSettings } from './settings.js';
import { dataPaths } from './data-dir.js';
import { version as appVersion } from '../files/app-version.js';
import { grantHints, PathGrants } from './path-grants.js';
import { callErrorOf } from '../../common/errors.js';

type DialogChannel = 'dialogs:openFiles' | 'dialogs:openFolder' | 'dialogs:saveFile';
export type DialogHandlers = {
  [C in DialogChannel]: (request: ChannelRequestParsed<C>) => Promise<ChannelResponse<C>>;
};

export interface ApiServiceOptions {
  door: 'electron' | 'web';
  dialogs?: DialogHandlers;
  /** Folders granted from the start (the web door's --allow). See path-grants.ts. */
  allow?: readonly string[];
}

export class ApiService {
  /** The host files this door may use: checked here, for every channel, in one place. */
  readonly grants: PathGrants;

  constructor(
    readonly jobs: JobService,
    private readonly options: ApiServiceOptions,
  ) {
    this.grants = new PathGrants(grantHints[options.door], options.allow ?? []);
    this.grantPicked(jobs.dataDir, false); // the app's own data folder (may not exist yet)
  }

  /** Validate the channel and request, run it, validate the response. Throws ContractError/ServiceError. */
  async handle(channel: unknown, raw: unknown): Promise<unknown> {
    if (!isChannel(channel)) throw new ServiceError('bad-request', `unknown channel '${String(channel)}'`);
    const request = parseRequest(channel, raw);
    // A file dropped on the Electron window: the preload marks it (the page cannot, see preload).
    if (channel === 'images:open' && this.options.door === 'electron' && (request as { dropped?: boolean }).dropped)
      this.grantPicked((request as { path: string }).path, false);
    await this.grants.checkRequest(channel, request);
    const response = await this.dispatch(channel, request);
    // What the user picks in a native dialog is granted for the rest of this run.
    if (channel.startsWith('dialogs:'))
      for (const picked of ([] as unknown[]).concat(response ?? []))
        if (typeof picked === 'string') this.grantPicked(picked, channel === 'dialogs:saveFile');
    return parseResponse(channel, response);
  }

  /** A save target may not exist yet: grant the file itself, through its folder's real path. */
  private grantPicked(picked: string, isSaveTarget: boolean): void {
    try {
      if (isSaveTarget) this.grants.allowFile(picked);
      else this.grants.allow(picked);
    } catch {
      // vanished between the dialog and now: nothing to grant, the job will say it is missing
    }
  }

  private dispatch<C extends Channel>(channel: C, req: ChannelRequestParsed<C>): Promise<unknown> {
    const handler = this.handlers[channel] as (q: ChannelRequestParsed<C>) => unknown;
    return Promise.resolve(handler(req));
  }

  /**
   * One handler per channel of the contract. The type demands an entry for every channel, with
   * the channel's parsed request in and its response out, so adding a channel to the table in
   * common/contract/channels.ts fails to compile until its handler is here.
   */
  private readonly handlers: {
    [C in Channel]: (req: ChannelRequestParsed<C>) => ChannelResponse<C> | Promise<ChannelResponse<C>>;
  } = {
    'app:info': async () => ({
      version: appVersion,
      door: this.options.door,
      dataDir: this.jobs.dataDir,
      platform: platform(),
      cpus: cpus().length,
      capabilities: {
        nativeDialogs: this.options.dialogs !== undefined,
        downloads: this.options.door === 'web',
        jobKinds: (await this.jobs.availableKinds()).filter((k) => k !== 'debug'),
      },
    }),
    'settings:get': () => readSettings(this.settingsFile),
    'settings:set': (patch) => writeSettings(this.settingsFile, patch),
    'models:list': () => listModels(this.jobs.modelFolders),
    'models:import': async (r) =>
      (await this.jobs.run({ kind: 'import-model', params: r })) as ChannelResponse<'models:import'>,
    'models:delete': async (r) => ({ deleted: await deleteModel(this.jobs.modelFolders, r.modelId) }),
    'images:open': async (r) =>
      (await this.jobs.run({ kind: 'open-image', params: { path: r.path } })) as ChannelResponse<'images:open'>,
    'images:info': (r) => this.jobs.image(r.imageId),
    'images:release': async (r) => ({ released: await this.jobs.releaseImage(r.imageId) }),
    // Files a job finds by walking a shared folder may be links: they are read only inside what
    // this door has shared so far.
    'jobs:start': (r) => this.jobs.start(r, { hostRoots: this.grants.roots }),
    'jobs:wait': (r) => this.jobs.wait(r.jobId),
    'jobs:get': (r) => this.jobs.get(r.jobId),
    'jobs:list': () => this.jobs.list(),
    'jobs:history': (r) => this.jobs.history(r.jobId),
    'jobs:cancel': (r) => this.jobs.cancel(r.jobId),
    'jobs:pause': (r) => this.jobs.pause(r.jobId),
    'jobs:resume': (r) => this.jobs.resume(r.jobId),
    'checkpoints:list': (r) => listCheckpoints(this.jobs.dataDir, r.jobId),
    'checkpoints:delete': async (r) => {
      // A run still training rewrites its checkpoints' index: it would list a deleted one again.
      const { run } = parseCheckpointId(r.checkpointId);
      const job = this.jobs.list().find((j) => j.jobId === run);
      if (job && !finalJobStates.includes(job.state))
        throw new ServiceError('unavailable', 'this run is still training: cancel it or let it finish, then delete');
      return { deleted: await deleteCheckpoint(this.jobs.dataDir, r.checkpointId) };
    },
    'dialogs:openFiles': (r) => this.dialog('dialogs:openFiles')(r),
    'dialogs:openFolder': (r) => this.dialog('dialogs:openFolder')(r),
    'dialogs:saveFile': (r) => this.dialog('dialogs:saveFile')(r),
  };

  private get settingsFile(): string {
    return dataPaths(this.jobs.dataDir).settings;
  }

  /** Dialogs are answered by the door itself (Electron: native dialogs); the web page has none here. */
  private dialog<D extends DialogChannel>(channel: D): NonNullable<DialogHandlers[D]> {
    const handler = this.options.dialogs?.[channel];
    if (!handler) throw new ServiceError('unavailable', `${channel} is answered by the page itself in the web door`);
    return handler as NonNullable<DialogHandlers[D]>;
  }
}

/** Every channel name, for the doors' allow-lists. */
export const channelNames = Object.keys(channels) as Channel[];

/** Any error → the contract's error shape, with a message meant for the user. */
export function toCallError(e: unknown): CallError {
  return { error: callErrorOf(e) };
}

/** HTTP status for each error code (the web door). */
export const httpStatus: Record<CallError['error']['code'], number> = {
  'bad-request': 400,
  'not-found': 404,
  forbidden: 403,
  unavailable: 501,
  failed: 500,
  exists: 409,
};
