// Entry point of `npm run bench:growth` (built to out/bench/growth.js): how denoise time, peak
// memory and training step time grow with the work (growth-curve.ts), parsed and reported like a
// CLI command.
import { runCli } from '../main/cli/run-cli.js';
import { growthCommand } from './growth-curve.js';

const code = await runCli(
  ['growth', ...process.argv.slice(2)],
  {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
  [growthCommand],
);
process.exitCode = code;
