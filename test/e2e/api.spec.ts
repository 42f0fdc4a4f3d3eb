// The web shim (renderer/src/api/web.ts) in a real browser against the BUILT local web host: the
// same code path the renderer uses, through the same CSP and cross-origin isolation. The shim is
// bundled here with esbuild and served from the page's own origin (a routed URL), because the
// page's CSP allows only same-origin scripts.
import { test, expect } from '@playwright/test';
import { build } from 'esbuild';
import path from 'node:path';
import sharp from 'sharp';
import { startBuiltHost, type StartedHost } from './host.js';
import type * as WebShim from '../../renderer/src/api/web.js';
import type * as ApiModule from '../../common/api.js';

type Shim = typeof WebShim & typeof ApiModule;

let host: StartedHost;
let shim: string;
let photo: number[];

test.beforeAll(async () => {
  host = await startBuiltHost();
  const bundle = await build({
    stdin: {
      contents: "export { createWebApi } from './renderer/src/api/web.ts'; export { runJob } from './common/api.ts';",
      resolveDir: path.resolve('.'),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'DenoiseLabShim',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  shim = bundle.outputFiles[0]!.text;
  // A smooth 64×48 ramp in [60, 190]: Gaussian noise σ = 25 is almost never clipped, so the PSNR
  // of noisy vs clean must be close to 20·log10(255/25) = 20.17 dB.
  const raw = Buffer.alloc(64 * 48 * 3);
  for (let y = 0; y < 48; y++)
    for (let x = 0; x < 64; x++) {
      const i = (y * 64 + x) * 3;
      raw[i] = 60 + Math.round((130 * x) / 63);
      raw[i + 1] = 60 + Math.round((130 * y) / 47);
      raw[i + 2] = 125;
    }
  photo = [
    ...(await sharp(raw, { raw: { width: 64, height: 48, channels: 3 } })
      .png()
      .toBuffer()),
  ];
});
test.afterAll(async () => {
  await host.stop();
});

test('the web shim uploads a photo, adds noise, evaluates it and shows the result', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/__test__/shim.js', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/javascript',
      body: shim,
      headers: { 'Cross-Origin-Resource-Policy': 'same-origin' },
    }),
  );
  await page.goto(host.url);
  await page.addScriptTag({ url: '/__test__/shim.js' });

  const r = await page.evaluate(async (bytes) => {
    const { createWebApi, runJob } = (window as unknown as { DenoiseLabShim: Shim }).DenoiseLabShim;
    const api = createWebApi();
    const info = await api.app.info();
    const file = new File([new Uint8Array(bytes)], 'ramp.png', { type: 'image/png' });
    const clean = await api.images.open(file);
    const states: string[] = [];
    const noisy = await runJob(
      api,
      { kind: 'add-noise', params: { imageId: clean.imageId, type: 'gaussian', level: 25, seed: 5 } },
      (e) => states.push(e.state),
    );
    const metrics = await runJob(api, {
      kind: 'evaluate',
      params: { referenceId: clean.imageId, testId: noisy.imageId },
    });
    // The image URL works in an <img> under the page's CSP and COEP.
    const img = new Image();
    img.src = noisy.url;
    await img.decode();
    const png = await api.images.bytes(noisy.imageId);
    let badRequest = '';
    try {
      await api.jobs.start({ kind: 'add-noise', params: { imageId: clean.imageId, type: 'gaussian', level: -3 } });
    } catch (e) {
      badRequest = (e as Error).message;
    }
    return {
      info,
      clean,
      metrics,
      states,
      natural: [img.naturalWidth, img.naturalHeight],
      pngMagic: [...png.subarray(1, 4)],
      badRequest,
    };
  }, photo);

  expect(r.info).toMatchObject({ door: 'web', capabilities: { nativeDialogs: false, downloads: true } });
  expect(r.info.capabilities.jobKinds).toEqual(expect.arrayContaining(['add-noise', 'evaluate', 'denoise']));
  expect(r.clean).toMatchObject({ width: 64, height: 48, channels: 3, name: 'ramp.png' });
  expect(Number.isFinite(r.metrics.psnr)).toBe(true);
  expect(Math.abs(r.metrics.psnr! - 20.17)).toBeLessThan(0.45);
  expect(r.metrics.ssim).toBeGreaterThan(0);
  expect(r.metrics.ssim).toBeLessThan(0.6);
  expect(r.states).toContain('done');
  expect(r.natural).toEqual([64, 48]);
  expect(String.fromCharCode(...r.pngMagic)).toBe('PNG');
  expect(r.badRequest).toBe('The noise level must be at least 0.');
  expect(errors).toEqual([]);
});
