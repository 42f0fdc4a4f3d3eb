// Model lists by capability: each list offers only the models that can do its job and shows the
// others disabled with the reason. Before, the Denoise picker offered the grey conv autoencoders
// (which blur photos), the Latent list offered the colour denoiser (which has no code to show),
// and a digits model trained in the Lab offered "Use in Denoise" (a blank picker, then an error
// about tensor shapes).
import { test, expect, type Locator } from '@playwright/test';
import { startBuiltHost, type StartedHost } from './host.js';
import { screenshot } from './fixtures/ui.js';

let host: StartedHost;
test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host.stop();
});

/** Each option of a select as "label|disabled" or "label|enabled". */
async function options(select: Locator): Promise<string[]> {
  return select
    .locator('option')
    .evaluateAll((os) =>
      os.map((o) => `${o.textContent!.trim()}|${(o as HTMLOptionElement).disabled ? 'disabled' : 'enabled'}`),
    );
}

const COLOUR = 'Colour denoiser (FFDNet-style, residual blocks)';
const CAMERA = 'Camera-noise denoiser (preview)';
const BLURS = 'only blurs photos: an autoencoder made for the Latent workspace';
const DIGITS = 'works on 8×8 digit vectors, not photos';

test('the Denoise picker and the Latent list offer only the shipped models that can do their job', async ({
  page,
}, info) => {
  await page.goto(host.url);
  const picker = page.getByTestId('model-picker');
  await expect(picker).toHaveValue('shipped/default');
  // The int8 twins are not picker entries of their own: the Fast box beside the picker reaches them.
  expect(await options(picker)).toEqual([
    `${COLOUR}|enabled`,
    `${CAMERA}|enabled`,
    `Conv autoencoder, bottleneck 2 (${BLURS})|disabled`,
    `Conv autoencoder, bottleneck 4 (${BLURS})|disabled`,
    `Conv autoencoder, bottleneck 8 (${BLURS})|disabled`,
    `Digits VAE (2-D latent) (${DIGITS})|disabled`,
  ]);
  await screenshot(page, info, 'model-lists-denoise');

  await page.getByRole('button', { name: 'Latent' }).click();
  const list = page.getByTestId('latent-model');
  // The digits scatter starts on the dense model, not on the first model listed.
  await expect(list).toHaveValue('shipped/digits-vae');
  expect(await options(list)).toEqual([
    `${COLOUR} (has no latent code to show)|disabled`,
    `${CAMERA}, fast (int8) (has no latent code to show)|disabled`,
    `${CAMERA} (has no latent code to show)|disabled`,
    'Conv autoencoder, bottleneck 2|enabled',
    'Conv autoencoder, bottleneck 4|enabled',
    'Conv autoencoder, bottleneck 8|enabled',
    `${COLOUR}, fast (int8) (has no latent code to show)|disabled`,
    'Digits VAE (2-D latent)|enabled',
  ]);
  await screenshot(page, info, 'model-lists-latent');

  // A scatter belongs to the model it was encoded with: picking another clears it.
  await page.getByTestId('encode-button').click();
  await expect(page.getByTestId('latent-scatter')).toHaveAttribute('data-points', '1000', { timeout: 60_000 });
  await list.selectOption('shipped/conv-ae-b4');
  await expect(page.getByTestId('latent-scatter')).toHaveCount(0);
});

test('a digits model trained in the Lab says why it cannot be used in Denoise', async ({ page }, info) => {
  test.setTimeout(180_000);
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Lab' }).click();
  await page.getByTestId('widths').fill('64-8-64');
  await page.getByTestId('steps').fill('20');
  await page.getByTestId('train-start').click();
  await expect(page.getByRole('status').filter({ hasText: 'Training finished' })).toBeVisible({ timeout: 120_000 });
  await page.getByLabel('Model name').fill('e2e-digits-dense');
  await page.getByRole('button', { name: 'Save model' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved e2e-digits-dense' })).toBeVisible({ timeout: 60_000 });

  await expect(page.getByRole('button', { name: 'Use in Denoise' })).toBeDisabled();
  await expect(page.getByTestId('use-in-denoise-why')).toHaveText(`Not for Denoise: this model ${DIGITS}.`);
  await screenshot(page, info, 'model-lists-lab-dense');

  // Denoise lists it, disabled with the reason, and keeps the colour denoiser picked.
  await page.getByRole('button', { name: 'Denoise', exact: true }).click();
  const picker = page.getByTestId('model-picker');
  await expect(picker).toHaveValue('shipped/default');
  expect(await options(picker)).toContain(`e2e-digits-dense (${DIGITS})|disabled`);
});
