// Errors are written for people: the notices and in-place errors the app shows for a corrupt
// upload, an absurd learning rate and a missing training file name no internal folder (the upload
// temp folder, the data or session folder), no tensor shape and no validation wording; the exact
// text waits behind "Details". Notices stack beside the image, never over it, and informational
// ones leave by themselves.
import { test, expect, type Locator, type Page } from '@playwright/test';
import { startBuiltHost, type StartedHost } from './host.js';
import { dropFiles, photo, screenshot } from './fixtures/ui.js';

let host: StartedHost;
test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host.stop();
});

/** What a person must never have to read. */
const INTERNAL = [
  /\/tmp\//,
  /denoise-lab-(uploads|session)-/,
  /\[\w+, /,
  /invalid request for/,
  /expected \w+/,
  /Too (small|big)/,
];

async function expectForPeople(text: Locator) {
  for (const t of await text.allInnerTexts()) for (const bad of INTERNAL) expect(t, t).not.toMatch(bad);
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function canTrain(page: Page): Promise<boolean> {
  const info = (await (
    await page.request.post(`${host.origin}/api/call/app:info`, {
      headers: { 'X-Denoise-Token': host.token, 'Content-Type': 'application/json' },
      data: {},
    })
  ).json()) as { capabilities: { jobKinds: string[] } };
  return info.capabilities.jobKinds.includes('train');
}

test('a corrupt upload is reported by its name, beside the image, with the details behind a toggle', async ({
  page,
}, info) => {
  await page.goto(host.url);
  const good = photo('chelsea-240.png');
  await dropFiles(page, 'dropzone', [good]);
  await expect(page.getByTestId('queue-status')).toHaveText(['Ready']);
  await dropFiles(page, 'dropzone', [
    { name: 'broken.png', bytes: good.bytes.subarray(0, 300) },
    { name: 'empty.png', bytes: Buffer.alloc(0) },
    { name: 'notes.txt', bytes: Buffer.from('not a photo at all\n'), type: 'text/plain' },
  ]);
  const notice = page.getByTestId('notice');
  await expect(notice.filter({ hasText: 'Could not open broken.png' })).toBeVisible();
  await expect(notice.filter({ hasText: 'Could not open empty.png' })).toBeVisible();
  await expect(notice.filter({ hasText: 'Could not open notes.txt' })).toBeVisible();
  await expectForPeople(page.getByTestId('notice-text'));
  // The in-place error under the model panel and the queue's tooltip are worded the same way.
  await page
    .getByRole('button', { name: /broken\.png/ })
    .first()
    .click();
  await expectForPeople(page.locator('.error-text'));

  // The technical text is one click away: the upload's real path as the service saw it.
  const broken = notice.filter({ hasText: 'Could not open broken.png' });
  await broken.getByText('Details').click();
  await expect(broken.getByTestId('notice-details')).toContainText('broken.png');
  await expect(broken.getByTestId('notice-details')).toContainText('denoise-lab-uploads-');

  // The notices never cover the image or the queue.
  const viewer = (await page.getByTestId('viewer').boundingBox())!;
  const queue = (await page.getByTestId('queue').boundingBox())!;
  for (const box of await Promise.all((await notice.all()).map((n) => n.boundingBox()))) {
    expect(overlaps(box!, viewer), 'a notice covers the image').toBe(false);
    expect(overlaps(box!, queue), 'a notice covers the queue').toBe(false);
  }
  await screenshot(page, info, 'notices-for-people');

  // Errors stay until dismissed; the close button dismisses one.
  await broken.getByRole('button', { name: 'Dismiss' }).click();
  await expect(broken).toHaveCount(0);
  await expect(notice.filter({ hasText: 'Could not open notes.txt' })).toBeVisible();
});

test('only the newest three notices show; the older ones fold into one line that unfolds them', async ({ page }) => {
  await page.goto(host.url);
  const bad = (i: number) => ({ name: `notes-${i}.txt`, bytes: Buffer.from('not a photo\n'), type: 'text/plain' });
  await dropFiles(page, 'dropzone', [1, 2, 3, 4, 5].map(bad));
  const notice = page.getByTestId('notice');
  await expect(notice.filter({ hasText: 'notes-5.txt' })).toBeVisible();
  await expect(notice).toHaveCount(3);
  await page.getByRole('button', { name: '2 earlier notices' }).click();
  await expect(notice).toHaveCount(5);
  await page.getByRole('button', { name: 'Dismiss' }).first().click();
  await expect(notice).toHaveCount(4);
});

test('an informational notice leaves by itself', async ({ page }) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Lab' }).click();
  await page.getByRole('radio', { name: 'Photo folder' }).click();
  await page.getByRole('button', { name: 'Browse…' }).click();
  const hint = page.getByTestId('notice').filter({ hasText: 'type the folder’s path' });
  await expect(hint).toBeVisible();
  await expect(hint).toHaveCount(0, { timeout: 10_000 });
});

test('a bad learning rate and a missing data file are told in words, not validation text', async ({ page }) => {
  await page.goto(host.url);
  test.skip(!(await canTrain(page)), 'this build does not train');
  await page.getByRole('button', { name: 'Lab' }).click();
  await page.locator('#lr').fill('-0.5');
  await page.getByTestId('train-start').click();
  const error = page.getByTestId('train-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText('learning rate');
  await expectForPeople(error.locator('span'));
  await error.getByText('Details').click();
  await expect(error.locator('pre')).toContainText('lr');

  // A training file that is not there: named by its file name, not by its folders.
  await page.locator('#lr').fill('0.001');
  await page.getByRole('radio', { name: '.npy file' }).click();
  await page.locator('#data-path').fill('/tmp/denoise-lab-session-e2e-nowhere/patches.npy');
  await page.getByTestId('train-start').click();
  await expect(error).toContainText('patches.npy');
  await expectForPeople(error.locator('span'));
});
