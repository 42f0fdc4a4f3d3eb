import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBatch } from '../../../main/imaging/batch.js';
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
});
