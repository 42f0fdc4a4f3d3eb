// The app version, read from package.json once so there is a single source of truth.
import { readFileSync } from 'node:fs';
import { packageRoot } from './app-paths.js';
import path from 'node:path';

export const version: string = (
  JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;
