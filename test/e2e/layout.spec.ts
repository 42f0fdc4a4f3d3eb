// Layout at the two window sizes people use most: the side panels grow with the window, and
// "Fit" fits a photo without enlarging it past 100 % (a 420 px photo at 1920 × 1080 showed 113 %).
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

for (const [width, height, panel] of [
  [1280, 800, 270],
  [1920, 1080, 345],
] as const) {
  test(`at ${width} × ${height} the side panels are about ${panel} px and Fit shows a small photo at 100 %`, async ({
    page,
  }, info) => {
    await page.setViewportSize({ width, height });
    await page.goto(host.url);
    await dropFiles(page, 'dropzone', [photo('coffee-420.png')]);
    await expect(page.getByTestId('queue-status').first()).toHaveText('Ready');
    await expect(page.getByTestId('zoom-level')).toHaveText('100 %');
    // The model's measured quality is folded away: the noise-level control is in view unscrolled.
    await expect(page.getByLabel('Noise level estimated from the photo')).toBeInViewport();
    await expect(page.getByTestId('model-about')).not.toHaveAttribute('open');
    await page.getByRole('button', { name: '200 %' }).click();
    await page.getByRole('button', { name: 'Fit' }).click();
    await expect(page.getByTestId('zoom-level')).toHaveText('100 %');
    for (const side of ['aside.left', 'aside.right']) {
      const box = (await page.locator(side).boundingBox())!;
      expect(box.width, side).toBeGreaterThanOrEqual(panel - 2);
      expect(box.width, side).toBeLessThanOrEqual(panel + 10);
    }
    await screenshot(page, info, `denoise-${width}`);
    // The other workspaces at the same size, for a person to look at (issue 14's layout review).
    for (const workspace of ['Lab', 'Latent']) {
      await page.getByRole('button', { name: workspace }).click();
      await expect(page.getByTestId('workspace')).toHaveText(`${workspace} workspace`);
      await screenshot(page, info, `${workspace.toLowerCase()}-${width}`);
    }
  });
}
