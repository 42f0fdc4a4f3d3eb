// Carries a photo's EXIF from the file it was read from to the file written after denoising.
// sharp can only attach EXIF to freshly made pixels as an object of strings keyed by IFD
// (`withExif({ IFD0: { Make: 'Acme' } })`), so we read the source's EXIF block and turn the tags
// people care about (camera, lens, exposure, dates, copyright) into that form. Orientation is left
// out on purpose: the pixels are already upright. GPS and maker notes are not copied.

import type { Exif } from 'sharp';

type Ifd = 'IFD0' | 'IFD2';

/** Tag id → libexif name (what libvips looks names up by), per IFD. */
const TAGS: Record<Ifd, Record<number, string>> = {
  IFD0: {
    0x010e: 'ImageDescription',
    0x010f: 'Make',
    0x0110: 'Model',
    0x011a: 'XResolution',
    0x011b: 'YResolution',
    0x0128: 'ResolutionUnit',
    0x0131: 'Software',
    0x0132: 'DateTime',
    0x013b: 'Artist',
    0x8298: 'Copyright',
  },
  IFD2: {
    0x829a: 'ExposureTime',
    0x829d: 'FNumber',
    0x8822: 'ExposureProgram',
    0x8827: 'ISOSpeedRatings',
    0x9003: 'DateTimeOriginal',
    0x9004: 'DateTimeDigitized',
    0x9201: 'ShutterSpeedValue',
    0x9202: 'ApertureValue',
    0x9204: 'ExposureBiasValue',
    0x9205: 'MaxApertureValue',
    0x9207: 'MeteringMode',
    0x9209: 'Flash',
    0x920a: 'FocalLength',
    0xa403: 'WhiteBalance',
    0xa405: 'FocalLengthIn35mmFilm',
    0xa431: 'BodySerialNumber',
    0xa433: 'LensMake',
    0xa434: 'LensModel',
  },
};

const EXIF_IFD_POINTER = 0x8769;

/**
 * The supported tags of an EXIF block (with or without the "Exif\0\0" prefix) as sharp's `Exif`
 * object: ASCII as text, SHORT/LONG as integers, (S)RATIONAL as "num/den". Returns undefined for
 * a block it cannot parse (EXIF is then simply not copied; the pixels are what matter).
 */
export function exifToSharp(block: Buffer): Exif | undefined {
  let tiff = block;
  if (tiff.subarray(0, 6).toString('latin1') === 'Exif\0\0') tiff = tiff.subarray(6);
  if (tiff.length < 8) return undefined;
  const order = tiff.subarray(0, 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const i32 = (o: number) => (le ? tiff.readInt32LE(o) : tiff.readInt32BE(o));
  const result: Exif = {};
  let exifIfdOffset: number | undefined;

  const readIfd = (offset: number, ifd: Ifd) => {
    if (offset + 2 > tiff.length) return;
    const count = u16(offset);
    const out: Record<string, string> = {};
    for (let k = 0; k < count; k++) {
      const e = offset + 2 + 12 * k;
      if (e + 12 > tiff.length) break;
      const tag = u16(e);
      const type = u16(e + 2);
      const n = u32(e + 4);
      if (ifd === 'IFD0' && tag === EXIF_IFD_POINTER) exifIfdOffset = u32(e + 8);
      const name = TAGS[ifd][tag];
      if (!name || n === 0) continue;
      const size = ({ 2: 1, 3: 2, 4: 4, 5: 8, 10: 8 } as Record<number, number>)[type];
      if (!size) continue;
      const at = size * n <= 4 ? e + 8 : u32(e + 8);
      if (at + size * n > tiff.length) continue;
      if (type === 2)
        out[name] = tiff
          .subarray(at, at + n)
          .toString('latin1')
          .replace(/\0+$/, '');
      else if (type === 3) out[name] = String(u16(at));
      else if (type === 4) out[name] = String(u32(at));
      else if (type === 5) out[name] = `${u32(at)}/${u32(at + 4)}`;
      else out[name] = `${i32(at)}/${i32(at + 4)}`;
    }
    if (Object.keys(out).length) result[ifd] = out;
  };

  try {
    readIfd(u32(4), 'IFD0');
    if (exifIfdOffset !== undefined) readIfd(exifIfdOffset, 'IFD2');
  } catch {
    return undefined;
  }
  return Object.keys(result).length ? result : undefined;
}
