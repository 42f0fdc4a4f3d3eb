// The Lab's noise preview shows what the network will get: a colour photo crop when training on
// photos (not a digit), the same crop untouched when there is no noise.
import { test, expect, type Page } from '@playwright/test';
import { startBuiltHost, type StartedHost } from './host.js';
import { screenshot } from './fixtures/ui.js';

let host: StartedHost;
test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host.stop();
});

/** Width, mean |R−G| (colour) and the pixels of a preview canvas. */
function readCanvas(page: Page, label: string) {
  return page.getByLabel(label).evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let colour = 0;
    for (let i = 0; i < d.length; i += 4) colour += Math.abs(d[i]! - d[i + 1]!);
    return { width: c.width, colour: colour / (d.length / 4), pixels: Array.from(d) };
  });
}

test('training on photos previews the noise on a colour photo crop', async ({ page }, info) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Lab' }).click();
  await expect(page.getByLabel('Noisy sample digit')).toBeVisible();

  await page.getByRole('radio', { name: 'Photo folder' }).click();
  await page.getByLabel('Input noise (denoising training)').selectOption('gaussian');
  const clean = await readCanvas(page, 'Clean sample photo');
  const noisy = await readCanvas(page, 'Noisy sample photo');
  expect(clean.width).toBe(48);
  expect(clean.colour).toBeGreaterThan(10); // a colour photo, not a grey digit
  // Gaussian σ 25: pixels move by about 25/255 on average (clipping takes a little off).
  let moved = 0;
  for (let i = 0; i < clean.pixels.length; i += 4) moved += Math.abs(noisy.pixels[i]! - clean.pixels[i]!);
  expect(moved / (clean.pixels.length / 4)).toBeGreaterThan(12);
  await expect(page.getByTestId('noise-preview-caption')).toHaveText('noisy');

  await page.getByLabel('Input noise (denoising training)').selectOption('camera-mix');
  await expect(page.getByTestId('noise-preview-caption')).toHaveText('Gaussian part');
  await screenshot(page, info, 'lab-noise-preview-photo');

  await page.getByLabel('Input noise (denoising training)').selectOption('none');
  await expect(page.getByTestId('noise-preview-caption')).toHaveText('no noise');
  expect((await readCanvas(page, 'Noisy sample photo')).pixels).toEqual(clean.pixels);
});
