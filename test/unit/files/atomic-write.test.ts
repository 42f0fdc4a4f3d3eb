import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileWriteError, removeStaleTempFiles, writeFileAtomic } from '../../../main/files/atomic-write.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** The PID of a process that has exited (spawned and waited for). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

afterEach(() => vi.restoreAllMocks());

describe('writeFileAtomic', () => {
  it('writes the bytes, leaves no temporary file, and refuses to overwrite unless asked', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.bin');
    await writeFileAtomic(file, Buffer.from('one'));
    const err = await writeFileAtomic(file, Buffer.from('two')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileWriteError);
    expect((err as FileWriteError).code).toBe('exists');
    expect((err as Error).message).toBe(
      `${file}: already exists (refusing to overwrite; ask for overwrite explicitly)`,
    );
    await writeFileAtomic(file, Buffer.from('three'), { overwrite: true });
    expect(readFileSync(file, 'utf8')).toBe('three');
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  it('flushes the temporary file to the disk before the name points at it, then the folder', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'b.bin');
    const probe = await open(path.join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const targetExistedAtSync: boolean[] = [];
    const original = proto.sync;
    vi.spyOn(proto, 'sync').mockImplementation(function (this: unknown) {
      targetExistedAtSync.push(existsSync(file));
      return original.call(this);
    });
    await writeFileAtomic(file, Buffer.from('data'));
    // First the temporary file (the target does not exist yet), then the folder (it does).
    expect(targetExistedAtSync).toEqual([false, true]);
  });

  it('removes temporary files that dead writers left in the folder, and nothing else', async () => {
    const dir = tempDir();
    const dead = deadPid();
    const stale = `.photo.png.${dead}.0a1b2c3d.tmp`;
    const mine = `.photo.png.${process.pid}.deadbeef.tmp`; // this PID, but not being written: a reused PID
    const live = `.photo.png.${process.ppid}.0a1b2c3d.tmp`; // a live writer's
    const others = ['.photo.png.tmp', `photo.png.${dead}.0a1b2c3d.tmp`, `.photo.png.${dead}.0A1B2C3D.tmp`, 'keep.png'];
    for (const n of [stale, mine, live, ...others]) writeFileSync(path.join(dir, n), 'x');
    await writeFileAtomic(path.join(dir, 'out.png'), Buffer.from('png'));
    expect(readdirSync(dir).sort()).toEqual([live, ...others, 'out.png'].sort());
    // Asked directly, with nothing stale left, it removes nothing.
    expect(await removeStaleTempFiles(dir)).toEqual([]);
  });

  it('keeps its message when the folder is missing', async () => {
    const file = path.join(tempDir(), 'no', 'c.bin');
    await expect(writeFileAtomic(file, Buffer.from('x'))).rejects.toThrow(
      `${file}: cannot write, folder ${path.dirname(file)} does not exist`,
    );
  });
});
