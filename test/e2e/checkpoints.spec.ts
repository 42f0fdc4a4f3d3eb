// The Lab's checkpoints browser end to end: a pause keeps a checkpoint and the list shows it; after
// a restart of the host on the same data folder the earlier run's checkpoints are still there, one
// is saved as a model, one deleted, and training resumes from the one left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { startBuiltHost, type StartedHost } from './host.js';
import { screenshot } from './fixtures/ui.js';

let dataDir: string;
let host: StartedHost | null = null;
test.beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dl-e2e-ckpt-'));
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function openLab(page: Page, h: StartedHost) {
  await page.goto(h.url);
  await page.getByRole('button', { name: 'Lab' }).click();
  await expect(page.getByTestId('workspace')).toHaveText('Lab workspace');
}

const rows = (page: Page) => page.getByTestId('checkpoints').getByTestId('checkpoint');
const row = (page: Page, step: number) => page.locator(`[data-testid="checkpoint"][data-step="${step}"]`);
/** The step the progress bar shows ("Step 123 of 100000"). */
async function shownStep(page: Page): Promise<number> {
  return Number(/Step (\d+)/.exec((await page.getByTestId('train-progress').textContent()) ?? '')?.[1]);
}

test('checkpoints: a pause keeps one; after a restart save one as a model, delete one, resume', async ({
  page,
}, info) => {
  test.setTimeout(120_000);
  host = await startBuiltHost([], { dataDir });
  await openLab(page, host);
  await page.getByTestId('widths').fill('64-16-64');
  await page.getByTestId('steps').fill('100000');
  await page.getByLabel('Checkpoint every').fill('0'); // only the pause and the cancel write one
  await page.getByTestId('train-start').click();
  await expect.poll(() => shownStep(page), { timeout: 60_000 }).toBeGreaterThan(5);
  await expect(rows(page)).toHaveCount(0);

  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-resume')).toBeVisible({ timeout: 20_000 });
  const pausedAt = await shownStep(page);
  // The pause's checkpoint is listed under this run (the list is read again within 5 s of an event).
  await expect(row(page, pausedAt)).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('checkpoint-run')).toContainText('dense 64-16-64 · digits');
  await expect(page.getByTestId('checkpoint-run')).toContainText('this run');

  // Go on a little, then cancel: the cancel keeps where it stopped, beside the pause's.
  await page.getByTestId('train-resume').click();
  await expect.poll(() => shownStep(page), { timeout: 30_000 }).toBeGreaterThan(pausedAt + 2);
  await page.getByTestId('train-cancel').click();
  await expect(page.getByRole('status').filter({ hasText: 'Training cancelled' })).toBeVisible({ timeout: 20_000 });
  await expect(rows(page)).toHaveCount(2);
  const cancelledAt = Number(await rows(page).first().getAttribute('data-step'));
  expect(cancelledAt).toBeGreaterThan(pausedAt);

  // A new session: the host restarts on the same data folder, the page loads afresh.
  await host.stop();
  host = await startBuiltHost([], { dataDir });
  await openLab(page, host);
  await expect(page.getByTestId('checkpoint-run')).toHaveCount(1);
  await expect(rows(page)).toHaveCount(2);
  await expect(row(page, pausedAt)).toBeVisible();
  await screenshot(page, info, 'lab-checkpoints-browser');

  // Save the paused state as a model.
  await row(page, pausedAt).click();
  await page.getByLabel('Model name').fill('from-the-pause');
  await page.getByRole('button', { name: 'Save model' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved from-the-pause' })).toBeVisible({ timeout: 30_000 });

  // Delete the cancel's checkpoint (asked once more, in place).
  await row(page, cancelledAt).click();
  await page.getByTestId('checkpoint-delete').click();
  await page.getByTestId('checkpoint-delete-confirm').click();
  await expect(row(page, cancelledAt)).toHaveCount(0);
  await expect(rows(page)).toHaveCount(1);
  await expect(
    page.getByRole('status').filter({ hasText: `Deleted the checkpoint at step ${cancelledAt}` }),
  ).toBeVisible();

  // Training goes on from the paused state: a new run, from that step on.
  await row(page, pausedAt).click();
  await page.getByTestId('checkpoint-resume').click();
  await expect.poll(() => shownStep(page), { timeout: 60_000 }).toBeGreaterThan(pausedAt + 2);
  await page.getByTestId('train-cancel').click();
  await expect(page.getByRole('status').filter({ hasText: 'Training cancelled' })).toBeVisible({ timeout: 20_000 });
  // Two runs now: the resumed one (this run) first.
  await expect(page.getByTestId('checkpoint-run')).toHaveCount(2);
  await expect(page.getByTestId('checkpoint-run').first()).toContainText('this run');
  // Nothing a person reads names the app's folders.
  expect(await page.getByTestId('checkpoints').textContent()).not.toContain(dataDir);
});
