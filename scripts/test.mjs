// `npm test`: typecheck and lint (side by side: each is one busy process, and there are two
// cores), then unit + integration tests (Vitest), the tests that measure time or memory (Vitest,
// one file at a time), end-to-end tests (Playwright).
// Stops at the first failing stage and exits non-zero.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Each entry is one stage; an entry of several runs them at the same time. */
const stages = [
  [
    ['typecheck', ['run', '-s', 'typecheck']],
    ['lint', ['run', '-s', 'lint']],
  ],
  [['unit', ['run', '-s', 'test:unit']]],
  [['serial', ['run', '-s', 'test:serial']]],
  [['e2e', ['run', '-s', 'test:e2e']]],
];

if (!existsSync(chromium)) {
  console.error(
    `npm test: the end-to-end tests need Chromium at ${chromium}.\n` +
      'Install it with:  sudo apt-get install chromium   (Debian/Ubuntu)\n' +
      'or point CHROMIUM_PATH at another Chromium or Chrome binary.',
  );
  process.exit(1);
}

/** Runs one step with its output collected, so that two side by side do not interleave. */
function collected(name, args) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (status) => resolve({ name, status, output, secs: (Date.now() - started) / 1000 }));
  });
}

for (const stage of stages) {
  let results;
  if (stage.length === 1) {
    const [name, args] = stage[0];
    const started = Date.now();
    console.error(`\n== ${name} ==`);
    const r = spawnSync('npm', args, { stdio: 'inherit' });
    results = [{ name, status: r.status, output: '', secs: (Date.now() - started) / 1000 }];
  } else {
    console.error(`\n== ${stage.map(([name]) => name).join(' + ')} ==`);
    results = await Promise.all(stage.map(([name, args]) => collected(name, args)));
  }
  for (const r of results) {
    if (r.output) process.stderr.write(`-- ${r.name} --\n${r.output}`);
    if (r.status !== 0) {
      console.error(`\nnpm test: stage '${r.name}' failed after ${r.secs.toFixed(1)}s`);
      process.exit(r.status ?? 1);
    }
    console.error(`== ${r.name} ok (${r.secs.toFixed(1)}s) ==`);
  }
}
