// Recent files remember photos by their path on this machine; in the web door a dropped photo is
// an upload to a temporary file that is gone after a restart, so it is not remembered.
import { test, expect } from '@playwright/test';
import { startBuiltHost, type StartedHost } from './host.js';
import { dropFiles, photo } from './fixtures/ui.js';

let host: StartedHost;
test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host.stop();
});

test('a photo dropped in the browser is not listed under Recent files', async ({ page }) => {
  await page.goto(host.url);
  await dropFiles(page, 'dropzone', [photo('coffee-420.png')]);
  await expect(page.getByTestId('queue-status').first()).toHaveText('Ready');
  // Settings are written after the open; a reload reads them back from the service.
  await page.waitForTimeout(300);
  await page.reload();
  await expect(page.getByTestId('open-button')).toBeVisible();
  await expect(page.getByText(/Recent files \(/)).toHaveCount(0);
});

test('the empty workspace’s drop area also opens the file chooser, and chosen uploads are not remembered', async ({
  page,
}) => {
  await page.goto(host.url);
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('drop-target').click();
  const { name, bytes } = photo('coffee-420.png');
  await (await chooser).setFiles({ name, mimeType: 'image/png', buffer: bytes });
  await expect(page.getByTestId('queue-status').first()).toHaveText('Ready');
  await page.reload();
  await expect(page.getByTestId('open-button')).toBeVisible();
  await expect(page.getByText(/Recent files \(/)).toHaveCount(0);
});
