import { defineConfig } from 'vitest/config';

/** Tests whose assertions are times or memory (`*.serial.test.ts`) run on their own: see vitest.serial.config.ts. */
export const serialTests = '**/*.serial.test.ts';

/**
 * Test files that replace a module (`vi.mock`) need a module registry of their own. Every other
 * file shares its worker's registry (`isolate: false`): loading sharp, ONNX Runtime and the app's
 * modules once per worker instead of once per file halves the suite's time on two cores. A file
 * that needs a fresh module state goes in this list.
 */
const needsOwnModules = [
  'test/unit/imaging/metadata-fallback.test.ts',
  'test/unit/imaging/metadata-unloadable.test.ts',
];

const shared = {
  environment: 'node',
  // Numerical tests are CPU-bound; two cores on the reference machine.
  maxWorkers: 2,
  testTimeout: 60_000,
  hookTimeout: 60_000,
} as const;

export default defineConfig({
  test: {
    ...shared,
    projects: [
      {
        test: {
          ...shared,
          name: 'shared-modules',
          isolate: false,
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          exclude: ['**/node_modules/**', serialTests, ...needsOwnModules],
        },
      },
      { test: { ...shared, name: 'own-modules', include: needsOwnModules } },
    ],
  },
});
