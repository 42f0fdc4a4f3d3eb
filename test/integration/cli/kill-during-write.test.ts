// kill -9 while a file is being written, then run the same command again: the folder holds no
// stray temporary file, and every target is either absent or complete (never half-written).
// Deterministic: the child is stopped (SIGSTOP) the moment its temporary file appears, the file is
// checked to be still there, and only then killed; if the write had already finished, the child
// goes on (SIGCONT) to its next write.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, watch } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../../main/ml/train/checkpoint.js';
import { importEngineModel } from '../../../main/ml/model-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

const bin = path.resolve('bin/denoise-lab.js');
const TEMP = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Runs the CLI and kills it with SIGKILL while one of its temporary files exists in `dir`; returns
 * that file's name. A run whose writes all finished before the watcher saw them (a very fast disk)
 * is tried again, up to three times.
 */
async function killDuringWrite(args: string[], dir: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const caught = await tryKillDuringWrite(args, dir);
    if (caught) return caught;
    if (attempt === 3) throw new Error('the command ended three times before any of its temporary files was caught');
  }
}

function tryKillDuringWrite(args: string[], dir: string): Promise<string | null> {
  // With the huge-page tunable already set, bin/ runs the command in this very process (no launcher
  // between: test/integration/cli/launcher.test.ts covers that), so the pid names its temp files.
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
    stdio: 'ignore',
    env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' },
  });
  return new Promise((resolve) => {
    let caught: string | null = null;
    const watcher = watch(dir, (_event, name) => {
      if (caught || !name || TEMP.exec(name)?.[1] !== String(child.pid)) return;
      child.kill('SIGSTOP');
      if (existsSync(path.join(dir, name))) {
        caught = name;
        child.kill('SIGKILL');
      } else child.kill('SIGCONT');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', () => {
      watcher.close();
      clearTimeout(timer);
      resolve(caught);
    });
  });
}

const temps = (dir: string) => readdirSync(dir).filter((n) => TEMP.test(n));

describe('kill -9 during a write, then run again', () => {
  it('denoise: outputs are absent or whole, and the rerun leaves no temporary file', async () => {
    const root = tempDir('dl-kill-');
    const input = path.join(root, 'in');
    const out = path.join(root, 'out');
    mkdirSync(input);
    mkdirSync(out);
    // Random pixels do not compress: ~2 MB PNGs, so each write takes a while.
    for (let i = 0; i < 6; i++) {
      const px = Buffer.alloc(800 * 800 * 3);
      for (let j = 0; j < px.length; j++) px[j] = (j * 2654435761 + i * 97) >>> 24;
      await sharp(px, { raw: { width: 800, height: 800, channels: 3 } })
        .png({ compressionLevel: 0 })
        .toFile(path.join(input, `p${i}.png`));
    }
    const args = [
      'denoise',
      input,
      '--out',
      out,
      '--model',
      path.resolve('test/fixtures/imaging/models/blur5_rgb.onnx'),
      '--sigma',
      '10',
      '--overwrite',
      // This test is about the write. With metadata kept, the killed CLI's ExifTool would be left
      // behind (a SIGKILL runs no cleanup, and ExifTool never exits on its own).
      '--metadata',
      'strip',
    ];
    const stale = await killDuringWrite(args, out);
    expect(temps(out)).toEqual([stale]);
    const checkWhole = async () => {
      for (const n of readdirSync(out).filter((f) => !TEMP.test(f))) {
        const { info } = await sharp(path.join(out, n)).raw().toBuffer({ resolveWithObject: true });
        expect([info.width, info.height]).toEqual([800, 800]);
      }
    };
    await checkWhole();

    await promisify(execFile)(process.execPath, [bin, ...args], { timeout: 30_000 });
    expect(temps(out)).toEqual([]);
    expect(readdirSync(out).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `p${i}.png`));
    await checkWhole();
  });

  it('train: the checkpoint is absent or whole, and the rerun leaves no temporary file', async () => {
    const out = tempDir('dl-kill-');
    const ck = path.join(out, 'ck.bin');
    const model = path.join(out, 'm.onnx');
    // 132k parameters with Adam's two slots: 1.6 MB checkpoints, one every 100 steps.
    const args = [
      'train',
      '--arch',
      'dense:64-1024-64',
      '--data',
      'digits',
      '--steps',
      '1000',
      '--checkpoint',
      ck,
      '--out',
      model,
    ];
    const stale = await killDuringWrite(args, out);
    expect(temps(out)).toEqual([stale]);
    if (existsSync(ck)) expect((await readCheckpoint(ck)).state.step % 100).toBe(0);

    await promisify(execFile)(process.execPath, [bin, ...args.slice(0, 6), '200', ...args.slice(7)], {
      timeout: 30_000,
    });
    expect(temps(out)).toEqual([]);
    expect((await readCheckpoint(ck)).state.step).toBe(200);
    expect(importEngineModel(readFileSync(model), model).params.size).toBeGreaterThan(0);
  });
});
