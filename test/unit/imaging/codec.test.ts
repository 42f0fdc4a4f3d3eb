import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, encodeImage, readImage, writeImage } from '../../../main/imaging/codec.js';
import { exifToSharp } from '../../../main/imaging/exif.js';
import { encodeFloatTiff } from '../../../main/imaging/float-tiff.js';
import { createImage } from '../../../main/imaging/image.js';
import { tempDir } from '../../helpers/temp-dir.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('imaging-codec-');
});

/** A deterministic gradient pattern: 16-bit values that do not survive 8-bit quantisation. */
function pattern16(w: number, h: number, channels: number): Uint16Array {
  const a = new Uint16Array(w * h * channels);
  for (let i = 0; i < a.length; i++) a[i] = (i * 2654435761) % 65536;
  return a;
}

describe('round trips', () => {
  it('16-bit RGB PNG and TIFF keep every 16-bit value', async () => {
    const w = 7;
    const h = 5;
    const src = pattern16(w, h, 3);
    const png = await sharp(src, { raw: { width: w, height: h, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    const img = await decodeImage(png);
    expect([img.width, img.height, img.channels, img.bitDepth]).toEqual([w, h, 3, 16]);
    // planar: channel 1 of pixel 4
    expect(Math.round(img.data[1 * w * h + 4]! * 65535)).toBe(src[4 * 3 + 1]);
    for (const format of ['png', 'tiff'] as const) {
      const back = await decodeImage(await encodeImage(img, format));
      expect(back.bitDepth).toBe(16);
      let maxErr = 0;
      for (let i = 0; i < img.data.length; i++) maxErr = Math.max(maxErr, Math.abs(back.data[i]! - img.data[i]!));
      expect(maxErr * 65535).toBeLessThan(0.5);
    }
  });

  it('8-bit gray stays 1 channel; gray+alpha and RGBA keep alpha exactly', async () => {
    const w = 6;
    const h = 4;
    const ga = new Uint8Array(w * h * 2).map((_, i) => (i * 37) % 256);
    const pngGA = await sharp(ga, { raw: { width: w, height: h, channels: 2 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const g = await decodeImage(pngGA);
    expect([g.channels, g.bitDepth, g.alpha?.length]).toEqual([1, 8, w * h]);
    expect(Math.round(g.alpha![3]! * 255)).toBe(ga[3 * 2 + 1]);
    const back = await decodeImage(await encodeImage(g, 'png'));
    expect(back.channels).toBe(1);
    expect(Array.from(back.alpha!, (v) => Math.round(v * 255))).toEqual(
      Array.from(g.alpha!, (v) => Math.round(v * 255)),
    );
    expect(Array.from(back.data, (v) => Math.round(v * 255))).toEqual(Array.from(g.data, (v) => Math.round(v * 255)));

    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 53) % 256);
    const img = await decodeImage(
      await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
        .png()
        .toBuffer(),
    );
    expect([img.channels, img.alpha?.length]).toEqual([3, w * h]);
    const again = await decodeImage(await encodeImage(img, 'png'));
    expect(Array.from(again.alpha!, (v) => Math.round(v * 255))).toEqual(
      Array.from(img.alpha!, (v) => Math.round(v * 255)),
    );
    expect(Math.round(again.data[2 * w * h + 5]! * 255)).toBe(rgba[5 * 4 + 2]);
  });

  it('EXIF orientation 6 is applied (4×2 stored → 2×4 upright) and the pixel lands where a viewer shows it', async () => {
    // Stored 4 wide, 2 high; a red pixel at stored (0, 0). Orientation 6 = rotate 90° clockwise.
    const raw = new Uint8Array(4 * 2 * 3).fill(0);
    raw[0] = 255;
    const png = await sharp(raw, { raw: { width: 4, height: 2, channels: 3 } })
      .png()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const img = await decodeImage(png);
    expect([img.width, img.height]).toEqual([2, 4]);
    // After a clockwise quarter turn, stored top-left goes to top-right.
    expect(img.data[0 * 8 + 1]).toBeCloseTo(1, 6);
    expect(img.data[0]).toBe(0);
  });

  it('EXIF camera tags are kept when writing JPEG, orientation normalised; stripped on request', async () => {
    const jpg = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#808080' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'Acme', Model: 'X1' }, IFD2: { ExposureTime: '1/100', FNumber: '28/10' } })
      .toBuffer();
    const img = await decodeImage(jpg);
    expect(exifToSharp(img.meta.exif!)).toMatchObject({
      IFD0: { Make: 'Acme', Model: 'X1' },
      IFD2: { ExposureTime: '1/100', FNumber: '28/10' },
    });
    const out = await encodeImage(img, 'jpeg');
    const meta = await sharp(out).metadata();
    expect(exifToSharp(meta.exif!)).toMatchObject({
      IFD0: { Make: 'Acme', Model: 'X1' },
      IFD2: { ExposureTime: '1/100' },
    });
    expect(meta.orientation ?? 1).toBe(1);
    const stripped = await sharp(await encodeImage(img, 'jpeg', { metadata: 'strip' })).metadata();
    expect(stripped.exif).toBeUndefined();
  });

  it('ICC-tagged (Display P3) input is converted to sRGB and written back with its profile', async () => {
    // sRGB pure red, stored in P3 coordinates with the P3 profile embedded.
    const p3 = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .withIccProfile('p3')
      .png()
      .toBuffer();
    const stored = await sharp(p3, { ignoreIcc: true }).raw().toBuffer();
    expect(stored[0]).toBeLessThan(245); // P3 red coordinates differ from sRGB's
    const img = await decodeImage(p3);
    expect(img.meta.icc).toBeDefined();
    expect(Math.round(img.data[0]! * 255)).toBeGreaterThanOrEqual(254);
    expect(Math.round(img.data[16]! * 255)).toBeLessThanOrEqual(1);
    const out = await encodeImage(img, 'png');
    const meta = await sharp(out).metadata();
    expect(meta.icc?.subarray(36, 40).toString('latin1')).toBe('acsp');
    const storedOut = await sharp(out, { ignoreIcc: true }).raw().toBuffer();
    expect(Math.abs(storedOut[0]! - stored[0]!)).toBeLessThanOrEqual(2); // same profile, same coordinates
  });

  it('decodes JPEG, WebP (lossless), TIFF, AVIF and the first GIF frame', async () => {
    const base = sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 200, g: 100, b: 50 } } });
    const cases: Array<[string, Buffer, number]> = [
      ['jpeg', await base.clone().jpeg({ quality: 95 }).toBuffer(), 3],
      ['webp', await base.clone().webp({ lossless: true }).toBuffer(), 0],
      ['tiff', await base.clone().tiff({ compression: 'lzw' }).toBuffer(), 0],
      ['heif', await base.clone().avif({ lossless: true }).toBuffer(), 3],
      ['gif', await base.clone().gif().toBuffer(), 4],
    ];
    for (const [format, bytes, tol] of cases) {
      const img = await decodeImage(bytes);
      expect(img.meta.format).toBe(format);
      expect([img.width, img.height, img.channels]).toEqual([16, 12, 3]);
      const px = [0, 1, 2].map((c) => Math.round(img.data[c * 16 * 12 + 50]! * 255));
      for (const [k, want] of [200, 100, 50].entries()) expect(Math.abs(px[k]! - want)).toBeLessThanOrEqual(tol);
    }
  });

  it('float TIFF writer: sharp reads back a 32-bit float image of the right shape', async () => {
    const data = new Float32Array(3 * 4 * 5).map((_, i) => i * 9.5 - 100);
    const buf = encodeFloatTiff(data, 5, 4, 3);
    const meta = await sharp(buf).metadata();
    expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([5, 4, 3, 'float']);
    // The first pixel's samples sit at the data offset, interleaved: R0 G0 B0.
    const offset = buf.length - 4 * data.length;
    expect([buf.readFloatLE(offset), buf.readFloatLE(offset + 4), buf.readFloatLE(offset + 8)]).toEqual([
      data[0],
      data[20],
      data[40],
    ]);
  });

  it('float TIFF from our own writer reads back exactly, on the 0–255 scale and unclipped (was near black)', async () => {
    // RGB and grey, values outside 0–255 as `noise --no-clip` writes them.
    for (const channels of [3, 1] as const) {
      const data = new Float32Array(channels * 4 * 5).map((_, i) => ((i * 37) % 300) - 20.25);
      const img = await decodeImage(encodeFloatTiff(data, 5, 4, channels));
      expect([img.width, img.height, img.channels, img.bitDepth]).toEqual([5, 4, channels, 16]);
      for (let i = 0; i < data.length; i++) expect(img.data[i]! * 255).toBeCloseTo(data[i]!, 3);
    }
  });

  it('float TIFF on the 0–1 scale (other tools) is read as 0–1; NaN samples are refused', async () => {
    const data = new Float32Array(3 * 2 * 2).map((_, i) => i / 11);
    const img = await decodeImage(encodeFloatTiff(data, 2, 2, 3));
    for (let i = 0; i < data.length; i++) expect(img.data[i]).toBeCloseTo(data[i]!, 6);
    await expect(
      decodeImage(encodeFloatTiff(Float32Array.of(1, NaN, 3, 4), 2, 2, 1), { source: 'n.tif' }),
    ).rejects.toThrow('n.tif: the image holds NaN or infinite sample values; it cannot be used');
  });
});

