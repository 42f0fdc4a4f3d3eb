// Temporary folders that hold the user's photos (the web host's uploads, the job service's session
// images) carry their owner's PID in their name, `<prefix><pid>-XXXXXX`, so that a later run can
// remove what a killed one left behind: SIGKILL and power cuts run no exit hook, and "nothing
// leaves your machine" should not mean "copies of your photos stay in /tmp".
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isProcessAlive } from './process-alive.js';

/** A new temp folder `<prefix><pid>-XXXXXX` in `dir`, after removing orphans of the same prefix. */
export function makeOwnedTempDir(prefix: string, dir = tmpdir()): string {
  removeOrphanedTempDirs(prefix, dir);
  return mkdtempSync(path.join(dir, `${prefix}${process.pid}-`));
}

/**
 * Removes the folders `<prefix><pid>-XXXXXX` in `dir` whose process is gone; folders of live
 * processes (this one included) and any other name are left alone. Returns the names removed.
 */
export function removeOrphanedTempDirs(prefix: string, dir = tmpdir()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-\w+$/.exec(name.slice(prefix.length));
    if (!m || Number(m[1]) === process.pid || isProcessAlive(Number(m[1]))) continue;
    rmSync(path.join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
