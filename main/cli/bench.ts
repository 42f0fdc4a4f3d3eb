// Entry point of `npm run bench` (built to out/cli/bench.js): the same as `denoise-lab bench`.
import { runCli } from './run-cli.js';

const code = await runCli(['bench', ...process.argv.slice(2)], {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
process.exitCode = code;
