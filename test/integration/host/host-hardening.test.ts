// Issue 11 on the web door: no token cookie, host files only inside granted folders, every request
// answered (malformed, overlong, odd, fuzzed) without a crash, and an upload quota.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { startHost, type RunningHost } from '../../../main/host/server.js';
import { ApiService } from '../../../main/service/api-service.js';
import { Rng } from '../../../common/rng.js';
import { buildWorker, startService, writeTestPng, type Harness } from '../service/harness.js';
import { tempDir } from '../../helpers/temp-dir.js';

let worker: Awaited<ReturnType<typeof buildWorker>>;
let h: Harness;
let host: RunningHost;
let root: string; // holds grant a/b, sibling a/bc, outside/, home/
let grant: string;

beforeAll(async () => {
  worker = await buildWorker();
  h = startService(worker.workerPath, { debugJobs: false });
  root = tempDir();
  grant = path.join(root, 'a', 'b');
  for (const d of [grant, path.join(root, 'a', 'bc'), path.join(root, 'outside'), path.join(root, 'home')])
    mkdirSync(d, { recursive: true });
  await writeTestPng(path.join(grant, 'in.png'));
  await writeTestPng(path.join(root, 'a', 'bc', 'sib.png'));
  await writeTestPng(path.join(root, 'outside', 'out.png'));
  symlinkSync(path.join(root, 'outside'), path.join(grant, 'escape'));
  writeFileSync(path.join(root, 'home', '.bashrc'), 'echo hello\n');
  host = await startHost({
    root: tempDir(),
    api: new ApiService(h.service, { door: 'web', allow: [grant] }),
    uploadQuota: { maxFiles: 3 },
  });
});
afterAll(async () => {
  await host?.close();
  await h?.close();
  worker?.dispose();
});

