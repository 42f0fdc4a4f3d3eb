// The window stays fluid while jobs run: no long task (> 50 ms) on the renderer's main thread
// while a denoise job works on a large photo, and (when the trainer is available) while a
// training run streams progress into the live charts. Tasks are read from a trace of the
// renderer's main thread and judged by their own CPU time (fixtures/ui.ts says why).
import { test, expect } from '@playwright/test';
import sharp from 'sharp';
import { startBuiltHost, type StartedHost } from './host.js';
import { dropFiles, fixture, imagingModel, importModelThroughUi, watchMainThread, overBudget } from './fixtures/ui.js';

let host: StartedHost;
test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host.stop();
});

test('no long task on the renderer while a large photo is denoised', async ({ page }) => {
  await page.goto(host.url);
  // A 1500×1000 photo (the coffee fixture enlarged), so the job runs long enough to matter.
  const big = await sharp(fixture('coffee-420.png')).resize(1500, 1000).png({ compressionLevel: 1 }).toBuffer();
  await dropFiles(page, 'dropzone', [{ name: 'coffee-big.png', bytes: big }]);
  await expect(page.getByTestId('queue-status').first()).toHaveText('Ready', { timeout: 60_000 });
  await importModelThroughUi(page, imagingModel('blur5_rgb.onnx'));
  // Let loading and first paint settle before measuring the job itself.
  await page.waitForTimeout(500);

  const stop = await watchMainThread(page);
  await page.getByTestId('denoise-button').click();
  await expect(page.getByTestId('queue-status').first()).toHaveText('Denoised', { timeout: 120_000 });
  // Keep interacting while the result arrives: zoom and pan the viewer.
  await page.getByRole('button', { name: '100 %' }).click();
  await page.getByTestId('viewer').focus();
  for (const key of ['ArrowLeft', 'ArrowUp', '+', '-', '0']) await page.keyboard.press(key);
  const { over, message } = overBudget(await stop());
  expect(over, message).toEqual([]);
});

test('no long task on the renderer while a training job runs', async ({ page }) => {
  await page.goto(host.url);
  const info = await page.request.post(`${host.origin}/api/call/app:info`, {
    headers: { 'X-Denoise-Token': host.token, 'Content-Type': 'application/json' },
    data: {},
  });
  const kinds = ((await info.json()) as { capabilities: { jobKinds: string[] } }).capabilities.jobKinds;
  expect(kinds).toContain('train');
  await page.getByRole('button', { name: 'Lab' }).click();
  await page.getByTestId('steps').fill('100000');
  await page.waitForTimeout(300);
  const stop = await watchMainThread(page);
  await page.getByTestId('train-start').click();
  const loss = page.getByTestId('chart-loss');
  await expect
    .poll(async () => Number(await loss.getAttribute('data-points')), { timeout: 60_000 })
    .toBeGreaterThan(10);
  await page.getByTestId('train-cancel').click();
  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 20_000 });
  const { over, message } = overBudget(await stop());
  expect(over, message).toEqual([]);
});
