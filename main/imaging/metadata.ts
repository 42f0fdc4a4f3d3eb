// Copies every metadata block of a photo (EXIF with GPS and maker notes, XMP, IPTC) from the file
// it was read from into the freshly encoded bytes of its denoised version, with ExifTool — the
// reference tool for photo metadata — through exiftool-vendored. sharp alone can only attach a
// hand-picked EXIF subset (see exif.ts) and none to TIFF; that subset stays as the fallback when
// ExifTool cannot run (no Perl on this machine) or the source file is gone.
//
// The copy works on a private temporary copy of the encoded bytes, never on the destination, so
// the caller's atomic write (codec.ts → writeFileAtomic) still puts a complete file or nothing in
// place. One ExifTool process serves the whole process; it starts only when metadata is copied
// (a JPEG that carries none, metadata-sniff.ts, needs no ExifTool) and is ended by endMetadataTool().

import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExifTool } from 'exiftool-vendored';
import { carriesMetadata } from './metadata-sniff.js';

/** What an exported photo keeps of its source's metadata. */
export const METADATA_MODES = ['keep', 'no-gps', 'strip'] as const;
export type MetadataMode = (typeof METADATA_MODES)[number];

export function isMetadataMode(value: unknown): value is MetadataMode {
  return (METADATA_MODES as readonly unknown[]).includes(value);
}

/**
 * `-all:all` copies each writable tag into its own group (EXIF, GPS, maker notes as one block, XMP,
 * IPTC…). Left out: what would lie about the new pixels — the thumbnail (it shows the noisy
 * original), the source's pixel size (autorotation may have swapped it), XMP copies of the pixel
 * layout — and the ICC profile, which the encoder has already written to match the pixels (or left
 * out, for gray pixels). Orientation is reset: the pixels are already upright.
 */
const COPY_ARGS = [
  '-all:all',
  '--IFD1:all',
  '--ThumbnailImage',
  '--PreviewImage',
  '--ICC_Profile:all',
  '--ExifIFD:ExifImageWidth',
  '--ExifIFD:ExifImageHeight',
  '--XMP-exif:PixelXDimension',
  '--XMP-exif:PixelYDimension',
  '--XMP-tiff:ImageWidth',
  '--XMP-tiff:ImageLength',
  '--XMP-tiff:BitsPerSample',
  '--XMP-tiff:Compression',
  '--XMP-tiff:PhotometricInterpretation',
  '--XMP-tiff:SamplesPerPixel',
  '--Orientation',
  '-EXIF:Orientation#=1',
];

/**
 * The location: EXIF's GPS directory and XMP's copies of it (every tag named GPS…), and the IPTC
 * extension's location structures, which hold coordinates too. (`--GPS:all` leaves some behind.)
 */
const NO_GPS_ARGS = ['--GPS*', '--XMP-iptcExt:LocationCreated', '--XMP-iptcExt:LocationShown'];

let tool: Promise<ExifTool | undefined> | undefined;
let warned = false;

function warnOnce(text: string): void {
  if (warned) return;
  warned = true;
  console.warn(`denoise-lab: ${text}`);
}

/** The shared ExifTool, started on first use; undefined when it cannot run here (no Perl). */
function exifTool(): Promise<ExifTool | undefined> {
  tool ??= (async () => {
    let et: ExifTool | undefined;
    try {
      // Loaded here, not at start-up (0.1 s): many commands and photos never need it.
      const { ExifTool } = await import('exiftool-vendored');
      // Idle for 10 s, the process ends (and starts again when needed): a process that is killed
      // hard cannot end it, and ExifTool does not exit on its own when its parent is gone.
      et = new ExifTool({ maxProcs: 1, taskTimeoutMillis: 30_000, maxIdleMsPerProcess: 10_000 });
      await et.version();
      return et;
    } catch {
      await et?.end().catch(() => undefined);
      warnOnce('ExifTool cannot run (is Perl installed?); exports keep only basic EXIF and the colour profile');
      return undefined;
    }
  })();
  return tool;
}

