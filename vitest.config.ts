import { defineConfig } from 'vitest/config';

/** Tests whose assertions are times or memory (`*.serial.test.ts`) run on their own: see vitest.serial.config.ts. */
export const serialTests = '**/*.serial.test.ts';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    exclude: ['**/node_modules/**', serialTests],
    environment: 'node',
    // Numerical tests are CPU-bound; two cores on the reference machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
