// Which JPEGs carry nothing an export would copy with ExifTool: only a header of pixel coding, a
// colour profile and an empty JFIF. Everything else (EXIF, XMP, comments, a JFIF with a physical
// size, other formats, damage) counts as carrying, so that ExifTool still sees it.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { carriesMetadata } from '../../../main/imaging/metadata-sniff.js';

const pixels = () => sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 40, g: 90, b: 160 } } });
const plain = async () => new Uint8Array(await pixels().jpeg().toBuffer());

/** `jpeg` with a segment (marker, then its body) inserted right after SOI. */
function withSegment(jpeg: Uint8Array, marker: number, body: Uint8Array): Uint8Array {
  const length = body.length + 2;
  const segment = new Uint8Array([0xff, marker, length >> 8, length & 0xff, ...body]);
  return new Uint8Array([...jpeg.subarray(0, 2), ...segment, ...jpeg.subarray(2)]);
}

/** A JFIF APP0 body: version 1.01, density units, X and Y density, thumbnail width and height. */
function jfif(units: number, x: number, y: number, thumb = 0): Uint8Array {
  const thumbBytes = new Uint8Array(3 * thumb * thumb);
  return new Uint8Array([
    0x4a,
    0x46,
    0x49,
    0x46,
    0,
    1,
    1,
    units,
    x >> 8,
    x & 255,
    y >> 8,
    y & 255,
    thumb,
    thumb,
    ...thumbBytes,
  ]);
}

const ascii = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

describe('carriesMetadata', () => {
  it('a JPEG of pixels alone carries nothing; with sharp’s EXIF it does', async () => {
    expect(carriesMetadata(await plain())).toBe(false);
    expect(carriesMetadata(new Uint8Array(await pixels().withMetadata().jpeg().toBuffer()))).toBe(true);
  });

  it('a colour profile and an empty JFIF header are pixel coding, not metadata', async () => {
    const withProfile = new Uint8Array(await pixels().withIccProfile('p3').jpeg().toBuffer());
    expect(carriesMetadata(withProfile)).toBe(false);
    expect(carriesMetadata(withSegment(await plain(), 0xe0, jfif(0, 1, 1)))).toBe(false);
  });

  it('a JFIF with a physical size, other pixel shapes or a thumbnail carries something', async () => {
    const jpeg = await plain();
    expect(carriesMetadata(withSegment(jpeg, 0xe0, jfif(1, 300, 300)))).toBe(true);
    expect(carriesMetadata(withSegment(jpeg, 0xe0, jfif(0, 2, 1)))).toBe(true);
    expect(carriesMetadata(withSegment(jpeg, 0xe0, jfif(0, 1, 1, 2)))).toBe(true);
  });

  it('a comment, XMP, IPTC, an Adobe block or MPF carries something', async () => {
    const jpeg = await plain();
    expect(carriesMetadata(withSegment(jpeg, 0xfe, ascii('made by hand')))).toBe(true);
    expect(carriesMetadata(withSegment(jpeg, 0xe1, ascii('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>')))).toBe(true);
    expect(carriesMetadata(withSegment(jpeg, 0xed, ascii('Photoshop 3.0\0')))).toBe(true);
    expect(carriesMetadata(withSegment(jpeg, 0xee, ascii('Adobe\0')))).toBe(true);
    expect(carriesMetadata(withSegment(jpeg, 0xe2, ascii('MPF\0')))).toBe(true);
  });

  it('fill bytes before a marker are skipped', async () => {
    const jpeg = await plain();
    expect(carriesMetadata(new Uint8Array([0xff, 0xd8, 0xff, 0xff, ...jpeg.subarray(2)]))).toBe(false);
  });

  it('what cannot be read counts as carrying: other formats, empty, truncated or damaged headers', async () => {
    const jpeg = await plain();
    expect(carriesMetadata(new Uint8Array(await pixels().png().toBuffer()))).toBe(true);
    expect(carriesMetadata(new Uint8Array(0))).toBe(true);
    const sos = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xda);
    expect(sos).toBeGreaterThan(2);
    expect(carriesMetadata(jpeg.subarray(0, sos))).toBe(true); // the header cut before the first scan
    const damaged = jpeg.slice();
    damaged[2] = 0x00; // no marker where the first segment starts
    expect(carriesMetadata(damaged)).toBe(true);
    expect(carriesMetadata(withSegment(jpeg, 0xe1, new Uint8Array(0)).subarray(0, 5))).toBe(true);
  });
});
