// Tests that assert a time (cancel within 1 s, a bomb refused fast) or a memory figure (RSS after
// 40 jobs) measure the machine as well as the code: run beside another CPU-bound test file on two
// cores they measure the neighbour. They run after the others, one file at a time.
import { defineConfig } from 'vitest/config';
import { serialTests } from './vitest.config.js';

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    include: [`test/${serialTests}`],
    exclude: ['**/node_modules/**'],
    fileParallelism: false,
    maxWorkers: 1,
  },
});
