// The built web host as `npm run serve -- --allow DIR` runs it: host files only inside the shared
// folder, a clear refusal elsewhere, and the upload folder gone after SIGTERM.
import { test, expect } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startBuiltHost } from './host.js';

test('--allow shares one folder, others are refused by name, and SIGTERM removes the uploads', async ({ request }) => {
  const shared = mkdtempSync(path.join(tmpdir(), 'dl-e2e-shared-'));
  const outside = mkdtempSync(path.join(tmpdir(), 'dl-e2e-outside-'));
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  await sharp(png).toFile(path.join(shared, 'a.png'));
  await sharp(png).toFile(path.join(outside, 'b.png'));
  const host = await startBuiltHost(['--allow', shared]);
  const headers = { 'X-Denoise-Token': host.token };
  const call = (channel: string, data: unknown) =>
    request.post(`${host.origin}/api/call/${channel}`, { headers, data });
  let upload: string | undefined;
  try {
    expect((await call('images:open', { path: path.join(shared, 'a.png') })).status()).toBe(200);
    const refused = await call('images:open', { path: path.join(outside, 'b.png') });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.message).toContain(
      'this folder was not shared with Denoise Lab. Start it with --allow <folder> to use it.',
    );
    const up = await request.post(`${host.origin}/api/upload?name=c.png`, { headers, data: png });
    upload = ((await up.json()) as { path: string }).path;
    expect(existsSync(upload!)).toBe(true);
    expect((await call('images:open', { path: upload! })).status()).toBe(200);
  } finally {
    await host.stop(); // SIGTERM
    rmSync(shared, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
  expect(upload).toBeDefined();
  expect(existsSync(path.dirname(path.dirname(upload!)))).toBe(false);
});

test('--allow with a missing folder stops the host with one clear line', async () => {
  await expect(startBuiltHost(['--allow', path.join(tmpdir(), 'dl-no-such-folder')])).rejects.toThrow(
    /--allow: no such folder '.*dl-no-such-folder'/,
  );
});
