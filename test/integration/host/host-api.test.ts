// The web door end to end in Node: the host with a real job service and worker.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../../main/host/server.js';
import { ApiService } from '../../../main/service/api-service.js';
import type { JobEvent, ImageInfo, EvaluateResult, JobOutcome } from '../../../common/contract/index.js';
import { buildWorker, startService, writeTestPng, type Harness } from '../service/harness.js';
import { tempDir } from '../../helpers/temp-dir.js';

let worker: Awaited<ReturnType<typeof buildWorker>>;
let h: Harness;
let host: RunningHost;
let png: Uint8Array<ArrayBuffer>;
const UPLOAD_LIMIT = 64 * 1024;

beforeAll(async () => {
  worker = await buildWorker();
  h = startService(worker.workerPath, { debugJobs: false });
  const root = tempDir();
  host = await startHost({
    root,
    api: new ApiService(h.service, { door: 'web', allow: [tmpdir()] }),
    uploadLimitBytes: UPLOAD_LIMIT,
  });
  const file = path.join(tempDir(), 'g.png');
  await writeTestPng(file);
  png = new Uint8Array(readFileSync(file));
});
afterAll(async () => {
  await host.close();
  await h.close();
  worker.dispose();
});

const base = () => `http://127.0.0.1:${host.port}`;
function call(channel: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base()}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Denoise-Token': host.token, ...headers },
    body: JSON.stringify(body),
  });
}
async function ok<T>(channel: string, body: unknown): Promise<T> {
  const res = await call(channel, body);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

describe('web host security', () => {
  it('is bound to the loopback address only', () => {
    const address = host.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
  });

  it('answers 401 to API calls without a token or with a wrong one', async () => {
    const none = await fetch(`${base()}/api/call/app:info`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect((await call('app:info', {}, { 'X-Denoise-Token': 'wrong' })).status).toBe(401);
    expect((await fetch(`${base()}/api/images/x.png`)).status).toBe(401);
  });

  it('refuses a foreign Origin and a foreign Host header even with the token', async () => {
    expect((await call('app:info', {}, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('app:info', {}, { Origin: `http://127.0.0.1:${host.port}` })).status).toBe(200);
    const status = await new Promise<number>((resolve, reject) => {
      const r = request(
        {
          host: '127.0.0.1',
          port: host.port,
          path: `/api/call/app:info`,
          method: 'POST',
          headers: { Host: 'rebind.example:80', 'X-Denoise-Token': host.token },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      r.on('error', reject);
      r.end('{}');
    });
    expect(status).toBe(403);
  });

  it('refuses the event socket without the token or from a foreign Origin', async () => {
    const attempt = (url: string, origin?: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url, origin ? { origin } : {});
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.on('error', (e) => resolve(e.message));
      });
    const ws = `ws://127.0.0.1:${host.port}/api/events`;
    expect(await attempt(ws)).toBe('401');
    expect(await attempt(`${ws}?token=nope`)).toBe('401');
    expect(await attempt(`${ws}?token=${host.token}`, 'http://evil.example')).toBe('403');
    expect(await attempt(`${ws}?token=${host.token}`, `http://127.0.0.1:${host.port}`)).toBe('open');
  });

  it('streams uploads to a temp folder and cuts off one over the size limit', async () => {
    const up = (body: Uint8Array<ArrayBuffer>) =>
      fetch(`${base()}/api/upload?name=${encodeURIComponent('../../evil name.png')}`, {
        method: 'POST',
        headers: { 'X-Denoise-Token': host.token },
        body,
      });
    const res = await up(png);
    expect(res.status).toBe(200);
    const { path: saved } = (await res.json()) as { path: string };
    expect(path.basename(saved)).toBe('.._.._evil name.png'.replace(/^\.+/, ''));
    expect(readFileSync(saved).equals(png)).toBe(true);
    const uploads = path.dirname(path.dirname(saved));
    const before = readdirSync(uploads).length;
    const big = await up(new Uint8Array(UPLOAD_LIMIT + 1));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { message: string } }).error.message).toMatch(/upload limit/);
    expect(readdirSync(uploads).length).toBe(before); // nothing partial left behind
  });

  it('answers a malformed call with 400, the field in words, and the validator’s account in the details', async () => {
    const res = await call('jobs:start', {
      kind: 'add-noise',
      params: { imageId: 'x', type: 'gaussian', level: 'loud' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toEqual({
      code: 'bad-request',
      message: 'The noise level must be a number.',
      details: expect.stringMatching(/^invalid request for jobs:start: params\.level: /),
    });
    const unknown = await call('shell:exec', {});
    expect(unknown.status).toBe(400);
    const notJson = await fetch(`${base()}/api/call/app:info`, {
      method: 'POST',
      headers: { 'X-Denoise-Token': host.token },
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });
});

describe('web host API', () => {
  it('uploads, opens, adds noise with events on the socket, evaluates, and serves the images', async () => {
    const up = await fetch(`${base()}/api/upload?name=g.png`, {
      method: 'POST',
      headers: { 'X-Denoise-Token': host.token },
      body: png,
    });
    const { path: saved } = (await up.json()) as { path: string };
    const clean = await ok<ImageInfo>('images:open', { path: saved });
    expect(clean).toMatchObject({ width: 64, height: 48, channels: 3 });

    const events: JobEvent[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api/events?token=${host.token}`);
    ws.on('message', (m) => events.push(JSON.parse(String(m)) as JobEvent));
    await new Promise((r) => ws.on('open', r));

    const { jobId } = await ok<{ jobId: string }>('jobs:start', {
      kind: 'add-noise',
      params: { imageId: clean.imageId, type: 'gaussian', level: 25, seed: 1 },
    });
    const outcome = await ok<JobOutcome>('jobs:wait', { jobId });
    expect(outcome.state).toBe('done');
    const noisy = (outcome as { result: ImageInfo }).result;
    const m = await ok<{ state: string; result: EvaluateResult }>('jobs:wait', {
      jobId: (
        await ok<{ jobId: string }>('jobs:start', {
          kind: 'evaluate',
          params: { referenceId: clean.imageId, testId: noisy.imageId },
        })
      ).jobId,
    });
    expect(Math.abs(m.result.psnr! - 20.17)).toBeLessThan(0.45);
    await new Promise((r) => setTimeout(r, 50));
    ws.close();
    expect(events.filter((e) => e.jobId === jobId).map((e) => e.state)).toEqual(
      expect.arrayContaining(['queued', 'running', 'done']),
    );

    const img = await fetch(`${base()}/${noisy.url}`, { headers: { 'X-Denoise-Token': host.token } });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await img.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    // The open image's random id is its capability: <img src> needs no token, a released one is gone.
    expect((await fetch(`${base()}/${noisy.url}`)).status).toBe(200);
    expect((await fetch(`${base()}/api/images/nope.png`, { headers: { 'X-Denoise-Token': host.token } })).status).toBe(
      404,
    );

    const exported = await ok<{ result: { downloadUrl: string; fileName: string } }>('jobs:wait', {
      jobId: (
        await ok<{ jobId: string }>('jobs:start', {
          kind: 'export',
          params: { imageId: noisy.imageId, destination: { kind: 'download' } },
        })
      ).jobId,
    });
    expect((await fetch(`${base()}/${exported.result.downloadUrl}`)).status).toBe(401);
    const dl = await fetch(`${base()}/${exported.result.downloadUrl}`, { headers: { 'X-Denoise-Token': host.token } });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toContain('attachment');
    expect((await ok<{ door: string }>('app:info', {})).door).toBe('web');
  });
});
