// Errors written for people (issue 14): notices stack in a corner off the image, information goes
// away by itself, an error names the file but never the host's temporary upload folder (its
// technical account is behind "details"), the Lab refuses a negative learning rate in words
// before Start, and a training folder's unreadable photos are counted in the run view.
import { test, expect, type Locator, type Page } from '@playwright/test';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBuiltHost, type StartedHost } from './host.js';
import { dropFiles, photo, screenshot } from './fixtures/ui.js';

let host: StartedHost;
let folder: string;
test.beforeAll(async () => {
  // A training folder of two readable photos and two that are not photos at all.
  folder = mkdtempSync(path.join(tmpdir(), 'dl-e2e-skip-'));
  const crops = path.resolve('test/fixtures/imaging/crops');
  copyFileSync(path.join(crops, 'camera_crop.png'), path.join(folder, 'a.png'));
  copyFileSync(path.join(crops, 'camera_gaussian5.png'), path.join(folder, 'b.png'));
  writeFileSync(path.join(folder, 'broken.png'), 'not a png');
  writeFileSync(path.join(folder, 'empty.jpg'), '');
  host = await startBuiltHost(['--allow', folder]);
});
test.afterAll(async () => {
  await host.stop();
  rmSync(folder, { recursive: true, force: true });
});

async function box(l: Locator) {
  const b = await l.boundingBox();
  expect(b, 'element is laid out').not.toBeNull();
  return b!;
}

/** Whether two boxes share any pixel. */
async function overlaps(a: Locator, b: Locator): Promise<boolean> {
  const [p, q] = [await box(a), await box(b)];
  return p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
}

async function openLab(page: Page) {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Lab' }).click();
  await expect(page.getByTestId('workspace')).toHaveText('Lab workspace');
}

for (const size of [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
]) {
  test(`an unreadable photo: its name, no upload folder, details on request, off the image (${size.width}×${size.height})`, async ({
    page,
  }, info) => {
    await page.setViewportSize(size);
    await page.goto(host.url);
    const good = photo('chelsea-240.png');
    await dropFiles(page, 'dropzone', [good]);
    const viewer = page.getByTestId('viewer');
    await expect(viewer).toBeVisible();
    // Two failures, so the stack is as tall as two errors.
    await dropFiles(page, 'dropzone', [
      { name: 'broken.png', bytes: good.bytes.subarray(0, 300) },
      { name: 'notes.txt', bytes: Buffer.from('not a photo at all\n'), type: 'text/plain' },
    ]);
    const alert = page.getByRole('alert').filter({ hasText: 'Could not open broken.png' });
    await expect(alert).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'Could not open notes.txt' })).toBeVisible();

    // The text says what happened and what to do, naming the file once, and no folder of the host.
    const text = (await alert.locator('span').first().textContent()) ?? '';
    expect(text).toMatch(/^Could not open broken\.png: corrupt or truncated image data/);
    expect(text).toContain('re-export or copy it again');
    expect(text).not.toContain('denoise-lab-uploads-');
    expect(text).not.toContain(tmpdir());
    expect(text).not.toContain(host.dataDir);
    // The queue row's tooltip too.
    const row = page.getByTestId('queue-status').filter({ hasText: 'Failed' }).first();
    await expect(row).toBeVisible();
    for (const title of await page.locator('[title]').evaluateAll((els) => els.map((e) => e.getAttribute('title'))))
      expect(title ?? '').not.toContain('denoise-lab-uploads-');

    // The technical account is one click away: the real (temporary) path is there.
    const details = alert.getByTestId('notice-details');
    await expect(details).toBeHidden();
    await alert.getByText('Details').click();
    await expect(details).toBeVisible();
    await expect(details).toContainText('denoise-lab-uploads-');
    await expect(details).toContainText('broken.png');

    // The stack covers no pixel of the image viewer.
    await expect(page.getByTestId('notice')).toHaveCount(2);
    expect(await overlaps(page.getByTestId('notices'), viewer)).toBe(false);
    for (const n of await page.getByTestId('notice').all()) expect(await overlaps(n, viewer)).toBe(false);
    await screenshot(page, info, `notices-${size.width}`);

    // Errors stay until dismissed.
    await page.waitForTimeout(5500);
    await expect(page.getByTestId('notice')).toHaveCount(2);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByTestId('notice')).toHaveCount(1);
  });
}

test('an informational notice goes away by itself', async ({ page }) => {
  await openLab(page);
  await page.getByRole('radio', { name: 'Photo folder' }).click();
  await page.getByRole('button', { name: 'Browse…' }).click();
  const note = page.getByRole('status').filter({ hasText: 'type the folder’s path' });
  await expect(note).toBeVisible();
  await expect(note).toBeHidden({ timeout: 8000 });
});

test('a negative learning rate is refused beside the field, in words, before Start', async ({ page, request }) => {
  await openLab(page);
  const start = page.getByTestId('train-start');
  await expect(start).toBeEnabled();
  await page.getByLabel('Learning rate').fill('-0.01');
  await expect(page.getByTestId('hyper-problem')).toHaveText('The learning rate must be a positive number.');
  await expect(start).toBeDisabled();
  await page.getByLabel('Learning rate').fill('0.002');
  await expect(page.getByTestId('hyper-problem')).toHaveCount(0);
  await expect(start).toBeEnabled();

  // The service says the same to any caller, with the validator's account kept in the details.
  const res = await request.post(`${host.origin}/api/call/jobs:start`, {
    headers: { 'X-Denoise-Token': host.token },
    data: {
      kind: 'train',
      params: {
        architecture: 'dense:8-3-8',
        data: { kind: 'digits' },
        noise: { type: 'none', level: 0 },
        lr: -1,
        batch: 8,
        steps: 1,
      },
    },
  });
  expect(res.status()).toBe(400);
  const { error } = (await res.json()) as { error: { message: string; details?: string } };
  expect(error.message).toBe('The learning rate must be a positive number.');
  expect(error.details).toMatch(/params\.lr: Too small/);
});

test('a training folder with unreadable photos: the run says how many were skipped', async ({ page }, info) => {
  await openLab(page);
  await page.getByTestId('variant-picker').selectOption('convolutional');
  await page.getByLabel(/Folder of photos/).fill(folder);
  await page.getByTestId('steps').fill('3');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-skipped')).toHaveText(
    '2 photos could not be read and were skipped. Training uses the others.',
    { timeout: 60_000 },
  );
  await expect(page.getByTestId('train-error')).toHaveCount(0);
  await screenshot(page, info, 'lab-skipped-photos');
});
