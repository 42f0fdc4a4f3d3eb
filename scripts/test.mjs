// `npm test`: typecheck, lint, unit + integration tests (Vitest), the tests that measure time or
// memory (Vitest, one file at a time), end-to-end tests (Playwright).
// Stops at the first failing stage and exits non-zero.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const stages = [
  ['typecheck', ['run', '-s', 'typecheck']],
  ['lint', ['run', '-s', 'lint']],
  ['unit', ['run', '-s', 'test:unit']],
  ['serial', ['run', '-s', 'test:serial']],
  ['e2e', ['run', '-s', 'test:e2e']],
];

if (!existsSync(chromium)) {
  console.error(
    `npm test: the end-to-end tests need Chromium at ${chromium}.\n` +
      'Install it with:  sudo apt-get install chromium   (Debian/Ubuntu)\n' +
      'or point CHROMIUM_PATH at another Chromium or Chrome binary.',
  );
  process.exit(1);
}

for (const [name, args] of stages) {
  const started = Date.now();
  console.error(`\n== ${name} ==`);
  const r = spawnSync('npm', args, { stdio: 'inherit' });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\nnpm test: stage '${name}' failed after ${secs}s`);
    process.exit(r.status ?? 1);
  }
  console.error(`== ${name} ok (${secs}s) ==`);
}
