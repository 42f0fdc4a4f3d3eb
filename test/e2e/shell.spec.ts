import { test, expect } from '@playwright/test';
import { startBuiltHost, type StartedHost } from './host.js';

let host: StartedHost;
test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host.stop();
});

test('the renderer loads from the local web host and switches workspaces', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Denoise Lab' })).toBeVisible();
  await expect(page.getByTestId('workspace')).toHaveText('Denoise workspace');
  await page.getByRole('button', { name: 'Lab' }).click();
  await expect(page.getByTestId('workspace')).toHaveText('Lab workspace');
  expect(errors).toEqual([]);
});

test('the page is refused without the token', async ({ request }) => {
  const res = await request.get(`${host.origin}/`);
  expect(res.status()).toBe(401);
});
