// Every metadata block of a photo survives export in every format: EXIF (with GPS and maker notes),
// XMP, IPTC and the ICC profile, orientation reset to 1 (the pixels are upright), the size true to
// the new pixels; 'no-gps' drops only the location, 'strip' everything. Sources are made here with
// ExifTool itself and the results read back with it. One ExifTool process serves the whole file.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, writeImage } from '../../../main/imaging/codec.js';
import { endMetadataTool, startMetadataTool } from '../../../main/imaging/metadata.js';
import { cli } from '../../helpers/cli.js';
import { locationTags, MAKER_NOTE, PHOTO_FORMATS, readTags, richPhoto } from '../../helpers/rich-photo.js';
import { tempDir } from '../../helpers/temp-dir.js';

const BLUR = path.resolve('test/fixtures/imaging/models/blur5_rgb.onnx');
const et = new ExifTool({ maxProcs: 1 });
let dir: string;
const read = (file: string) => readTags(et, file);

const sources: Record<string, string> = {};
beforeAll(async () => {
  dir = tempDir('imaging-metadata-');
  for (const f of PHOTO_FORMATS) sources[f.format] = await richPhoto(et, dir, `source-${f.format}`, f.format);
  // The sources really carry what the tests look for (else a test could pass on nothing).
  const src = await read(sources.jpeg!);
  expect(src['IFD0:Orientation']).toBe(6);
  expect(src['GPS:GPSLatitude']).toBeCloseTo(48.8584, 4);
  expect(src['ExifIFD:MakerNoteUnknownText']).toBe(MAKER_NOTE);
}, 30_000);

afterAll(async () => {
  await et.end();
  await endMetadataTool();
});

describe.each(PHOTO_FORMATS)('$format', ({ format, ext, iptc }) => {
  it('keeps EXIF with GPS and maker notes, XMP, IPTC and ICC; orientation 1, size of the new pixels', async () => {
    const image = await readImage(sources[format]!);
    expect([image.width, image.height]).toEqual([4, 8]); // turned upright
    const out = await writeImage(image, path.join(dir, `keep-${format}.${ext}`));
    const tags = await read(out);
    expect(tags['IFD0:Make']).toBe('Acme');
    expect(tags['IFD0:Artist']).toBe('Ada');
    expect(tags['ExifIFD:MakerNoteUnknownText']).toBe(MAKER_NOTE);
    expect(tags['GPS:GPSLatitude']).toBeCloseTo(48.8584, 4);
    expect(tags['GPS:GPSLongitude']).toBeCloseTo(2.2945, 4);
    expect(tags['XMP-dc:Title']).toBe('Eiffel at dusk');
    expect(tags['XMP-exif:GPSLatitude']).toBeCloseTo(48.8584, 4);
    if (iptc) expect(tags['IPTC:Keywords']).toBe('tower');
    expect(String(tags['ICC_Profile:ProfileDescription'])).toMatch(/P3/);
    expect(tags['IFD0:Orientation']).toBe(1);
    // The source's EXIF size (8×4, before turning) would lie; the encoder's own, if any, is true.
    expect(tags['ExifIFD:ExifImageWidth'] ?? 4).toBe(4);
    expect(tags['ExifIFD:ExifImageHeight'] ?? 8).toBe(8);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([4, 8]);
    expect(meta.orientation ?? 1).toBe(1);
  });

  it('no-gps keeps everything but the location', async () => {
    const image = await readImage(sources[format]!);
    const tags = await read(await writeImage(image, path.join(dir, `nogps-${format}.${ext}`), { metadata: 'no-gps' }));
    expect(locationTags(tags)).toEqual([]);
    expect(tags['IFD0:Make']).toBe('Acme');
    expect(tags['XMP-dc:Title']).toBe('Eiffel at dusk');
    expect(tags['ExifIFD:MakerNoteUnknownText']).toBe(MAKER_NOTE);
  });

  it('strip writes no EXIF, XMP, IPTC or profile', async () => {
    const image = await readImage(sources[format]!);
    const tags = await read(await writeImage(image, path.join(dir, `strip-${format}.${ext}`), { metadata: 'strip' }));
    // A TIFF's IFD0 also holds its own structure (size, strips…), so look for the copied tags.
    const kept = Object.keys(tags).filter(
      (k) => /^(ExifIFD|GPS|XMP|IPTC|ICC)/.test(k) || /:(Make|Model|Artist)$/.test(k),
    );
    expect(kept).toEqual([]);
    expect(tags['IFD0:Orientation'] ?? 1).toBe(1); // libvips marks its TIFFs upright
  });
});

