// The photographer's controls in the Denoise panel, end to end through the built web host:
// denoise a photo, zoom in, move Strength, and a preview of just the visible region appears over
// the result within a bound without blocking the window, the result is marked stale (and export warns), the caption says what
// the result was made with; denoising again clears the mark and the preview.
import { test, expect } from '@playwright/test';
import sharp from 'sharp';
import { startBuiltHost, type StartedHost } from './host.js';
import {
  dropFiles,
  fixture,
  imagingModel,
  importModelThroughUi,
  screenshot,
  watchMainThread,
  overBudget,
} from './fixtures/ui.js';

let host: StartedHost;
test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host.stop();
});

/** From a key press (a settled control) to the preview shown; generous for 2 shared CI cores. */
const PREVIEW_BOUND_MS = 3000;

test('strength → live preview of the visible region, stale mark, denoise again', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  const W = 1200;
  const H = 800;
  const bytes = await sharp(fixture('coffee-420.png')).resize(W, H).png({ compressionLevel: 1 }).toBuffer();
  await dropFiles(page, 'dropzone', [{ name: 'coffee-big.png', bytes }]);
  await expect(page.getByTestId('queue-status').first()).toHaveText('Ready', { timeout: 60_000 });
  // The blur that adds the noise level it is told: strength visibly changes its output.
  await importModelThroughUi(page, imagingModel('blur5_rgb_sigma.onnx'));

  const strength = page.getByTestId('control-strength');
  await expect(strength).toBeEnabled();
  await expect(strength).toHaveValue('1');
  await expect(page.getByTestId('control-detail')).toHaveValue('0');
  await page.getByTestId('denoise-button').click();
  await expect(page.getByTestId('queue-status').first()).toHaveText('Denoised', { timeout: 60_000 });
  const viewer = page.getByTestId('viewer');
  await expect(viewer).toContainText('Denoised · σ auto · strength 1 · luminance 100 % · colour 100 % · detail 0 %');
  await expect(page.getByTestId('stale-mark')).toHaveCount(0);

  // Zoomed in, the viewer shows only part of the photo: the preview covers just that part.
  await page.getByRole('button', { name: '200 %' }).click();
  await strength.focus();
  await page.waitForTimeout(300); // let the zoom settle before measuring
  const stopWatching = await watchMainThread(page);
  await page.keyboard.press('ArrowRight');
  const t0 = Date.now();
  await expect(strength).toHaveValue('1.05');
  await expect(page.getByTestId('stale-mark')).toBeVisible();
  const preview = page.getByTestId('preview-layer');
  await expect(preview).toBeVisible({ timeout: PREVIEW_BOUND_MS });
  const elapsed = Date.now() - t0;
  info.annotations.push({ type: 'preview-ms', description: String(elapsed) });
  expect(elapsed).toBeLessThan(PREVIEW_BOUND_MS);
  // Nothing of it blocks the window (the mark and the preview never resize the viewer).
  const { over, message } = overBudget(await stopWatching());
  expect(over, message).toEqual([]);
  const [x, y, w, h] = (await preview.getAttribute('data-region'))!.split(',').map(Number) as [
    number,
    number,
    number,
    number,
  ];
  expect(x).toBeGreaterThan(0);
  expect(y).toBeGreaterThan(0);
  expect(x + w).toBeLessThan(W);
  expect(y + h).toBeLessThan(H);
  expect(w * h).toBeLessThan((W * H) / 2);
  await expect(viewer).toContainText('strength 1 ·');
  await expect(viewer).toContainText('· stale');
  await screenshot(page, info, 'denoise-controls-preview');

  // Two quick steps: previews supersede each other; one is shown, made with the latest value.
  const first = await preview.getAttribute('src');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(strength).toHaveValue('1.15');
  await expect(preview).not.toHaveAttribute('src', first!, { timeout: PREVIEW_BOUND_MS });
  await expect(preview).toHaveCount(1);

  // Export writes the full result as made, and says so.
  await page.getByTestId('export-button').click();
  await expect(page.getByTestId('export-warning')).toContainText('made with earlier settings');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Export' })).toBeHidden();

  // Denoise again: the whole photo gets the current settings; no mark, no preview.
  await page.getByTestId('denoise-button').click();
  await expect(page.getByTestId('stale-mark')).toHaveCount(0, { timeout: 60_000 });
  await expect(preview).toHaveCount(0);
  await expect(viewer).toContainText('strength 1.15 · luminance 100 %');
  await expect(viewer).not.toContainText('stale');

  // Reset brings the defaults back, and the result is stale again.
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(strength).toHaveValue('1');
  await expect(page.getByTestId('stale-mark')).toBeVisible();
  expect(errors).toEqual([]);
});
