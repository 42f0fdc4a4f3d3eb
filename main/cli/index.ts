// Entry point of the `denoise-lab` CLI (built to out/cli/index.js).
import { runCli } from './run-cli.js';

const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
process.exitCode = code;