describe('the warm-up copy (startMetadataTool with a source)', () => {
  it('copies once into a throw-away file, leaves no temp folder, and the next copy is whole', async () => {
    // A temp folder of this test's own: CLI tests running beside it copy metadata too, and their
    // folders, in the shared one, came and went while this test looked.
    const own = tempDir('imaging-metadata-tmp-');
    const shared = process.env.TMPDIR;
    process.env.TMPDIR = own;
    try {
      const metaDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('denoise-lab-meta-'));
      expect(tmpdir()).toBe(own);
      startMetadataTool(sources.jpeg!);
      // Ending at once waits for the warm-up, which removes its own folder.
      await endMetadataTool();
      expect(metaDirs()).toEqual([]);
      startMetadataTool(sources.jpeg!);
      const out = await writeImage(await readImage(sources.jpeg!), path.join(dir, 'after-warm-up.jpg'));
      const tags = await read(out);
      expect(tags['ExifIFD:MakerNoteUnknownText']).toBe(MAKER_NOTE);
      expect(tags['GPS:GPSLatitude']).toBeCloseTo(48.8584, 4);
      expect(tags['IFD0:Orientation']).toBe(1);
      await endMetadataTool();
      expect(metaDirs()).toEqual([]);
    } finally {
      if (shared === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = shared;
    }
  });
});

describe('a photo that carries no metadata', () => {
  it('is written as the encoder wrote it: ExifTool adds no EXIF block of its own', async () => {
    // ExifTool, asked to copy from such a photo, still wrote an EXIF block (Orientation 1).
    const source = path.join(dir, 'plain.jpg');
    await sharp({ create: { width: 8, height: 4, channels: 3, background: { r: 40, g: 90, b: 160 } } })
      .jpeg()
      .toFile(source);
    expect((await sharp(source).metadata()).exif).toBeUndefined();
    startMetadataTool(source);
    const out = await writeImage(await readImage(source), path.join(dir, 'plain-out.jpg'));
    const tags = await read(out);
    expect(Object.keys(tags).filter((k) => /^(IFD0|ExifIFD|XMP|IPTC)/.test(k))).toEqual([]);
    expect((await sharp(out).metadata()).exif).toBeUndefined();
    await endMetadataTool();
  });
});

describe('the CLI', () => {
  it('denoise --metadata no-gps copies all but GPS into a TIFF; nothing else is left in the folder', async () => {
    const out = tempDir('imaging-metadata-cli-');
    const r = await cli(
      'denoise',
      sources.tiff!,
      '--out',
      path.join(out, 'clean.tif'),
      '--model',
      BLUR,
      '--metadata',
      'no-gps',
    );
    expect(r.err).not.toMatch(/warn/i);
    expect(r.code).toBe(0);
    const tags = await read(path.join(out, 'clean.tif'));
    expect(tags['IFD0:Make']).toBe('Acme');
    expect(tags['XMP-dc:Title']).toBe('Eiffel at dusk');
    expect(locationTags(tags)).toEqual([]);
    expect(tags['IFD0:Orientation']).toBe(1);
    expect(readdirSync(out)).toEqual(['clean.tif']);
  });

  it('an existing output: refused with the way out, kept both with --keep-both, replaced with --overwrite', async () => {
    const out = tempDir('imaging-metadata-cli-');
    const target = path.join(out, 'clean.png');
    const run = (...extra: string[]) =>
      cli('denoise', sources.png!, '--out', target, '--model', BLUR, '--json', ...extra);
    expect((await run()).code).toBe(0);
    const refused = await run();
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      `${target}: already exists; add --overwrite to replace it or --keep-both to keep both`,
    );
    const both = await run('--keep-both');
    expect(JSON.parse(both.out).files[0].output).toBe(path.join(out, 'clean (2).png'));
    expect((await run('--overwrite')).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['clean (2).png', 'clean.png']);
    expect((await run('--overwrite', '--keep-both')).code).toBe(2);
  });

  it('refuses an unknown --metadata value in one line', async () => {
    const r = await cli(
      'denoise',
      sources.png!,
      '--out',
      path.join(dir, 'x.png'),
      '--model',
      BLUR,
      '--metadata',
      'some',
    );
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([
      'denoise-lab denoise: --metadata some: expected one of keep, no-gps, strip',
    ]);
  });
});
