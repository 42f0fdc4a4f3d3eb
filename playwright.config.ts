// End-to-end tests drive Debian's Chromium (Playwright's own browser download is not possible offline).
import { defineConfig } from '@playwright/test';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results',
  timeout: 120_000,
  fullyParallel: false,
  // Two spec files at a time (two cores): most of an end-to-end test is waiting on the host's jobs.
  // The specs that measure the renderer's long tasks run alone, after all the others.
  workers: 2,
  reporter: [['list']],
  projects: [
    { name: 'functional', testIgnore: /perf\.spec\.ts$/ },
    { name: 'timing', testMatch: /perf\.spec\.ts$/, dependencies: ['functional'] },
  ],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
