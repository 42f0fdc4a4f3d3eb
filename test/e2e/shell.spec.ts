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

test('without the token the page shell loads but its API is refused, and no cookie is set', async ({ request }) => {
  const page = await request.get(`${host.origin}/`);
  expect(page.status()).toBe(200);
  expect(page.headers()['set-cookie']).toBeUndefined();
  expect((await request.post(`${host.origin}/api/call/app:info`, { data: {} })).status()).toBe(401);
});

test('the token leaves the address bar, survives a reload, and is never a cookie', async ({ page, context }) => {
  const api: number[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/call/')) api.push(r.status());
  });
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Denoise Lab' })).toBeVisible();
  await expect.poll(() => page.url()).toBe(`${host.origin}/`);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Denoise Lab' })).toBeVisible();
  await expect.poll(() => api.length).toBeGreaterThan(1);
  expect(api.filter((s) => s !== 200)).toEqual([]);
  expect(await context.cookies()).toEqual([]);
});
