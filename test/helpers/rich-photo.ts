// Photos carrying every kind of metadata an export must keep or drop, made with ExifTool itself:
// EXIF (camera, artist, a maker note, GPS), XMP (a title, GPS mirrored in exif and IPTC-extension
// form), IPTC keywords (not in WebP, which has no IPTC block), a Display P3 profile, Orientation 6
// (stored landscape, shown portrait). And a reader giving tags as "Group:Tag" → number or text.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';

export type PhotoFormat = 'jpeg' | 'png' | 'webp' | 'tiff';
export const PHOTO_FORMATS: { format: PhotoFormat; ext: string; iptc: boolean }[] = [
  { format: 'jpeg', ext: 'jpg', iptc: true },
  { format: 'png', ext: 'png', iptc: true },
  { format: 'webp', ext: 'webp', iptc: false },
  { format: 'tiff', ext: 'tif', iptc: true },
];

export const MAKER_NOTE = 'ACME-MAKER-NOTE-0123456789';
export const LATITUDE = 48.8584;

/** Writes `<dir>/<stem>.<ext>`: `width`×`height` stored pixels with all the metadata above. */
export async function richPhoto(
  et: ExifTool,
  dir: string,
  stem: string,
  format: PhotoFormat,
  { width = 8, height = 4 } = {},
): Promise<string> {
  const spec = PHOTO_FORMATS.find((f) => f.format === format)!;
  const file = path.join(dir, `${stem}.${spec.ext}`);
  // A gradient, so that a denoiser has something to do and the orientation can be seen.
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) raw.set([(i * 7) % 256, (i * 3) % 256, 128], i * 3);
  const pixels = sharp(raw, { raw: { width, height, channels: 3 } }).withIccProfile('p3');
  await pixels[format]().toFile(file);
  const makerNote = path.join(dir, `${stem}.makernote`);
  await writeFile(makerNote, MAKER_NOTE);
  await et.write(
    file,
    {},
    {
      writeArgs: [
        '-overwrite_original',
        '-Make=Acme',
        '-Model=Test Camera',
        '-Artist=Ada',
        `-MakerNotes<=${makerNote}`,
        `-GPSLatitude=${LATITUDE}`,
        '-GPSLatitudeRef=N',
        '-GPSLongitude=2.2945',
        '-GPSLongitudeRef=E',
        `-XMP-exif:GPSLatitude=${LATITUDE}N`,
        `-XMP-iptcExt:LocationCreatedGPSLatitude=${LATITUDE}N`,
        '-XMP-dc:Title=Eiffel at dusk',
        `-ExifIFD:ExifImageWidth=${width}`,
        `-ExifIFD:ExifImageHeight=${height}`,
        ...(spec.iptc ? ['-IPTC:Keywords=tower'] : []),
        '-Orientation#=6',
      ],
      ignoreMinorErrors: true,
    },
  );
  return file;
}

/** Every tag of `file` as "Group:Tag" (family 1 groups), numbers as numbers. */
export function readTags(et: ExifTool, file: string): Promise<Record<string, unknown>> {
  return et.read(file, { readArgs: ['-G1', '-n', '-a'] }) as Promise<Record<string, unknown>>;
}

/** The tags that say where the photo was taken. */
export const locationTags = (tags: Record<string, unknown>) => Object.keys(tags).filter((k) => /GPS/i.test(k));
