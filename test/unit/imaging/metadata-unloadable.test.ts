// ExifTool's module is loaded when metadata is first copied, not at start-up. Should it fail to
// load (a broken install), exports go on as they do without Perl: the basic EXIF subset sharp
// writes, and one line in the log, never a failed export.
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readImage, writeImage } from '../../../main/imaging/codec.js';
import { endMetadataTool } from '../../../main/imaging/metadata.js';
import { tempDir } from '../../helpers/temp-dir.js';

vi.mock('exiftool-vendored', () => {
  throw new Error('Cannot find module exiftool-vendored.pl');
});

afterAll(() => endMetadataTool());

describe('metadata when ExifTool cannot be loaded', () => {
  it('exports with the basic EXIF subset and one warning', async () => {
    const dir = tempDir('imaging-metadata-unloadable-');
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
  });
});
