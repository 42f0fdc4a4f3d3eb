#!/usr/bin/env node
// The `denoise-lab` command. The CLI is built into out/ by `npm install` (the prepare script).
// On Linux the heavy commands run in a second process that backs its memory with huge pages
// (main/cli/huge-pages.ts says why); this one then only passes streams and signals on.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../out/cli/index.js', import.meta.url));
const launcher = fileURLToPath(new URL('../out/cli/huge-pages.js', import.meta.url));
if (!existsSync(entry) || !existsSync(launcher)) {
  process.stderr.write('denoise-lab: the CLI is not built yet; run `npm install` (or `npm run build`) first.\n');
  process.exit(2);
}
const { wantsHugePages, relaunchWithHugePages, followLauncher } = await import(launcher);
const args = process.argv.slice(2);
if (wantsHugePages(args, process.env)) await relaunchWithHugePages(fileURLToPath(import.meta.url), args);
followLauncher();
await import(entry);
