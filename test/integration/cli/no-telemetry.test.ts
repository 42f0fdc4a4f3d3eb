// "Nothing leaves your machine": a real `denoise-lab denoise` and a short `train`, each in a fresh
// process whose home, XDG folders and temporary folder are empty folders of this test, write
// nothing but their outputs. (onnxruntime-node used to leave a device id and a SQLite queue of
// telemetry events in ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ on every run.)
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp-dir.js';

const run = promisify(execFile);
const bin = path.resolve('bin/denoise-lab.js');
const crops = path.resolve('test/fixtures/imaging/crops');

/** Every file and folder under `root`, relative to it, sorted. */
function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const p = path.join(rel, e.name);
    out.push(e.isDirectory() ? `${p}/` : p);
    if (e.isDirectory()) out.push(...walk(root, p));
  }
  return out.sort();
}

/** Runs the CLI with a home of its own; returns the root holding home/, tmp/, in/ and out/. */
async function isolatedCli(args: (root: string) => string[]): Promise<string> {
  const root = tempDir('dl-telemetry-');
  for (const d of ['home', 'tmp', 'in', 'out']) mkdirSync(path.join(root, d));
  for (const f of ['camera_crop.png', 'astronaut_crop.png'])
    copyFileSync(path.join(crops, f), path.join(root, 'in', f));
  const home = path.join(root, 'home');
  await run(process.execPath, [bin, ...args(root)], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      USERPROFILE: home,
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local/share'),
      TMPDIR: path.join(root, 'tmp'),
    },
    timeout: 30_000,
  });
  return root;
}

const inputs = ['in/', 'in/astronaut_crop.png', 'in/camera_crop.png'];

describe('no telemetry, no stray files', () => {
  it('a CLI denoise writes only its output', async () => {
    const root = await isolatedCli((r) => [
      'denoise',
      path.join(r, 'in/camera_crop.png'),
      '--out',
      path.join(r, 'out/clean.png'),
      '--model',
      path.resolve('test/fixtures/imaging/models/blur5_gray.onnx'),
    ]);
    expect(walk(root)).toEqual(['home/', ...inputs, 'out/', 'out/clean.png', 'tmp/']);
  });

  it('a CLI training on a folder writes only its model and checkpoint', async () => {
    const root = await isolatedCli((r) => [
      'train',
      '--arch',
      'dncnn-gray',
      '--data',
      path.join(r, 'in'),
      '--patch',
      '16',
      '--batch',
      '2',
      '--steps',
      '2',
      '--out',
      path.join(r, 'out/model.onnx'),
      '--checkpoint',
      path.join(r, 'out/run.ckpt'),
    ]);
    const outs = walk(root).filter((p) => !inputs.includes(p));
    expect(outs).toEqual([
      'home/',
      'out/',
      'out/model.onnx',
      'out/run.ckpt',
      'out/run.ckpt.index.json',
      'out/run.step-2.ckpt',
      'tmp/',
    ]);
  });
});
