// Preload (sandboxed, CommonJS): exposes the one typed API to the renderer through contextBridge.
// Only the channels of the contract's allow-list can be invoked; requests are validated here
// (clear error before anything is sent) and again in the main process; events are validated
// before they reach the page. Dropped files are resolved to paths with webUtils.getPathForFile.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import {
  isChannel,
  jobEventChannel,
  jobEventSchema,
  parseRequest,
  type Channel,
  type ChannelRequest,
  type ChannelResponse,
} from '../common/contract/index.js';
import { CallFailed, channelApi, type DenoiseLabApi, type JobEvent } from '../common/api.js';

type Envelope = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; details?: string } };

async function call<C extends Channel>(channel: C, request: ChannelRequest<C>): Promise<ChannelResponse<C>> {
  if (!isChannel(channel)) throw new Error(`unknown channel '${String(channel)}'`);
  const body = parseRequest(channel, request);
  const answer = (await ipcRenderer.invoke(channel, body)) as Envelope;
  if (!answer.ok) throw new CallFailed(answer.error.message, answer.error.code, answer.error.details);
  return answer.value as ChannelResponse<C>;
}

const { dialogs, ...calls } = channelApi(call);

const api: DenoiseLabApi = {
  door: 'electron',
  ...calls,
  images: {
    ...calls.images,
    open(source) {
      const path = typeof source === 'string' ? source : webUtils.getPathForFile(source);
      if (!path) return Promise.reject(new Error('this file has no path on disk (drop a file from a folder)'));
      // Only this preload can say "dropped": the page reaches IPC through these functions alone.
      return call('images:open', typeof source === 'string' ? { path } : { path, dropped: true });
    },
    async bytes(imageId) {
      const info = await call('images:info', { imageId });
      const res = await fetch(new URL(info.url, window.location.href));
      if (!res.ok) throw new Error(`cannot read image ${imageId}: ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  },
  jobs: {
    ...calls.jobs,
    onEvent(listener) {
      const handler = (_event: Electron.IpcRendererEvent, raw: unknown) => {
        const parsed = jobEventSchema.safeParse(raw);
        if (parsed.success) listener(parsed.data as JobEvent);
      };
      ipcRenderer.on(jobEventChannel, handler);
      return () => void ipcRenderer.removeListener(jobEventChannel, handler);
    },
  },
  files: {
    pickFiles: (options = {}) => dialogs.openFiles(options),
    pickFolder: (options = {}) => dialogs.openFolder(options),
    saveAs: (options = {}) => dialogs.saveFile(options),
    // Exports are written straight to disk in Electron: nothing to download.
    download: async () => undefined,
  },
};

contextBridge.exposeInMainWorld('denoiseLab', api);
