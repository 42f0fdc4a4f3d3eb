// A JPEG's quality read from its own quantisation tables: what the camera model's noise estimate
// corrects by (compression hides the fine grain of the noise).
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage } from '../../../main/imaging/codec.js';
import { compressJpeg } from '../../../main/imaging/camera/index.js';
import { createImage } from '../../../main/imaging/image.js';
import { jpegQuality } from '../../../main/imaging/jpeg-quality.js';

const source = () => sharp({ create: { width: 48, height: 32, channels: 3, background: { r: 90, g: 140, b: 200 } } });

describe('JPEG quality from the quantisation tables', () => {
  it('reads back the quality libjpeg was given, 30 to 98', async () => {
    for (const q of [30, 50, 60, 75, 85, 90, 95, 98]) {
      const bytes = await source().jpeg({ quality: q }).toBuffer();
      expect(jpegQuality(bytes), `quality ${q}`).toBeCloseTo(q, 0);
    }
  });

  it('reads mozjpeg tables (not the standard ones) as a lower equivalent quality', async () => {
    const standard = jpegQuality(await source().jpeg({ quality: 75 }).toBuffer())!;
    const moz = jpegQuality(await source().jpeg({ quality: 75, mozjpeg: true }).toBuffer())!;
    expect(moz).toBeGreaterThan(50);
    expect(moz).toBeLessThan(standard);
  });

  it('reads 16-bit tables, and answers null for what is not a JPEG or is cut short', async () => {
    const bytes = await source().jpeg({ quality: 80 }).toBuffer();
    // Rewrite the first DQT's luminance table as 16-bit entries (the same values).
    const at = bytes.indexOf(Buffer.from([0xff, 0xdb]));
    const length = bytes.readUInt16BE(at + 2);
    const tables: Buffer[] = [];
    for (let t = at + 4; t < at + 2 + length; t += 65) {
      const id = bytes[t]! & 0x0f;
      const wide = Buffer.alloc(129);
      wide[0] = 0x10 | id;
      for (let i = 0; i < 64; i++) wide.writeUInt16BE(bytes[t + 1 + i]!, 1 + 2 * i);
      tables.push(wide);
    }
    const body = Buffer.concat(tables);
    const header = Buffer.from([0xff, 0xdb, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
    const wide = Buffer.concat([bytes.subarray(0, at), header, body, bytes.subarray(at + 2 + length)]);
    expect(jpegQuality(wide)).toBe(jpegQuality(bytes));
    expect(jpegQuality(wide)).toBeCloseTo(80, 0);

    expect(jpegQuality(await source().png().toBuffer())).toBeNull();
    expect(jpegQuality(new Uint8Array(0))).toBeNull();
    expect(jpegQuality(bytes.subarray(0, at + 20))).toBeNull();
  });

  it('is recorded when a JPEG is decoded, and by the camera simulator JPEG step', async () => {
    const jpeg = await decodeImage(await source().jpeg({ quality: 70 }).toBuffer());
    expect(jpeg.meta.jpegQuality).toBeCloseTo(70, 0);
    const png = await decodeImage(await source().png().toBuffer());
    expect(png.meta.jpegQuality).toBeUndefined();
    // The simulator's JPEG: the pixels now come from a JPEG of that quality, whatever the source.
    const photo = { ...createImage(40, 24, 3), meta: { format: 'jpeg', jpegQuality: 95 } };
    expect((await compressJpeg(photo, 65)).meta.jpegQuality).toBeCloseTo(65, 0);
    // Encoding keeps no stale quality of its own (the written file is read for its own tables).
    const again = await decodeImage(await encodeImage(jpeg, 'jpeg', { quality: 90, metadata: 'strip' }));
    expect(again.meta.jpegQuality).toBeCloseTo(90, 0);
  });
});