describe('formats refused by name', () => {
  /** An ISO-BMFF ftyp box with the given brands, and a meta box header: what an HEIC file starts with. */
  const heif = (major: string, ...compatible: string[]) => {
    const ftyp = Buffer.alloc(16 + 4 * compatible.length);
    ftyp.writeUInt32BE(ftyp.length, 0);
    ftyp.write('ftyp', 4, 'latin1');
    ftyp.write(major, 8, 'latin1');
    compatible.forEach((b, i) => ftyp.write(b, 16 + 4 * i, 'latin1'));
    const meta = Buffer.alloc(64);
    meta.writeUInt32BE(64, 0);
    meta.write('meta', 4, 'latin1');
    return Buffer.concat([ftyp, meta]);
  };

  it('HEIC (brand heic, or mif1 with heic) is refused with the HEIC sentence, not called corrupt', async () => {
    for (const bytes of [heif('heic', 'mif1', 'heic'), heif('mif1', 'mif1', 'heic', 'miaf')]) {
      await expect(decodeImage(bytes, { source: 'IMG_0001.HEIC' })).rejects.toThrow(
        'IMG_0001.HEIC: HEIC is not supported by this build; convert to JPEG or PNG',
      );
    }
    // The same container with AVIF brands is not HEIC: a broken AVIF is called what it is.
    await expect(decodeImage(heif('avif', 'mif1', 'avif'), { source: 'x.avif' })).rejects.toThrow(/x\.avif: (?!HEIC)/);
  });

  it('an SVG (even named .png) is not read as a photo', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>',
    );
    await expect(decodeImage(svg, { source: 'logo.png' })).rejects.toThrow(
      /^logo\.png: SVG is not a photo format this app reads \(it reads JPEG, PNG, WebP, TIFF, AVIF, GIF\)/,
    );
  });
});

