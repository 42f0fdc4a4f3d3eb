// The service is the truth about jobs (issue 14): a reload during training finds the run again
// (progress, the chart rebuilt from its history, cancel working), a double click on Start starts
// one training, and a 300-step run's charts hold every step's loss and each validation point once.
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

interface Snapshot {
  jobId: string;
  kind: string;
  state: string;
  step: number;
}
interface Point {
  series: string;
  step: number;
  values: Record<string, number>;
}

async function call<T>(page: Page, channel: string, data: unknown): Promise<T> {
  const res = await page.request.post(`${host.origin}/api/call/${channel}`, {
    headers: { 'X-Denoise-Token': host.token, 'Content-Type': 'application/json' },
    data,
  });
  expect(res.ok(), `${channel}: ${await res.text()}`).toBe(true);
  return (await res.json()) as T;
}

const trainJobs = async (page: Page) =>
  (await call<Snapshot[]>(page, 'jobs:list', {})).filter((j) => j.kind === 'train');
const activeTrainJobs = async (page: Page) =>
  (await trainJobs(page)).filter((j) => ['queued', 'running', 'paused'].includes(j.state));
const attr = async (page: Page, testId: string, name: string) =>
  Number(await page.getByTestId(testId).getAttribute(name));

async function openLab(page: Page, steps: number) {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Lab' }).click();
  await page.getByTestId('widths').fill('64-16-64');
  await page.getByTestId('steps').fill(String(steps));
}

test.afterEach(async ({ page }) => {
  // Leave the training lane free for the next test, whatever happened in this one.
  for (const j of await activeTrainJobs(page)) await call(page, 'jobs:cancel', { jobId: j.jobId });
});

test('a reload during training reattaches: progress goes on, the chart is rebuilt, cancel works', async ({
  page,
}, info) => {
  await openLab(page, 100_000);
  await page.getByTestId('train-start').click();
  await expect.poll(() => attr(page, 'chart-loss', 'data-points'), { timeout: 60_000 }).toBeGreaterThan(10);
  const firstStep = await attr(page, 'chart-loss', 'data-first-step');
  const [job] = await activeTrainJobs(page);
  expect(job).toBeDefined();

  await page.reload();
  // The dock shows the running training, not "Ready".
  const dock = page.getByTestId('jobs-dock');
  await expect(dock).toContainText('Training', { timeout: 10_000 });
  await expect(dock).not.toContainText('Ready');
  await page.getByRole('button', { name: 'Lab' }).click();
  // The Lab follows the same job, its chart rebuilt from the start of the run.
  await expect(page.getByTestId('train-progress')).toHaveAttribute('data-job', job!.jobId);
  await expect.poll(() => attr(page, 'chart-loss', 'data-points'), { timeout: 10_000 }).toBeGreaterThan(10);
  expect(await attr(page, 'chart-loss', 'data-first-step')).toBe(firstStep);
  // Progress continues after the reload.
  const lastStep = await attr(page, 'chart-loss', 'data-last-step');
  await expect.poll(() => attr(page, 'chart-loss', 'data-last-step'), { timeout: 20_000 }).toBeGreaterThan(lastStep);
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await screenshot(page, info, 'lab-reattached');

  await page.getByTestId('train-cancel').click();
  await expect(page.getByRole('status').filter({ hasText: 'Training cancelled' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('train-start')).toBeEnabled();
  expect((await trainJobs(page)).find((j) => j.jobId === job!.jobId)?.state).toBe('cancelled');
});

test('a double click on Start starts exactly one training', async ({ page }) => {
  const before = (await trainJobs(page)).length;
  await openLab(page, 100_000);
  await page.getByTestId('train-start').dblclick();
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await expect.poll(() => attr(page, 'chart-loss', 'data-points'), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.waitForTimeout(500);
  expect((await trainJobs(page)).length - before).toBe(1);
  await expect(page.getByTestId('train-error')).toHaveCount(0);
});

test('a 300-step run charts every step’s loss and each validation point once, at its step', async ({ page }, info) => {
  await openLab(page, 300);
  await page.getByTestId('train-start').click();
  await expect(page.getByRole('status').filter({ hasText: 'Training finished after 300 steps' })).toBeVisible({
    timeout: 60_000,
  });
  // Every step's loss: 300 points, the last at step 300.
  expect(await attr(page, 'chart-loss', 'data-points')).toBe(300);
  expect(await attr(page, 'chart-loss', 'data-last-step')).toBe(300);
  const [job] = (await trainJobs(page)).slice(-1);
  const { points } = await call<{ points: Point[] }>(page, 'jobs:history', { jobId: job!.jobId });
  const validation = points.filter((p) => p.series === 'validation');
  // Validation: one marker per pass, at the pass's own step (not re-plotted at later steps).
  expect(validation.length).toBeGreaterThanOrEqual(1);
  expect(new Set(validation.map((p) => p.step)).size).toBe(validation.length);
  expect(await attr(page, 'chart-quality', 'data-points')).toBe(validation.length);
  // The previews say which step they show: the final model's.
  await expect(page.getByTestId('gallery-step')).toHaveText('· step 300');
  await screenshot(page, info, 'lab-300-steps');
});
