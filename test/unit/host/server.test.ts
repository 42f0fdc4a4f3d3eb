import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHost, type RunningHost } from '../../../main/host/server.js';
import { tempDir } from '../../helpers/temp-dir.js';

let host: RunningHost;
beforeAll(async () => {
  const root = tempDir('dl-host-');
  writeFileSync(path.join(root, 'index.html'), '<h1>hi</h1>');
  host = await startHost({ root });
});
afterAll(() => host.close());

describe('local web host', () => {
  it('binds to the loopback address only', () => {
    const address = host.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
  });

  it('serves the page shell to anyone on loopback (it holds no user data) but its API answers 401 without the token or with a wrong one', async () => {
    expect((await fetch(`http://127.0.0.1:${host.port}/`)).status).toBe(200);
    const api = `http://127.0.0.1:${host.port}/api/call/app:info`;
    expect((await fetch(api, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(api, { method: 'POST', body: '{}', headers: { 'X-Denoise-Token': 'wrong' } })).status).toBe(
      401,
    );
  });

  it('serves the page with the token, with CSP and cross-origin isolation headers', async () => {
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<h1>hi</h1>');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('refuses paths that escape the served folder', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/..%2f..%2fetc%2fpasswd?token=${host.token}`);
    expect([403, 404]).toContain(res.status);
  });
});
