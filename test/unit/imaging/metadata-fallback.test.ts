// Without Perl, ExifTool cannot run: exports still keep the basic EXIF and the colour profile that
// sharp writes, and the log says so once (not once per photo).
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readImage, writeImage } from '../../../main/imaging/codec.js';
import { endMetadataTool } from '../../../main/imaging/metadata.js';
import { tempDir } from '../../helpers/temp-dir.js';

vi.mock('exiftool-vendored', () => ({
  ExifTool: class {
    version = () => Promise.reject(new Error('spawn perl ENOENT'));
    end = () => Promise.resolve();
    write = () => Promise.reject(new Error('must not be called'));
  },
}));

afterAll(() => endMetadataTool());

describe('metadata without ExifTool', () => {
  it('falls back to the basic EXIF subset with one warning', async () => {
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
  });
});
