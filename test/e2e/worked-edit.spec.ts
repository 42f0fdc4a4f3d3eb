// The Latent step-through as a place to experiment (issue 14, "Lab for learning"): edit a seed's
// weight and every number follows, press Step and watch the loss fall one gradient-descent step at
// a time, refuse entries that are not numbers, and Reset back to the lecture notes' values.
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

async function openStepThrough(page: Page) {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Latent' }).click();
  await page.getByRole('radio', { name: 'Step-through' }).click();
}

/** The two losses of the step report "step k: loss A → B". */
async function stepReport(page: Page, k: number): Promise<[number, number]> {
  const report = page.getByTestId('step-report');
  await expect(report).toHaveText(new RegExp(`^step ${k}: loss [\\d.]+ → [\\d.]+$`));
  const [before, after] = (await report.textContent())!.match(/\d+\.\d+/g)!.map(Number);
  return [before!, after!];
}

test('edit a weight of seed 004, step it four times, refuse a non-number, reset', async ({ page }, info) => {
  await openStepThrough(page);
  const view = page.getByTestId('step-through');
  const loss = page.getByTestId('edit-loss');
  const w1 = page.getByTestId('edit-W0.0.0'); // hidden W[1][1], 0.11 in the seed
  await expect(loss).toHaveText('0.32724');
  await expect(w1).toHaveValue('0.11');

  // w1 = 0.2: h1 = 0.2·2 + 0.21·3 = 1.03, out = 0.14·1.03 + 0.15·0.48 = 0.2162, E = ½·0.7838².
  await w1.fill('0.2');
  await expect(loss).toHaveText('0.307171');
  await expect(view).toContainText('0.2·2 + 0.21·3 = 1.03');
  for (let i = 0; i < 2; i++) await page.getByTestId('step-next').click();
  await expect(page.getByTestId('step-loss')).toHaveText('loss = 0.307171');
  await expect(view).toContainText('output = [0.2162]');

  // Not a number: said beside the field, the last good value stays in use, no step is offered.
  for (const bad of ['abc', '', 'NaN']) {
    await w1.fill(bad);
    await expect(page.getByTestId('edit-error')).toHaveText(
      'hidden W[1][1]: Type a number, e.g. 0.25; 0.2 is still used',
    );
    await expect(w1).toHaveAttribute('aria-invalid', 'true');
    await expect(loss).toHaveText('0.307171');
    await expect(page.getByTestId('step-once')).toBeDisabled();
    if (bad === 'abc') await screenshot(page, info, 'worked-edit-refused');
  }
  await w1.fill('0.2');
  await expect(page.getByTestId('edit-error')).toHaveCount(0);

  // Four steps of gradient descent (lr 0.05), each starting from the last one's weights.
  const want = ['0.250228', '0.192667', '0.138471', '0.091953'];
  let previous = 0.30717122;
  for (let k = 1; k <= 4; k++) {
    await page.getByTestId('step-once').click();
    const [before, after] = await stepReport(page, k);
    expect(before).toBeCloseTo(previous, 6);
    expect(after).toBeLessThan(before);
    await expect(loss).toHaveText(want[k - 1]!);
    expect(after).toBe(Number(want[k - 1]));
    previous = after;
    // The first step moves w1 by −0.05·∂E/∂w1 = +0.05·(0.14·0.7838·2): 0.2109732.
    if (k === 1) await expect(w1).toHaveValue('0.210973');
  }
  // The stage-by-stage view shows the same current values.
  await expect(page.getByTestId('step-loss')).toHaveText('loss = 0.091953');
  await screenshot(page, info, 'worked-edit-stepped');

  await page.getByTestId('edit-reset').click();
  await expect(loss).toHaveText('0.32724');
  await expect(w1).toHaveValue('0.11');
  await expect(page.getByTestId('step-report')).toHaveCount(0);
  await expect(page.getByTestId('edit-reset')).toBeDisabled();
  await expect(view).toContainText('0.11·2 + 0.21·3 = 0.85');
});

test("one step on seed 002 gives the loss at the step-through's updated weights", async ({ page }) => {
  await openStepThrough(page);
  await page.getByRole('radio', { name: 'Seed 002' }).click();
  await expect(page.getByTestId('edit-loss')).toHaveText('0.198865');
  await page.getByTestId('step-once').click();
  // 0.081143129766: the MSE at the updated weights, recomputed in exact fractions.
  await expect(page.getByTestId('step-report')).toHaveText('step 1: loss 0.198865 → 0.081143');
  await expect(page.getByTestId('edit-W0.0.0')).toHaveValue('0.7468');
  // An input of an autoencoder is its target too: x2 = 0.6 gives x̂ = [1.475, 0.89, 0.891] from the seed.
  await page.getByTestId('edit-reset').click();
  await page.getByTestId('edit-x1').fill('0.6');
  for (let i = 0; i < 2; i++) await page.getByTestId('step-next').click();
  await expect(page.getByTestId('step-through')).toContainText('output = [1.475, 0.89, 0.891], target = [1, 0.6, 0.5]');
  // Another seed starts from its own values.
  await page.getByRole('radio', { name: 'Seed 001' }).click();
  await expect(page.getByTestId('edit-reset')).toBeDisabled();
  await expect(page.getByTestId('edit-loss')).toHaveText('0.683532');
});
