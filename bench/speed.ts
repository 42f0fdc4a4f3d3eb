// Entry point of `npm run bench` (built to out/bench/speed.js): training and inference speed of the
// reference workload next to PyTorch (ref-dae.ts), parsed and reported like a CLI command.
import { runCli } from '../main/cli/run-cli.js';
import { benchCommand } from './ref-dae.js';

const code = await runCli(
  ['bench', ...process.argv.slice(2)],
  {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
  [benchCommand],
);
process.exitCode = code;
