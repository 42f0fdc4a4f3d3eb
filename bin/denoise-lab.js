#!/usr/bin/env node
// The `denoise-lab` command. The CLI is built into out/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../out/cli/index.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('denoise-lab: the CLI is not built yet; run `npm install` (or `npm run build`) first.\n');
  process.exit(2);
}
await import(entry);