const base = () => `http://127.0.0.1:${host.port}`;
const auth = () => ({ 'X-Denoise-Token': host.token });
function call(channel: string, body: unknown, headers: Record<string, string> = auth()) {
  return fetch(`${base()}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** One raw HTTP/1.1 exchange, for what fetch refuses to send; resolves with the status (0: closed). */
function raw(text: string | Buffer): Promise<number> {
  return new Promise((resolve) => {
    const s = connect(host.port, '127.0.0.1');
    let got = '';
    s.setTimeout(2000, () => s.destroy());
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(got)?.[1] ?? 0)));
    s.end(text);
  });
}
const hostHeader = () => `Host: 127.0.0.1:${host.port}\r\nConnection: close\r\n`;

describe('web door: every request path is total', () => {
  it('answers a malformed percent-encoding with 400 instead of crashing (with and without the token)', async () => {
    expect(await raw(`GET /%E0%A4%A HTTP/1.1\r\n${hostHeader()}\r\n`)).toBe(400);
    expect(await raw(`GET /assets/%ff%fe HTTP/1.1\r\n${hostHeader()}\r\n`)).toBe(400);
    expect((await call('%E0%A4%A', {})).status).toBe(400);
    expect((await fetch(`${base()}/api/downloads/x/%E0%A4%A`, { headers: auth() })).status).toBe(400);
    expect((await call('app:info', {})).status).toBe(200);
  });

  it('answers a WebSocket upgrade with a malformed or unknown address instead of crashing', async () => {
    const upgrade = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n`;
    const host_ = `Host: 127.0.0.1:${host.port}\r\n`;
    expect(await raw(`GET http://[ HTTP/1.1\r\n${host_}${upgrade}\r\n`)).toBe(400);
    expect(await raw(`GET /nope HTTP/1.1\r\n${host_}${upgrade}\r\n`)).toBe(404);
    expect(await raw(`GET /api/events?token=%E0%A4%A HTTP/1.1\r\n${host_}${upgrade}\r\n`)).toBe(401);
    expect((await call('app:info', {})).status).toBe(200);
  });

  it('answers overlong paths, odd methods and bad JSON with 4xx', async () => {
    expect((await fetch(`${base()}/${'a'.repeat(9000)}`)).status).toBe(414);
    expect(await raw(`BREW / HTTP/1.1\r\n${hostHeader()}\r\n`)).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${base()}/`, { method: 'DELETE' })).status).toBe(405);
    const bad = await fetch(`${base()}/api/call/app:info`, { method: 'POST', headers: auth(), body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await raw(`GET / HTTP/1.1\r\n${hostHeader()}X-Big: ${'x'.repeat(70_000)}\r\n\r\n`)).toBe(431);
  });

  it('survives 1,200 seeded random and malformed requests, then answers a normal call', async () => {
    const r = new Rng(11);
    const rng = (): number => r.uniform();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rng() * 256))).join('');
    const paths = [
      '/',
      '/index.html',
      '/api/',
      '/api/call/',
      '/api/call/images:open',
      '/api/upload',
      '/api/images/',
      '/api/downloads/a/b',
      '/api/events',
      '/%',
      '/%E0%A4%A',
      '/..%2f..%2fetc/passwd',
      '//x',
      '/api/call/%00',
      '/?token=%ZZ',
    ];
    const methods = ['GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'PATCH', 'X', 'G E T', ''];
    const started = performance.now();
    let answered = 0;
    const total = 1200;
    for (let i = 0; i < total; i += 20) {
      const batch = Array.from({ length: 20 }, async (_, j) => {
        const kind = (i + j) % 3;
        const p =
          pick(paths) +
          (rng() < 0.5 ? encodeURI(junk(Math.floor(rng() * 40))).slice(0, 200) : junk(8).replace(/[\s]/g, '%'));
        const token =
          rng() < 0.5 ? `X-Denoise-Token: ${host.token}\r\n` : rng() < 0.5 ? 'Cookie: denoise_token=x\r\n' : '';
        const body = pick(['', '{', 'null', '[]', '{"path":"/etc/passwd"}', junk(100)]);
        if (kind === 0) {
          // A syntactically plausible request with random parts.
          const up =
            rng() < 0.3
              ? 'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
              : '';
          const req = `${pick(methods)} ${p} HTTP/1.1\r\n${hostHeader()}${up}${token}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`;
          return raw(Buffer.from(req, 'latin1'));
        }
        if (kind === 1) return raw(Buffer.from(junk(1 + Math.floor(rng() * 300)), 'latin1'));
        // A well-formed request through fetch, with random method, path and body.
        const res = await fetch(`${base()}${encodeURI(p).slice(0, 400)}`, {
          method: pick(['GET', 'POST', 'PUT', 'DELETE']),
          headers: rng() < 0.5 ? auth() : {},
          ...(rng() < 0.5 ? {} : { body: body }),
        }).catch(() => null);
        if (res) await res.arrayBuffer();
        return res?.status ?? 0;
      });
      for (const status of await Promise.all(batch)) {
        if (status >= 200) answered += 1;
        expect(status === 0 || status < 500 || status === 501, `status ${status}`).toBe(true);
      }
    }
    expect(answered).toBeGreaterThan(total / 2);
    expect((await call('app:info', {})).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 30_000);
});

describe('web door: token without cookies', () => {
  it('sets no cookie on any route, page load with ?token= included', async () => {
    const urls = [
      '/?token=' + host.token,
      '/',
      '/index.html',
      '/nope.js',
      '/api/call/app:info',
      '/api/images/x.png',
      '/api/downloads/a/b.png',
      '/api/upload',
    ];
    for (const u of urls)
      for (const headers of [{}, auth()])
        for (const method of ['GET', 'POST']) {
          const res = await fetch(`${base()}${u}`, { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) });
          await res.arrayBuffer();
          expect(res.headers.get('set-cookie'), `${method} ${u}`).toBeNull();
        }
  });

  it('refuses a cookie alone, and the token in an API query string', async () => {
    expect((await call('app:info', {}, { Cookie: `denoise_token=${host.token}` })).status).toBe(401);
    const q = await fetch(`${base()}/api/call/app:info?token=${host.token}`, { method: 'POST', body: '{}' });
    expect(q.status).toBe(401);
  });
});

describe('web door: host files only inside the granted folders', () => {
  const refusedMessage = /was not shared with Denoise Lab\. Start it with --allow <folder> to use it\./;
  async function refused(channel: string, body: unknown): Promise<void> {
    const res = await call(channel, body);
    const text = await res.text();
    expect(res.status, text).toBe(403);
    expect(JSON.parse(text).error.message).toMatch(refusedMessage);
  }

  it('opens an image inside the grant', async () => {
    expect((await call('images:open', { path: path.join(grant, 'in.png') })).status).toBe(200);
  });

  it('refuses outside, .., a symlink escaping the grant, and a sibling that shares the prefix', async () => {
    await refused('images:open', { path: path.join(root, 'outside', 'out.png') });
    await refused('images:open', { path: path.join(grant, '..', 'bc', 'sib.png') });
    await refused('images:open', { path: path.join(grant, 'escape', 'out.png') });
    await refused('images:open', { path: `${grant}c/sib.png` });
    // Existence is not told either: a missing file outside gets the same refusal.
    await refused('images:open', { path: path.join(root, 'outside', 'missing.png') });
  });

  it('refuses an export over ~/.bashrc and leaves the file untouched; also batch, train and import', async () => {
    const opened = (await (await call('images:open', { path: path.join(grant, 'in.png') })).json()) as {
      imageId: string;
    };
    const bashrc = path.join(root, 'home', '.bashrc');
    await refused('jobs:start', {
      kind: 'export',
      params: { imageId: opened.imageId, destination: { kind: 'path', path: bashrc, onClash: 'replace' } },
    });
    expect(readFileSync(bashrc, 'utf8')).toBe('echo hello\n');
    await refused('jobs:start', {
      kind: 'batch-denoise',
      params: { inputs: [path.join(grant, 'in.png')], outDir: path.join(root, 'outside', 'o'), modelId: 'x' },
    });
    await refused('jobs:start', {
      kind: 'train',
      params: {
        architecture: 'dense:8-3-8',
        data: { kind: 'folder', path: path.join(root, 'outside') },
        noise: { type: 'none', level: 0 },
        lr: 0.01,
        batch: 1,
        steps: 1,
      },
    });
    await refused('models:import', { path: path.join(root, 'outside', 'm.onnx') });
    expect(existsSync(path.join(root, 'outside', 'o'))).toBe(false);
  });

  it('a batch over the grant reads a link that leads outside it as a refused file, not as a photo', async () => {
    // grant/escape → outside/: the walker follows links (as the CLI does), the read is confined.
    // A model imported through the service itself (its folder is not shared with the door).
    const blur = path.resolve('test/fixtures/imaging/models/blur5_rgb.onnx');
    const model = (await h.service.run({ kind: 'import-model', params: { path: blur, name: 'blur 5' } })) as {
      id: string;
    };
    const outDir = path.join(grant, 'batch-out');
    const res = await call('jobs:start', {
      kind: 'batch-denoise',
      params: { inputs: [grant], outDir, modelId: model.id },
    });
    expect(res.status).toBe(200);
    const { jobId } = (await res.json()) as { jobId: string };
    const done = (await (await call('jobs:wait', { jobId })).json()) as {
      result: { files: { input: string; ok: boolean; error?: string }[] };
    };
    const byName = Object.fromEntries(done.result.files.map((f) => [path.relative(grant, f.input), f]));
    expect(byName['in.png']?.ok).toBe(true);
    expect(byName[path.join('escape', 'out.png')]).toMatchObject({ ok: false });
    expect(byName[path.join('escape', 'out.png')]!.error).toMatch(/outside the shared folders; it was not read/);
    expect(existsSync(path.join(outDir, 'escape', 'out.png'))).toBe(false);
  });

  it('accepts an export into the grant', async () => {
    const opened = (await (await call('images:open', { path: path.join(grant, 'in.png') })).json()) as {
      imageId: string;
    };
    const target = path.join(grant, 'new', '..', 'exported.png');
    const res = await call('jobs:start', {
      kind: 'export',
      params: { imageId: opened.imageId, destination: { kind: 'path', path: target } },
    });
    expect(res.status).toBe(200);
    const { jobId } = (await res.json()) as { jobId: string };
    expect((await call('jobs:wait', { jobId })).status).toBe(200);
    expect(existsSync(path.join(grant, 'exported.png'))).toBe(true);
  });
});

describe('web door: upload quota', () => {
  it('refuses uploads past the quota with a clear 413; releasing an image frees its upload; close removes the folder', async () => {
    const own = await startHost({
      root: tempDir(),
      api: new ApiService(h.service, { door: 'web' }),
      uploadQuota: { maxFiles: 2 },
    });
    const headers = { 'X-Denoise-Token': own.token };
    const photo = readFileSync(path.join(grant, 'in.png'));
    const up = () =>
      fetch(`http://127.0.0.1:${own.port}/api/upload?name=p.png`, { method: 'POST', headers, body: photo });
    const ownCall = async (channel: string, body: unknown) =>
      (
        await fetch(`http://127.0.0.1:${own.port}/api/call/${channel}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
        })
      ).json();
    let uploadDir: string | undefined;
    try {
      const first = ((await (await up()).json()) as { path: string }).path;
      uploadDir = path.dirname(path.dirname(first));
      expect((await up()).status).toBe(200);
      const over = await up();
      expect(over.status).toBe(413);
      expect(((await over.json()) as { error: { message: string } }).error.message).toMatch(
        /quota of \d+ MB or 2 files/,
      );
      const opened = (await ownCall('images:open', { path: first })) as { imageId: string };
      expect(await ownCall('images:release', { imageId: opened.imageId })).toEqual({ released: true });
      expect(existsSync(first)).toBe(false);
      expect((await up()).status).toBe(200);
    } finally {
      await own.close();
    }
    expect(uploadDir).toBeDefined();
    expect(existsSync(uploadDir!)).toBe(false);
  });
});
