// Each open photo owns its noise settings and results (issue 14, item 1): adding noise to the
// selected photo leaves every other photo and its denoised result as they were, the controls say
// which photos they act on, scores appear only for a photo with a clean reference, and a result
// that adding noise replaces, or a photo closed with its result, can be brought back with Undo.
import { test, expect, type Page } from '@playwright/test';
import { startBuiltHost, type StartedHost } from './host.js';
import { dropFiles, imagingModel, importModelThroughUi, photo, screenshot } from './fixtures/ui.js';

let host: StartedHost;
test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host.stop();
});

/** The queue entry of the photo with this name. */
const entry = (page: Page, name: string) => page.getByTestId('queue').getByRole('option').filter({ hasText: name });
/** Its thumbnail: the denoised result once there is one, so its address names that result. */
const thumb = (page: Page, name: string) => entry(page, name).locator('img');

test('add noise acts on the selected photo only; real photos get no scores; undo brings results back', async ({
  page,
}, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  await dropFiles(page, 'dropzone', [photo('coffee-420.png'), photo('chelsea-240.png')]);
  const statuses = page.getByTestId('queue-status');
  await expect(statuses).toHaveText(['Ready', 'Ready']);
  await importModelThroughUi(page, imagingModel('blur5_rgb.onnx'));
  await page.getByRole('button', { name: /^Denoise all/ }).click();
  await expect(statuses).toHaveText(['Denoised', 'Denoised'], { timeout: 60_000 });
  const coffeeResult = await thumb(page, 'coffee-420.png').getAttribute('src');
  const chelseaResult = await thumb(page, 'chelsea-240.png').getAttribute('src');

  // A real photo has no clean reference: no PSNR or SSIM, only the explanation.
  await expect(entry(page, 'coffee-420.png')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('score-noisy')).toHaveCount(0);
  await expect(page.getByTestId('score-denoised')).toHaveCount(0);
  await expect(page.getByTestId('no-reference')).toBeVisible();

  // The controls name the photo they act on.
  await entry(page, 'chelsea-240.png').locator('.pick').click();
  await expect(page.getByTestId('noise-target')).toHaveText('For chelsea-240.png');
  await expect(page.getByTestId('denoise-button')).toHaveText('Denoise this photo');

  // Noise on for chelsea only: coffee keeps its state and its result.
  await page.getByTestId('noise-enabled').check();
  const noisy = page.getByTestId('score-noisy');
  await expect(noisy).not.toHaveAttribute('data-psnr', '', { timeout: 30_000 });
  // Gaussian σ = 25: 20.2 dB before clipping.
  const noisyPsnr = Number(await noisy.getAttribute('data-psnr'));
  expect(noisyPsnr).toBeGreaterThan(19.5);
  expect(noisyPsnr).toBeLessThan(22);
  await expect(statuses).toHaveText(['Denoised', 'Ready']);
  expect(await thumb(page, 'coffee-420.png').getAttribute('src')).toBe(coffeeResult);

  // Chelsea's result was made from the photo without noise: it is set aside, with an Undo.
  const undo = page.getByTestId('undo-noise');
  await expect(undo).toBeVisible();
  await screenshot(page, info, 'photo-state-undo');
  await undo.click();
  await expect(statuses).toHaveText(['Denoised', 'Denoised']);
  await expect(page.getByTestId('noise-enabled')).not.toBeChecked();
  await expect(page.getByTestId('score-noisy')).toHaveCount(0);
  expect(await thumb(page, 'chelsea-240.png').getAttribute('src')).toBe(chelseaResult);
  await expect(undo).toHaveCount(0);

  // Noise again, and denoise just this photo: both rows scored against the clean original.
  await page.getByTestId('noise-enabled').check();
  await expect(page.getByTestId('score-noisy')).not.toHaveAttribute('data-psnr', '', { timeout: 30_000 });
  await page.getByTestId('denoise-button').click();
  const denoised = page.getByTestId('score-denoised');
  await expect(denoised).not.toHaveAttribute('data-psnr', '', { timeout: 60_000 });
  expect(Number(await denoised.getAttribute('data-psnr'))).toBeGreaterThan(noisyPsnr + 1);
  await expect(statuses).toHaveText(['Denoised', 'Denoised']);

  // Back on coffee: its own settings (noise off), its own result, still no scores.
  await entry(page, 'coffee-420.png').locator('.pick').click();
  await expect(page.getByTestId('noise-enabled')).not.toBeChecked();
  await expect(page.getByTestId('score-noisy')).toHaveCount(0);
  expect(await thumb(page, 'coffee-420.png').getAttribute('src')).toBe(coffeeResult);

  // Ctrl-click adds a photo to the selection: the controls then say they act on both.
  await entry(page, 'chelsea-240.png')
    .locator('.pick')
    .click({ modifiers: ['Control'] });
  await expect(entry(page, 'coffee-420.png')).toHaveAttribute('aria-selected', 'true');
  await expect(entry(page, 'chelsea-240.png')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('noise-target')).toHaveText('For 2 selected photos');
  await expect(page.getByTestId('denoise-button')).toHaveText('Denoise 2 selected photos');

  // Closing a photo with a result keeps it for Undo: it comes back where it was, result and all.
  await page.getByRole('button', { name: 'Remove coffee-420.png' }).click();
  await expect(statuses).toHaveText(['Denoised']);
  await page.getByTestId('undo-close').click();
  await expect(statuses).toHaveText(['Denoised', 'Denoised']);
  expect(await thumb(page, 'coffee-420.png').getAttribute('src')).toBe(coffeeResult);
  await expect(entry(page, 'coffee-420.png')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('undo-close')).toHaveCount(0);
  // Every photo closed, even the last one open: Undo brings them back, the last closed first.
  await page.getByRole('button', { name: 'Remove coffee-420.png' }).click();
  await page.getByRole('button', { name: 'Remove chelsea-240.png' }).click();
  await expect(statuses).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Closed chelsea-240.png and 1 more.' })).toBeVisible();
  await screenshot(page, info, 'photo-state-closed');
  await page.getByTestId('undo-close').click();
  await expect(statuses).toHaveText(['Denoised']);
  await expect(page.getByTestId('score-denoised')).not.toHaveAttribute('data-psnr', '');
  await page.getByTestId('undo-close').click();
  await expect(statuses).toHaveText(['Denoised', 'Denoised']);
  expect(await thumb(page, 'coffee-420.png').getAttribute('src')).toBe(coffeeResult);
  await expect(page.getByTestId('undo-close')).toHaveCount(0);
  expect(errors).toEqual([]);
});