/** An 8×8 grey JPEG (265 bytes): what the warm-up copy writes into. */
const TINY_JPEG = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAUAQEAAAAAAAAAAAAAAAAAAAAA/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AAA//2Q==',
  'base64',
);

/** The warm-up copy in flight, if any: ending the tool waits for it (it removes its own temp folder). */
let warming: Promise<void> | undefined;

/**
 * Starts the shared ExifTool now, for a caller that will copy metadata later: its start then
 * overlaps decoding and denoising instead of adding to the time after them. With `source`, it
 * also copies that photo's metadata once into a tiny JPEG and throws the result away: ExifTool
 * loads its writing modules on the first write (the first copy took 280–300 ms, the next ones
 * about 30 ms, on a 2- and a 12-MP JPEG), and this way that first write is done early too; a
 * `source` with nothing to copy starts nothing (its export will not need the tool). The caller
 * still ends the tool (endMetadataTool).
 */
export function startMetadataTool(source?: string): void {
  if (!source) {
    void exifTool();
    return;
  }
  if (warming) return;
  warming = (async () => {
    const from = await sourceFile(source);
    if (!from || !(await hasMetadataToCopy(from))) return;
    const et = await exifTool();
    if (et) await copyInto(et, from, TINY_JPEG, 'jpg', 'keep').catch(() => undefined);
  })().catch(() => undefined);
}

/** Ends the shared ExifTool process, if one was started (call before the process exits). */
export async function endMetadataTool(): Promise<void> {
  await warming;
  warming = undefined;
  const pending = tool;
  tool = undefined;
  const et = await pending;
  await et?.end();
}

/**
 * `encoded` (a whole image file of type `extension`, e.g. 'jpg') with the metadata of `source`
 * copied in, GPS left out for 'no-gps'. Undefined when there is nothing to copy or the copy cannot
 * be made (source gone, ExifTool unavailable or failing): the caller then keeps what the encoder
 * wrote.
 */
export async function withSourceMetadata(
  source: string,
  encoded: Buffer,
  extension: string,
  mode: Exclude<MetadataMode, 'strip'>,
): Promise<Buffer | undefined> {
  const from = await sourceFile(source);
  if (!from || !(await hasMetadataToCopy(from))) return undefined;
  const et = await exifTool();
  if (!et) return undefined;
  try {
    return await copyInto(et, from, encoded, extension, mode);
  } catch (e) {
    // The full reason goes to the log; the photo is still written with the basic subset.
    console.warn(`denoise-lab: could not copy all metadata from ${path.basename(from)}: ${(e as Error).message}`);
    return undefined;
  }
}

/** The source as an absolute path (so that no name can be read as an ExifTool option), if it is a file. */
async function sourceFile(source: string): Promise<string | undefined> {
  const from = path.resolve(source);
  return (await stat(from).catch(() => undefined))?.isFile() ? from : undefined;
}

/** A JPEG's header fits in its first MiB unless it holds big previews (then it counts as carrying). */
const HEAD_BYTES = 1 << 20;

/** Whether the file `from` holds metadata to copy (metadata-sniff.ts); when it cannot tell, yes. */
async function hasMetadataToCopy(from: string): Promise<boolean> {
  try {
    const handle = await open(from, 'r');
    try {
      const head = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
      return carriesMetadata(head.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch {
    return true;
  }
}

/** `encoded` with the metadata of the file `from` (an absolute path) copied in, through a private temp folder. */
async function copyInto(
  et: ExifTool,
  from: string,
  encoded: Buffer,
  extension: string,
  mode: Exclude<MetadataMode, 'strip'>,
): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'denoise-lab-meta-'));
  try {
    const file = path.join(dir, `image.${extension}`);
    await writeFile(file, encoded);
    await et.write(
      file,
      {},
      {
        writeArgs: [
          '-overwrite_original',
          '-tagsFromFile',
          from,
          ...COPY_ARGS,
          ...(mode === 'no-gps' ? NO_GPS_ARGS : []),
        ],
        ignoreMinorErrors: true,
      },
    );
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