describe('writing', () => {
  it('never overwrites unless asked; leaves no temp files', async () => {
    const img = createImage(4, 4, 3);
    const file = path.join(dir, 'once.png');
    await writeImage(img, file);
    await expect(writeImage(img, file)).rejects.toThrow(/already exists/);
    img.data.fill(1);
    await writeImage(img, file, { onClash: 'replace' });
    const back = await readImage(file);
    expect(back.data[0]).toBe(1);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('refuses 16 bits in JPEG and NaN pixels', async () => {
    const img = createImage(4, 4, 1);
    await expect(encodeImage(img, 'jpeg', { bitDepth: 16 })).rejects.toThrow(/cannot store 16 bits/);
    img.data[3] = NaN;
    await expect(encodeImage(img, 'png')).rejects.toThrow(/NaN/);
  });
});

/** A PNG whose IHDR declares the given size, with almost no data behind it. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('bad-input corpus (made here)', () => {
  it('each bad file gives its own clear error', async () => {
    const bad = path.join(dir, 'bad');
    mkdirSync(bad);
    const jpg = await sharp({ create: { width: 64, height: 64, channels: 3, background: 'blue' } })
      .jpeg()
      .toBuffer();
    writeFileSync(path.join(bad, 'empty.png'), Buffer.alloc(0));
    writeFileSync(path.join(bad, 'truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length / 2)));
    writeFileSync(path.join(bad, 'garbage.png'), Buffer.from('this is not an image at all, just some bytes'.repeat(4)));
    writeFileSync(path.join(bad, 'huge.png'), pngHeaderOnly(100000, 100000));
    mkdirSync(path.join(bad, 'folder.png'));
    await expect(readImage(path.join(bad, 'empty.png'))).rejects.toThrow(/empty\.png: empty file \(0 bytes\)/);
    await expect(readImage(path.join(bad, 'truncated.jpg'))).rejects.toThrow(
      /truncated\.jpg: corrupt or truncated image data/,
    );
    await expect(readImage(path.join(bad, 'garbage.png'))).rejects.toThrow(/garbage\.png: not a readable PNG file/);
    await expect(readImage(path.join(bad, 'huge.png'))).rejects.toThrow(
      /huge\.png: this image is 10000 megapixels \(100000×100000\); the limit is 200\. If this is intended, raise it with --max-megapixels\./,
    );
    await expect(readImage(path.join(bad, 'folder.png'))).rejects.toThrow(
      /folder\.png: is a folder, not an image file/,
    );
    await expect(readImage(path.join(bad, 'missing.png'))).rejects.toThrow(/missing\.png: no such file/);
    // A configurable limit: a 10×10 image against a 50-pixel limit.
    const small = await sharp({ create: { width: 10, height: 10, channels: 3, background: 'red' } })
      .png()
      .toBuffer();
    await expect(decodeImage(small, { limitInputPixels: 50, limitHint: 'Ask.' })).rejects.toThrow(
      /this image is 0\.0001 megapixels \(10×10\); the limit is 0\.00005\. Ask\./,
    );
  });

  it('a 1×1 image decodes and round-trips', async () => {
    const one = await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 10, g: 20, b: 30 } } })
      .png()
      .toBuffer();
    const img = await decodeImage(one);
    expect([img.width, img.height]).toEqual([1, 1]);
    expect(Array.from(img.data, (v) => Math.round(v * 255))).toEqual([10, 20, 30]);
  });

  it('an unwritable output path fails clearly and leaves nothing behind', async () => {
    const img = createImage(4, 4, 3);
    const blocker = path.join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    await expect(writeImage(img, path.join(blocker, 'out.png'))).rejects.toThrow(
      /cannot write, .*a-file is not a folder/,
    );
    await expect(writeImage(img, path.join(dir, 'no-such-dir', 'out.png'))).rejects.toThrow(/folder .* does not exist/);
    await expect(writeImage(img, path.join(dir, 'bad'))).rejects.toThrow(/cannot tell the output format/);
    expect(readFileSync(blocker, 'utf8')).toBe('x');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
