// Dispatches `denoise-lab <command> [options]`. Kept free of process globals so tests can call it.
import { parseArgs } from 'node:util';
import { commands } from './commands/index.js';
import { UsageError, type CliIO, type Command } from './command.js';
import { version } from '../files/app-version.js';
import { joinNegativeValues } from './options.js';
import { endMetadataTool } from '../imaging/metadata.js';

function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `denoise-lab ${version}: clean noise out of photos with autoencoders, and train your own.`,
    '',
    'Usage: denoise-lab <command> [options]',
    '',
    'Commands:',
    ...(lines.length ? lines : ['  (none yet)']),
    '',
    'Options:',
    '  -h, --help     show help (also after a command: denoise-lab <command> --help)',
    '  -v, --version  print the version',
    '',
    'Commands that take --json print one JSON document on stdout (train prints JSON lines);',
    'logs and progress go to stderr.',
  ].join('\n');
}

/**
 * Runs one command line. `available` is the app's command list; the dev-only benchmarks (bench/)
 * pass their own, so they parse options and report errors exactly as the app does without being
 * part of it.
 */
export async function runCli(argv: string[], io: CliIO, available: readonly Command[] = commands): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.out(mainHelp(available) + '\n');
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    io.out(`${version}\n`);
    return 0;
  }
  const command = available.find((c) => c.name === first);
  if (!command) {
    io.err(`denoise-lab: unknown command '${first}'. Run 'denoise-lab --help' for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage.trimEnd() + '\n');
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(rest, (name) => command.options[name]?.type === 'string'),
      options: command.options,
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (e) {
    // One line, not the whole usage text: the mistake stays visible, and --help is one step away.
    const what = (e as Error).message.split('. ')[0]!.replace(/\.$/, '');
    io.err(`denoise-lab ${command.name}: ${what}; see 'denoise-lab ${command.name} --help'\n`);
    return 2;
  }
  try {
    return await command.run(parsed as { values: Record<string, unknown>; positionals: string[] }, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`denoise-lab ${command.name}: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    io.err(`denoise-lab ${command.name}: ${err.message}\n`);
    if (process.env.DENOISE_LAB_DEBUG) io.err(`${err.stack ?? ''}\n`);
    return 1;
  } finally {
    // The ExifTool process (started only if a photo was written with metadata) must not outlive us.
    await endMetadataTool();
  }
}
