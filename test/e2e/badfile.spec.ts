// Bad files dropped on the Denoise workspace get a clear message, and the app stays usable.
import { test, expect } from '@playwright/test';
import { startBuiltHost, type StartedHost } from './host.js';
import { dropFiles, photo, screenshot } from './fixtures/ui.js';

let host: StartedHost;
test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host.stop();
});

test('a truncated PNG and a text file are refused with a message; a good photo still opens', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);

  const good = photo('chelsea-240.png');
  await dropFiles(page, 'dropzone', [
    { name: 'broken.png', bytes: good.bytes.subarray(0, 300) },
    { name: 'notes.txt', bytes: Buffer.from('not a photo at all\n'), type: 'text/plain' },
  ]);
  const alerts = page.getByRole('alert');
  await expect(alerts.filter({ hasText: 'Could not open broken.png' })).toBeVisible();
  await expect(alerts.filter({ hasText: 'Could not open notes.txt' })).toBeVisible();
  const statuses = page.getByTestId('queue-status');
  await expect(statuses).toHaveText(['Failed', 'Failed']);
  await screenshot(page, info, 'badfile-messages');

  // An empty drop (no files) says so instead of doing nothing.
  await dropFiles(page, 'dropzone', []);
  await expect(alerts.filter({ hasText: 'no image files were found' })).toBeVisible();

  // Still usable: the good photo opens, becomes the current one, and noise can be added.
  await dropFiles(page, 'dropzone', [good]);
  await expect(statuses).toHaveText(['Failed', 'Failed', 'Ready']);
  await page.getByTestId('noise-enabled').check();
  await expect(page.getByTestId('score-noisy')).not.toHaveAttribute('data-psnr', '');
  // Removing the failed entries leaves the good one.
  await page.getByRole('button', { name: 'Remove broken.png' }).click();
  await page.getByRole('button', { name: 'Remove notes.txt' }).click();
  await expect(statuses).toHaveText(['Ready']);
  expect(errors).toEqual([]);
});
