// What every export does when ExifTool cannot serve it (no Perl, or its module fails to load):
// the files are still written, with the basic EXIF subset and colour profile that sharp writes,
// and the log says so once, not once per photo. Each caller makes ExifTool fail its own way
// (a vi.mock of exiftool-vendored, so each needs a test file of its own).
import path from 'node:path';
import sharp from 'sharp';
import { expect, vi } from 'vitest';
import { readImage, writeImage } from '../../main/imaging/codec.js';
import { tempDir } from './temp-dir.js';

export async function expectBasicExifFallback(): Promise<void> {
  const dir = tempDir('imaging-metadata-fallback-');
  const source = path.join(dir, 'source.jpg');
  await sharp({ create: { width: 6, height: 4, channels: 3, background: '#446688' } })
    .withExif({ IFD0: { Make: 'Acme', Artist: 'Ada' } })
    .jpeg()
    .toFile(source);
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const image = await readImage(source);
  for (const name of ['a.jpg', 'b.png']) await writeImage(image, path.join(dir, name));
  expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
    'denoise-lab: ExifTool cannot run (is Perl installed?); exports keep only basic EXIF and the colour profile',
  ]);
  warn.mockRestore();
  const meta = await sharp(path.join(dir, 'a.jpg')).metadata();
  expect(meta.exif?.toString('latin1')).toContain('Acme');
  expect(meta.exif?.toString('latin1')).toContain('Ada');
}
