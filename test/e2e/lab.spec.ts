// Lab workspace end to end: the live design numbers (seed 001's 8-3-8 → 59 parameters, conv
// compression ratios), and a short training run with live charts, pause/resume and cancel.
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

async function openLab(page: Page) {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Lab' }).click();
  await expect(page.getByTestId('workspace')).toHaveText('Lab workspace');
}

/** Whether this build's service runs training jobs. */
async function canTrain(page: Page): Promise<boolean> {
  const info = (await (
    await page.request.post(`${host.origin}/api/call/app:info`, {
      headers: { 'X-Denoise-Token': host.token, 'Content-Type': 'application/json' },
      data: {},
    })
  ).json()) as { capabilities: { jobKinds: string[] } };
  return info.capabilities.jobKinds.includes('train');
}

test('the layer form counts parameters live: 8-3-8 → 59, stacked 10-8-4-8-10 → 254', async ({ page }, info) => {
  await openLab(page);
  const widths = page.getByTestId('widths');
  // Typed key by key, as a user does: half-typed lists ("8-3-") must not be reset.
  await widths.fill('');
  await widths.pressSequentially('8-3-8');
  await expect(page.getByTestId('param-count')).toHaveText('59');
  await expect(page.getByTestId('completeness')).toHaveText('Undercomplete');
  await widths.fill('10-8-4-8-10');
  await expect(page.getByTestId('param-count')).toHaveText('254');
  await widths.fill('50-80-50');
  await expect(page.getByTestId('completeness')).toHaveText('Overcomplete');
  await widths.fill('8-3-6');
  await expect(
    page.getByRole('alert').filter({ hasText: 'input width 8 and output width 6 must match' }),
  ).toBeVisible();
  await expect(page.getByTestId('train-start')).toBeDisabled();

  // VAE: the latent layer is two heads (μ and log σ²). 64-32-2-32-64: 2080 + 2·66 + 96 + 2112.
  await page.getByTestId('variant-picker').selectOption('variational');
  await expect(page.getByTestId('param-count')).toHaveText('4,420');

  // Conv autoencoder: 1 → 16 → 32, bottleneck 4 at H/4 × W/4 → 16 / 4 = 4 : 1.
  await page.getByTestId('variant-picker').selectOption('convolutional');
  await expect(page.getByTestId('compression-ratio')).toHaveText('4 : 1');
  await page.getByLabel('Bottleneck channels').fill('2');
  await expect(page.getByTestId('compression-ratio')).toHaveText('8 : 1');
  await expect(page.getByTestId('noise-preview')).toBeVisible();
  await screenshot(page, info, 'lab-design');
});

test('train a tiny model: chart updates, pause, resume, cancel', async ({ page }, info) => {
  await openLab(page);
  // Fail with a clear reason, not a timeout further down, if the build stopped running train jobs.
  expect(await canTrain(page), 'the service lists `train` among its job kinds').toBe(true);
  await page.getByTestId('widths').fill('64-16-64');
  await page.getByTestId('steps').fill('100000');
  await page.getByTestId('train-start').click();
  const loss = page.getByTestId('chart-loss');
  await expect.poll(async () => Number(await loss.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(2);

  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-resume')).toBeVisible({ timeout: 20_000 });
  const pausedAt = Number(await loss.getAttribute('data-points'));
  await page.waitForTimeout(1500);
  // Heartbeats while paused repeat the last step: no new rows.
  expect(Number(await loss.getAttribute('data-points'))).toBe(pausedAt);
  await screenshot(page, info, 'lab-training-paused');

  await page.getByTestId('train-resume').click();
  await expect
    .poll(async () => Number(await loss.getAttribute('data-points')), { timeout: 30_000 })
    .toBeGreaterThan(pausedAt);
  await page.getByTestId('train-cancel').click();
  await expect(page.getByRole('status').filter({ hasText: 'Training cancelled' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('train-start')).toBeEnabled();
});
