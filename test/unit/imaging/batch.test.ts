import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { planBatch } from '../../../main/imaging/batch.js';
import { loadImageFolder } from '../../../main/ml/train/datasets.js';
import { tempDir } from '../../helpers/temp-dir.js';

let dir: string;

beforeAll(() => {
  // Only names matter to the plan: nothing is decoded.
  dir = tempDir('imaging-batch-');
  mkdirSync(path.join(dir, 'in/sub/deeper'), { recursive: true });
  for (const f of ['b.PNG', 'a.jpeg', 'sub/c.gif', 'sub/deeper/d.tif', 'sub/notes.txt', 'sub/e.webp'])
    writeFileSync(path.join(dir, 'in', f), 'x');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('planBatch', () => {
  it('walks folders recursively in byte order, skips non-images, keeps the structure; GIF becomes PNG', async () => {
    const input = path.join(dir, 'in');
    const plan = await planBatch([input], 'out');
    expect(plan.map((p) => [path.relative(input, p.input), p.rel, p.output, p.format])).toEqual([
      ['a.jpeg', 'a.jpeg', path.join('out', 'a.jpeg'), 'jpeg'],
      ['b.PNG', 'b.PNG', path.join('out', 'b.PNG'), 'png'],
      ['sub/c.gif', 'sub/c.gif', path.join('out', 'sub/c.png'), 'png'],
      ['sub/deeper/d.tif', 'sub/deeper/d.tif', path.join('out', 'sub/deeper/d.tif'), 'tiff'],
      ['sub/e.webp', 'sub/e.webp', path.join('out', 'sub/e.webp'), 'webp'],
    ]);
  });

  it('an asked format renames every output; a file or missing input is planned by its base name', async () => {
    const missing = path.join(dir, 'nowhere/lost.png');
    const plan = await planBatch([path.join(dir, 'in/sub'), missing], 'o', 'webp');
    expect(plan.map((p) => [p.output, p.format])).toEqual([
      [path.join('o', 'c.webp'), 'webp'],
      [path.join('o', 'deeper/d.webp'), 'webp'],
      [path.join('o', 'e.webp'), 'webp'],
      [path.join('o', 'lost.webp'), 'webp'],
    ]);
    expect(plan[3]).toMatchObject({ input: missing, rel: 'lost.png' });
  });

  it('follows symbolic links to files and folders, once each, and stops at a link back to a parent', async () => {
    const root = path.join(dir, 'links');
    mkdirSync(path.join(root, 'real'), { recursive: true });
    writeFileSync(path.join(root, 'real/p.png'), 'x');
    symlinkSync(path.join(root, 'real/p.png'), path.join(root, 'linked.png')); // link to a file
    symlinkSync(path.join(root, 'real'), path.join(root, 'zz-folder')); // a second way into real/
    symlinkSync('..', path.join(root, 'real/up')); // loop: real/up/real/up/…
    symlinkSync(path.join(root, 'gone.png'), path.join(root, 'broken.png')); // planned, fails when read
    const plan = await planBatch([root], 'out');
    expect(plan.map((p) => p.rel)).toEqual(['broken.png', 'linked.png', 'real/p.png']);
    // Deterministic: the same plan again.
    expect((await planBatch([root], 'out')).map((p) => p.rel)).toEqual(plan.map((p) => p.rel));
  });
});

describe('an output folder inside the input folder', () => {
  it("is not searched: a second run does not take the first run's results as inputs", async () => {
    const root = path.join(dir, 'nested');
    mkdirSync(path.join(root, 'clean/sub'), { recursive: true });
    writeFileSync(path.join(root, 'a.png'), 'x');
    writeFileSync(path.join(root, 'clean/a.png'), 'x'); // the first run's result
    writeFileSync(path.join(root, 'clean/sub/b.png'), 'x');
    const plan = await planBatch([root], path.join(root, 'clean'));
    expect(plan.map((p) => p.rel)).toEqual(['a.png']);
  });
});

describe('training folders list files the same way (one walker)', () => {
  it('a symlinked image is used for training; sub-folders are not searched', async () => {
    const root = path.join(dir, 'train');
    mkdirSync(path.join(root, 'sub'), { recursive: true });
    const png = (v: number) =>
      sharp({ create: { width: 8, height: 8, channels: 3, background: { r: v, g: v, b: v } } })
        .png()
        .toBuffer();
    writeFileSync(path.join(dir, 'outside.png'), await png(200));
    writeFileSync(path.join(root, 'sub/ignored.png'), await png(10));
    symlinkSync(path.join(dir, 'outside.png'), path.join(root, 'link.png'));
    symlinkSync(root, path.join(root, 'self')); // a loop that a recursive walk would have to stop
    const ds = await loadImageFolder(root, { patch: 8, channels: 1, augment: false });
    expect(ds.description).toMatch(/^train\/ \(1 image,/);
    const out = new Float32Array(64);
    ds.sample(0, out, new Rng(1));
    expect(out[0]).toBeCloseTo(200 / 255, 5);
  });
});
