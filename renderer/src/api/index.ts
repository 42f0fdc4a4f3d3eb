// The one place the renderer gets its API from: the Electron preload's `window.denoiseLab` when
// present, else the web shim talking to the local web host. Renderer code does
// `import { api, runJob } from './api'` and never knows which door it came through.
import type { DenoiseLabApi } from '../../../common/api.js';
import { createWebApi } from './web.js';

declare global {
  interface Window {
    denoiseLab?: DenoiseLabApi;
  }
}

export const api: DenoiseLabApi = window.denoiseLab ?? createWebApi();
export { followJob, isNameTaken, runJob } from '../../../common/api.js';
export type * from '../../../common/api.js';
