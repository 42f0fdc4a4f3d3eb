import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeOwnedTempDir, removeOrphanedTempDirs } from '../../../main/files/owned-temp-dir.js';
import { UPLOADS_PREFIX } from '../../../main/host/server.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('temp folders with the user’s photos that a killed process left behind', () => {
  it('are removed by the next run: only the exact pattern, only when their process is gone', () => {
    const dir = tempDir('dl-owned-');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its PID names no process
    const names = {
      orphan: `${UPLOADS_PREFIX}${dead}-a1B2c3`,
      ours: `${UPLOADS_PREFIX}${process.pid}-d4E5f6`,
      parent: `${UPLOADS_PREFIX}${process.ppid}-g7H8i9`,
      unnumbered: `${UPLOADS_PREFIX}x1Y2z3`,
      otherPrefix: `denoise-lab-session-${dead}-j1K2l3`,
    };
    for (const name of Object.values(names)) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'photo.jpg'), 'the user photo');
    }
    expect(removeOrphanedTempDirs(UPLOADS_PREFIX, dir)).toEqual([names.orphan]);
    const left = Object.values(names).filter((n) => n !== names.orphan);
    expect(readdirSync(dir).sort()).toEqual(left.sort());

    // Making a new one sweeps first, and names it with this process's PID.
    const made = makeOwnedTempDir('denoise-lab-session-', dir);
    expect(path.basename(made)).toMatch(new RegExp(`^denoise-lab-session-${process.pid}-\\w{6}$`));
    expect(readdirSync(dir)).not.toContain(names.otherPrefix);
  });
});
