import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { handleIpcCall, isTrustedSender } from '../../../main/electron/ipc.js';
import { ApiService } from '../../../main/service/api-service.js';
import type { JobService } from '../../../main/service/job-service.js';
import { tempDir } from '../../helpers/temp-dir.js';

// Settings and model channels need only the service's folders, so a plain object stands in for it.
const dataDir = tempDir('dl-ipc-');
const jobs = {
  dataDir,
  modelFolders: { shipped: path.join(dataDir, 'none'), user: path.join(dataDir, 'models') },
  availableKinds: async () => ['add-noise'],
} as unknown as JobService;
const api = new ApiService(jobs, { door: 'electron' });
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('Electron IPC checks', () => {
  it('trusts only frames of the app:// origin', () => {
    expect(isTrustedSender('app://denoise-lab/index.html')).toBe(true);
    expect(isTrustedSender('app://denoise-lab/')).toBe(true);
    expect(isTrustedSender('app://evil/index.html')).toBe(false);
    expect(isTrustedSender('https://denoise-lab/index.html')).toBe(false);
    expect(isTrustedSender('file:///work/out/renderer/index.html')).toBe(false);
    expect(isTrustedSender('about:blank')).toBe(false);
    expect(isTrustedSender('')).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender('not a url')).toBe(false);
  });

  it('answers our frame and refuses any other', async () => {
    const ours = await handleIpcCall(api, 'app://denoise-lab/index.html', 'settings:get', {});
    expect(ours).toMatchObject({ ok: true, value: { theme: 'system', exportFormat: 'png', recentFiles: [] } });
    const theirs = await handleIpcCall(api, 'https://evil.example/', 'settings:get', {});
    expect(theirs).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'IPC from an untrusted frame (https://evil.example/)' },
    });
    expect(await handleIpcCall(api, undefined, 'settings:get', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('refuses channels outside the allow-list and invalid requests, with the field named', async () => {
    const frame = 'app://denoise-lab/index.html';
    expect(await handleIpcCall(api, frame, 'fs:writeFile', {})).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: "unknown channel 'fs:writeFile'" },
    });
    expect(await handleIpcCall(api, frame, '__proto__', {})).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    const bad = await handleIpcCall(api, frame, 'settings:set', { theme: 'purple' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/theme/) } });
    const extra = await handleIpcCall(api, frame, 'settings:set', { theme: 'dark', evil: 1 });
    expect(extra).toMatchObject({ ok: false, error: { message: expect.stringMatching(/evil/) } });
  });

  it('changes only the settings it is given and keeps them across reads', async () => {
    const frame = 'app://denoise-lab/index.html';
    await handleIpcCall(api, frame, 'settings:set', { exportQuality: 75 });
    const r = await handleIpcCall(api, frame, 'settings:set', { theme: 'dark' });
    expect(r).toMatchObject({ ok: true, value: { theme: 'dark', exportQuality: 75 } });
  });

  it('answers dialog channels with a clear error when the door has no dialogs', async () => {
    const r = await handleIpcCall(api, 'app://denoise-lab/', 'dialogs:openFolder', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
