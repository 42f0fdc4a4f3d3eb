// The export dialog offers the folder the last export went to, also after a restart of the page.
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { startBuiltHost, type StartedHost } from './host.js';
import { dropFiles, imagingModel, importModelThroughUi, photo } from './fixtures/ui.js';
import { tempDir } from '../helpers/temp-dir.js';

let host: StartedHost;
let work: string;
test.beforeAll(async () => {
  work = tempDir('dl-e2e-export-folder-');
  host = await startBuiltHost(['--allow', work]);
});
test.afterAll(async () => {
  await host.stop();
});

test('the last export folder is offered again after a reload', async ({ page }) => {
  await page.goto(host.url);
  await dropFiles(page, 'dropzone', [photo('coffee-420.png')]);
  await expect(page.getByTestId('queue-status').first()).toHaveText('Ready');
  await importModelThroughUi(page, imagingModel('blur5_rgb.onnx'));
  await page.getByTestId('denoise-button').click();
  await expect(page.getByTestId('queue-status').first()).toHaveText('Denoised', { timeout: 60_000 });

  const folder = path.join(work, 'exports');
  mkdirSync(folder);
  await page.getByRole('button', { name: /^Export…/ }).click();
  const dialog = page.getByRole('dialog', { name: /^Export/ });
  await dialog.getByRole('radio', { name: 'A folder on this computer' }).check();
  await expect(dialog.getByLabel('Destination folder')).toHaveValue('');
  await dialog.getByLabel('Destination folder').fill(folder);
  await dialog.getByTestId('export-confirm').click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  expect(readdirSync(folder)).toHaveLength(1);

  await page.reload();
  await dropFiles(page, 'dropzone', [photo('chelsea-240.png')]);
  await page.getByTestId('denoise-button').click();
  await expect(page.getByTestId('queue-status').first()).toHaveText('Denoised', { timeout: 60_000 });
  await page.getByRole('button', { name: /^Export…/ }).click();
  await dialog.getByRole('radio', { name: 'A folder on this computer' }).check();
  await expect(dialog.getByLabel('Destination folder')).toHaveValue(folder);
});
