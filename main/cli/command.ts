// What one CLI command looks like. Each command lives in its own file under commands/ and is
// listed once in commands/index.ts; the dispatcher in index.ts knows nothing else about it.
import type { ParseArgsConfig } from 'node:util';

/** Where a command writes. `--json` output goes to `out` as one document; logs go to `err`. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Command {
  name: string;
  /** One line for `denoise-lab --help`. */
  summary: string;
  /** Full usage text for `denoise-lab <name> --help`. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Whether positional arguments are accepted. */
  allowPositionals?: boolean;
  /** Returns the process exit code. */
  run(args: { values: Record<string, unknown>; positionals: string[] }, io: CliIO): Promise<number>;
}

/** An error whose message is meant for the user as is (no stack trace): bad input, missing file… */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
