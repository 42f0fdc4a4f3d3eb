// A taken name: cancel refuses with 'exists' and leaves the file alone, replace replaces, keep-both
// takes the first free "name (n)" — also when writers race for the same names.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { numberedModelName, writeFileOnClash } from '../../../main/files/clash.js';
import { tempDir } from '../../helpers/temp-dir.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('writeFileOnClash', () => {
  it('cancel refuses with the code exists; replace replaces; nothing else is left', async () => {
    const dir = tempDir('clash-');
    const file = path.join(dir, 'photo.png');
    writeFileSync(file, 'old');
    await expect(writeFileOnClash(file, bytes('new'), 'cancel')).rejects.toMatchObject({ code: 'exists' });
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(await writeFileOnClash(file, bytes('new'), 'replace')).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['photo.png']);
  });

  it('keep-both takes the first free numbered name, and racing writers never share one', async () => {
    const dir = tempDir('clash-');
    const file = path.join(dir, 'photo.png');
    writeFileSync(file, 'first');
    writeFileSync(path.join(dir, 'photo (3).png'), 'third');
    expect(await writeFileOnClash(file, bytes('second'), 'keep-both')).toBe(path.join(dir, 'photo (2).png'));
    const racers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => writeFileOnClash(file, bytes(`racer ${i}`), 'keep-both')),
    );
    expect(racers.map((f) => path.basename(f)).sort()).toEqual([
      'photo (4).png',
      'photo (5).png',
      'photo (6).png',
      'photo (7).png',
      'photo (8).png',
      'photo (9).png',
    ]);
    // Each racer's bytes are under the name it was told, and the files that were there are intact.
    racers.forEach((f, i) => expect(readFileSync(f, 'utf8')).toBe(`racer ${i}`));
    expect(readFileSync(file, 'utf8')).toBe('first');
    expect(readFileSync(path.join(dir, 'photo (3).png'), 'utf8')).toBe('third');
    expect(readdirSync(dir)).toHaveLength(9); // no temporary files
  });

  it('models are numbered without spaces (their names become ids)', () => {
    expect(numberedModelName('/m/tiny-dncnn.onnx', 2)).toBe('/m/tiny-dncnn-2.onnx');
  });
});
