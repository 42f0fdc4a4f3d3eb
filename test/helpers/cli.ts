// Runs the CLI in-process, as `denoise-lab <argv…>` would, and collects what it writes: tests of
// the commands need no build and see the exit code, stdout and stderr separately.
import { runCli } from '../../main/cli/run-cli.js';
import type { Command } from '../../main/cli/command.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function cli(...argv: string[]): Promise<CliRun> {
  return runWith(argv);
}

/** A dev-only command (bench/) run as its npm script does: parsed and reported like the CLI's own. */
export async function devCli(command: Command, ...argv: string[]): Promise<CliRun> {
  return runWith(argv, [command]);
}

async function runWith(argv: string[], commands?: Command[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) }, commands);
  return { code, out, err };
}
