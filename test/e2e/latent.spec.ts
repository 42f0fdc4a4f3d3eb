// Latent workspace end to end: the step-through of seed 004's backprop step shows the reference
// numbers; a trained dense model's digits show up as scatter points (when the engine runs
// training and latent jobs).
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

async function jobKinds(page: Page): Promise<string[]> {
  const res = await page.request.post(`${host.origin}/api/call/app:info`, {
    headers: { 'X-Denoise-Token': host.token, 'Content-Type': 'application/json' },
    data: {},
  });
  return ((await res.json()) as { capabilities: { jobKinds: string[] } }).capabilities.jobKinds;
}

test('step-through of seed 004: every stage, the loss and the updated weights', async ({ page }, info) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Latent' }).click();
  await page.getByRole('radio', { name: 'Step-through' }).click();
  const view = page.getByTestId('step-through');
  await expect(view).toContainText('0.11·2 + 0.21·3 = 0.85');
  // Forward output, then loss, then backward, then the update: 2 + 1 + 2 + 1 stages.
  for (let i = 0; i < 5; i++) await page.getByTestId('step-next').click();
  await expect(page.getByTestId('step-next')).toBeDisabled();
  await expect(page.getByTestId('step-loss')).toHaveText(/loss = 0\.32724/);
  await expect(view).toContainText('output = [0.191]');
  for (const w of ['0.121326', '0.226989', '0.132135', '0.098202', '0.174383', '0.169416'])
    await expect(view).toContainText(w);
  await expect(page.getByTestId('step-params')).toHaveText('59');
  await screenshot(page, info, 'latent-step-through');
  // Keyboard: ← steps back.
  await page.getByRole('button', { name: 'Loss' }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('step-next')).toBeEnabled();
  // Seed 002: the ReLU autoencoder's MSE.
  await page.getByRole('radio', { name: 'Seed 002' }).click();
  for (let i = 0; i < 2; i++) await page.getByTestId('step-next').click();
  await expect(page.getByTestId('step-loss')).toHaveText('loss = 0.198865');
});

test('latent scatter of a freshly trained digits autoencoder renders its points', async ({ page }, info) => {
  test.setTimeout(240_000);
  await page.goto(host.url);
  const kinds = await jobKinds(page);
  const missing = ['train', 'save-model', 'latent-encode', 'latent-probe'].filter((k) => !kinds.includes(k));
  expect(missing, 'job kinds the latent workspace needs').toEqual([]);

  await page.getByRole('button', { name: 'Lab' }).click();
  await page.getByTestId('variant-picker').selectOption('variational');
  await page.getByTestId('steps').fill('150');
  await page.getByTestId('train-start').click();
  await expect(page.getByRole('status').filter({ hasText: 'Training finished' })).toBeVisible({ timeout: 180_000 });
  await page.getByLabel('Model name').fill('e2e-digits-vae');
  await page.getByRole('button', { name: 'Save model' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved e2e-digits-vae' })).toBeVisible({ timeout: 60_000 });

  await page.getByRole('button', { name: 'Latent' }).click();
  await page.getByTestId('latent-model').selectOption({ label: 'e2e-digits-vae' });
  await page.getByTestId('encode-button').click();
  const scatter = page.getByTestId('latent-scatter');
  await expect(scatter).toHaveAttribute('data-points', '1000', { timeout: 60_000 });
  await screenshot(page, info, 'latent-scatter');
  // The points are really drawn: the plot canvas holds pixels of at least 5 class colours.
  const colours = await scatter.locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<string>();
    for (let i = 0; i < d.length; i += 4)
      if (d[i + 3]! > 250 && (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]))
        seen.add(`${d[i]! >> 4},${d[i + 1]! >> 4},${d[i + 2]! >> 4}`);
    return seen.size;
  });
  expect(colours).toBeGreaterThanOrEqual(5);
  // The classification probe on held-out digits (10 classes: chance is 10 %).
  await page.getByTestId('probe-button').click();
  const probe = page.getByTestId('probe');
  await expect(probe).toBeVisible({ timeout: 60_000 });
  // Raw pixels separate the digits well; a 2-D code after 150 steps is weaker but above chance.
  expect(Number(await probe.getAttribute('data-pixels'))).toBeGreaterThan(0.85);
  expect(Number(await probe.getAttribute('data-latent'))).toBeGreaterThan(0.1);
  await screenshot(page, info, 'latent-probe');
  // The traversal spans each dimension's own codes (± 2 σ around their mean), and says where.
  await page.getByRole('button', { name: 'Traverse' }).click();
  const ranges = page.getByTestId('traversal-ranges');
  await expect(ranges).toContainText(/z1 \(columns\) -?\d+\.\d\d … -?\d+\.\d\d · z2 \(rows\)/, { timeout: 60_000 });
  const [lo, hi] = (await ranges.textContent())!.match(/-?\d+\.\d\d/g)!.map(Number);
  expect(hi! - lo!).toBeGreaterThan(0);
  expect(hi! - lo!).not.toBeCloseTo(6, 1); // not the old fixed ±3
  await screenshot(page, info, 'latent-traversal');
});
