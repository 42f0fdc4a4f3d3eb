// A fresh, empty folder under the system's temporary folder for one test file or test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function tempDir(prefix = 'dl-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}
