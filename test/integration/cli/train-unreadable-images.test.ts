// One corrupt photo in a training folder used to abort the whole run. Now unreadable files are
// skipped with a warning and counted; only a folder with nothing readable fails, in one line.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImageFolder } from '../../../main/ml/train/datasets.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const crops = path.resolve('test/fixtures/imaging/crops');

/** A folder with two good 96×96 photos, a truncated PNG and an empty "JPEG". */
function mixedFolder(): string {
  const dir = tempDir('dl-unreadable-');
  copyFileSync(path.join(crops, 'camera_crop.png'), path.join(dir, 'a.png'));
  copyFileSync(path.join(crops, 'astronaut_crop.png'), path.join(dir, 'b.png'));
  const png = readFileSync(path.join(crops, 'camera_crop.png'));
  writeFileSync(path.join(dir, 'c-truncated.png'), png.subarray(0, png.length >> 1));
  writeFileSync(path.join(dir, 'd-empty.jpg'), '');
  return dir;
}

describe('training on a folder with unreadable images', () => {
  it('the dataset leaves them out and lists them', async () => {
    const ds = await loadImageFolder(mixedFolder(), { patch: 16, channels: 1 });
    expect(ds.skipped.map((s) => s.name)).toEqual(['c-truncated.png', 'd-empty.jpg']);
    expect(ds.skipped.every((s) => s.reason.includes(s.name))).toBe(true);
    // Two 96×96 images give 2 × 6 × 6 non-overlapping 16×16 patches per epoch.
    expect(ds.length).toBe(72);
    expect(ds.description).toMatch(/\(2 images, 16×16 patches; 2 unreadable skipped\)$/);
  });

  it('the CLI trains on the rest, warns once per file and counts them in --json', async () => {
    const dir = mixedFolder();
    const out = path.join(tempDir(), 'm.onnx');
    const r = await cli(
      'train',
      '--arch',
      'dncnn-gray',
      '--data',
      dir,
      '--patch',
      '16',
      '--batch',
      '2',
      '--steps',
      '1',
      '--out',
      out,
      '--json',
    );
    expect(r.code).toBe(0);
    const warnings = r.err.split('\n').filter((l) => l.includes('warning: skipped'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('c-truncated.png');
    expect(warnings[1]).toContain('d-empty.jpg');
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    const summary = JSON.parse(r.out.trim().split('\n').at(-1)!) as { done: boolean; skippedImages: number };
    expect(summary).toMatchObject({ done: true, skippedImages: 2 });
  });

  it('fails in one line when no image is readable', async () => {
    const dir = tempDir('dl-unreadable-');
    writeFileSync(path.join(dir, 'x.png'), 'not a png');
    writeFileSync(path.join(dir, 'y.jpg'), '');
    const r = await cli(
      'train',
      '--arch',
      'dncnn-gray',
      '--data',
      dir,
      '--steps',
      '1',
      '--out',
      path.join(dir, 'm.onnx'),
    );
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`${dir}: none of its 2 image files could be read`);
  });
});
