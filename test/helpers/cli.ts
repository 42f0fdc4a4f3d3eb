// Runs the CLI in-process, as `denoise-lab <argv…>` would, and collects what it writes: tests of
// the commands need no build and see the exit code, stdout and stderr separately.
import { runCli } from '../../main/cli/run-cli.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function cli(...argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}
