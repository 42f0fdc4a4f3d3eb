// Denoise workspace end to end through the built local web host: drop a photo, add noise, import
// a model through the UI, denoise, read PSNR/SSIM (denoised must beat noisy), export, and check
// the exported file.
import { test, expect } from '@playwright/test';
import sharp from 'sharp';
import { startBuiltHost, type StartedHost } from './host.js';
import { dropFiles, fixture, imagingModel, importModelThroughUi, photo, screenshot } from './fixtures/ui.js';

let host: StartedHost;
test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host.stop();
});

test('drop → add noise → denoise → scores → export', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  await expect(page.getByTestId('workspace')).toHaveText('Denoise workspace');

  await dropFiles(page, 'dropzone', [photo('coffee-420.png')]);
  await expect(page.getByTestId('queue-status').first()).toHaveText('Ready');

  // Gaussian σ = 25 (the default level) on purpose: the noisy score appears.
  await page.getByTestId('noise-enabled').check();
  const noisy = page.getByTestId('score-noisy');
  await expect(noisy).not.toHaveAttribute('data-psnr', '');
  const noisyPsnr = Number(await noisy.getAttribute('data-psnr'));
  const noisySsim = Number(await noisy.getAttribute('data-ssim'));
  // σ = 25 on 0–255 is 20.2 dB before clipping; clipping at black/white can only raise it a little.
  expect(noisyPsnr).toBeGreaterThan(19.5);
  expect(noisyPsnr).toBeLessThan(22);

  // The test model: a 5×5 Gaussian blur, which does remove much of σ = 25 noise.
  await importModelThroughUi(page, imagingModel('blur5_rgb.onnx'));
  await expect(page.getByTestId('model-card')).toContainText('Architecture');
  await page.getByTestId('denoise-button').click();
  const denoised = page.getByTestId('score-denoised');
  await expect(denoised).not.toHaveAttribute('data-psnr', '', { timeout: 60_000 });
  const denoisedPsnr = Number(await denoised.getAttribute('data-psnr'));
  const denoisedSsim = Number(await denoised.getAttribute('data-ssim'));
  expect(denoisedPsnr).toBeGreaterThan(noisyPsnr + 1);
  expect(denoisedSsim).toBeGreaterThan(noisySsim);
  await expect(page.getByTestId('psnr-gain')).toContainText('dB from denoising');
  await expect(page.getByTestId('queue-status').first()).toHaveText('Denoised');

  // The split divider is a keyboard-operable slider.
  const divider = page.getByTestId('split-divider');
  await divider.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(divider).toHaveAttribute('aria-valuenow', '48');
  await page.keyboard.press('End');
  await expect(divider).toHaveAttribute('aria-valuenow', '100');
  await page.keyboard.press('Home');
  await expect(divider).toHaveAttribute('aria-valuenow', '0');
  await divider.press('Shift+ArrowRight');
  await expect(divider).toHaveAttribute('aria-valuenow', '10');
  for (let i = 0; i < 4; i++) await divider.press('Shift+ArrowRight');
  // Zoom: 100 % and 200 % buttons, then back to fit.
  await page.getByRole('button', { name: '200 %' }).click();
  await expect(page.getByTestId('zoom-level')).toHaveText('200 %');
  await page.getByRole('button', { name: 'Fit' }).click();
  await screenshot(page, info, 'denoise-workspace');

  await page.getByRole('radio', { name: 'SSIM map' }).click();
  await screenshot(page, info, 'denoise-ssim-map');
  await page.getByRole('radio', { name: 'Split' }).click();

  // Export as PNG through the browser download.
  await page.getByTestId('export-button').click();
  await expect(page.getByRole('dialog', { name: 'Export' })).toBeVisible();
  await screenshot(page, info, 'denoise-export-dialog');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-confirm').click();
  const file = info.outputPath('exported.png');
  await (await download).saveAs(file);
  const meta = await sharp(file).metadata();
  expect(meta).toMatchObject({ format: 'png', width: 420, height: 280 });
  await expect(page.getByRole('dialog', { name: 'Export' })).toBeHidden();
  expect(errors).toEqual([]);
});

test('"Estimate noise level" with the camera model says which JPEG quality it allowed for', async ({ page }) => {
  await page.goto(host.url);
  await page.getByTestId('model-picker').selectOption('shipped/camera');
  const bytes = await sharp(fixture('coffee-420.png')).jpeg({ quality: 70 }).toBuffer();
  await dropFiles(page, 'dropzone', [{ name: 'coffee-q70.jpg', bytes }]);
  await expect(page.getByTestId('queue-status').first()).toHaveText('Ready');
  await page.getByTestId('estimate-button').click();
  const estimate = page.getByTestId('estimate');
  await expect(estimate).toHaveText(/^σ ≈ \d+\.\d \(allowing for JPEG quality 70\)$/, { timeout: 30_000 });
  await expect(estimate).toHaveAttribute('title', /noise estimator/);
});
