// Photo files ↔ `Image`, through sharp (libvips). Reading: EXIF orientation applied, embedded ICC
// profiles converted to sRGB, 16-bit sources kept at 16 bits, 32-bit float TIFFs kept unclipped,
// gray kept gray, alpha kept apart, first frame of animations (an animated GIF is read as its first
// frame); only photo formats (not SVG, PDF…), and HEIC refused by name when it cannot be decoded.
// Writing: PNG 8/16, JPEG, WebP, AVIF, TIFF 8/16, with the source's metadata by default
// (metadata.ts), atomically, never over an existing file unless asked.

import { readFile, realpath, stat, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { isInside } from '../files/path-inside.js';
import { writeFileOnClash, type ClashPolicy } from '../files/clash.js';
import { ImagingError } from '../../common/errors.js';
import { exifToSharp } from './exif.js';
import { withSourceMetadata, type MetadataMode } from './metadata.js';
import { isHeic } from './sniff.js';
import type { Image } from './image.js';
import { jpegQuality } from './jpeg-quality.js';

/** Default decoding limit: 200 megapixels (a 24-MP photo is far below; a decompression bomb is not). */
export const DEFAULT_PIXEL_LIMIT = 200_000_000;

export interface ReadOptions {
  /** Refuse images with more pixels than this (default 200 MP), from the header, before decoding. */
  limitInputPixels?: number;
  /** The refusal's last sentence: how to raise the limit where the image was opened. */
  limitHint?: string;
  /**
   * Folders (real paths) the file must lie in once links are followed: the app's doors read only
   * what the user shared, and a link inside a shared folder may point anywhere. Absent: anywhere.
   */
  within?: readonly string[];
}

/** Reads and decodes an image file. Every failure is an ImagingError naming the file. */
export async function readImage(file: string, opts: ReadOptions = {}): Promise<Image> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new ImagingError(
      'not-found',
      `${file}: ${STAT_ERRORS[e.code ?? ''] ?? `cannot open (${e.code ?? e.message})`}`,
    );
  });
  if (st.isDirectory()) throw new ImagingError('not-a-file', `${file}: is a folder, not an image file`);
  if (!st.isFile()) throw new ImagingError('not-a-file', `${file}: is not a regular file`);
  if (st.size === 0) throw new ImagingError('empty', `${file}: empty file (0 bytes), not an image`);
  if (opts.within) {
    const real = await realpath(file);
    if (!opts.within.some((root) => isInside(root, real)))
      throw new ImagingError(
        'outside',
        `${file}: a link to a file outside the shared folders; it was not read. Share the folder it points to as well.`,
      );
  }
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new ImagingError('not-found', `${file}: ${cannotRead(e)}`);
  });
  return decodeImage(bytes, { ...opts, source: file });
}

/** Why a file cannot be read, in words (the system's own messages repeat the path and syscall). */
export function cannotRead(e: NodeJS.ErrnoException): string {
  return STAT_ERRORS[e.code ?? ''] ?? `cannot read (${e.code ?? e.message})`;
}

const STAT_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied; check the file permissions',
  EPERM: 'permission denied; check the file permissions',
  ELOOP: 'a loop of symbolic links, no file at the end',
  ENOTDIR: 'no such file (a part of the path is not a folder)',
  ENAMETOOLONG: 'the file name is too long',
};

/** The decoder's formats that are photos; `heif` is AVIF (HEIC needs an HEVC decoder, see sniff.ts). */
const PHOTO_FORMATS = new Set(['jpeg', 'png', 'webp', 'tiff', 'heif', 'gif']);
const SUPPORTED = 'JPEG, PNG, WebP, TIFF, AVIF, GIF';
const HEIC_REFUSAL = 'HEIC is not supported by this build; convert to JPEG or PNG';

const EXTENSION_FORMATS: Record<string, string> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.avif': 'heif',
  '.heic': 'heif',
  '.gif': 'gif',
};

/** Decodes image bytes (format sniffed from the content, not the name). */
export async function decodeImage(bytes: Buffer, opts: ReadOptions & { source?: string } = {}): Promise<Image> {
  const source = opts.source ?? 'image';
  const limit = opts.limitInputPixels ?? DEFAULT_PIXEL_LIMIT;
  if (bytes.length === 0) throw new ImagingError('empty', `${source}: empty file (0 bytes), not an image`);

  let meta: Metadata;
  try {
    // Header only and without sharp's own limit, so a giant image is reported with its real size.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw decodeError(source, e, bytes);
  }
  if (!PHOTO_FORMATS.has(meta.format ?? ''))
    throw new ImagingError(
      'unsupported',
      `${source}: ${String(meta.format).toUpperCase()} is not a photo format this app reads (it reads ${SUPPORTED}); convert it to PNG`,
    );
  const { width, height } = meta;
  if (!width || !height) throw new ImagingError('corrupt', `${source}: the image header gives no size`);
  if (width * height > limit)
    throw new ImagingError(
      'too-large',
      `${source}: this image is ${megapixels(width * height)} megapixels (${width}×${height}); the limit is ` +
        `${megapixels(limit)}. ${opts.limitHint ?? 'If this is intended, raise it with --max-megapixels.'}`,
    );

  const gray = meta.space === 'b-w' || meta.space === 'grey16';
  const sixteen = !(meta.depth === 'uchar' || meta.depth === 'char');
  // Float samples (32-bit float TIFF) are taken as stored: no cast to integers (which read the
  // 0–255 values of `noise --no-clip` as 0–255 out of 65535, i.e. black), no gamma (libvips labels
  // float RGB as linear scRGB, but these are ordinary sRGB values), no clipping.
  const float = meta.depth === 'float' || meta.depth === 'double';
  // Gray always goes through grey16: libvips' 8-bit 'b-w' conversion drops the alpha channel.
  // An 8-bit v becomes 257·v, so v/255 is recovered exactly.
  const wide = sixteen || gray;
  const colourspace = float
    ? gray
      ? 'b-w'
      : meta.space === 'srgb'
        ? 'srgb'
        : 'scrgb'
    : gray
      ? 'grey16'
      : sixteen
        ? 'rgb16'
        : 'srgb';
  let raw: { data: Buffer; info: OutputInfo };
  const decoding = sharp(bytes, { limitInputPixels: limit, autoOrient: true, failOn: 'error' })
    .toColourspace(colourspace)
    .raw({ depth: float ? 'float' : wide ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  // While libvips decodes on its own thread, this one makes the planes and touches their pages: on
  // this project's machines a page's first touch costs about 11 µs (0.4 s for a 12-MP photo's
  // 144 MB), and the decode, about as long, hides it. Only while it lasts: a file whose header
  // promises pixels it does not hold fails at once, and must not be paid for in memory first.
  const colour: 1 | 3 = gray ? 1 : 3;
  const planes = new Float32Array(colour * width * height);
  let decoded = false;
  const settle = () => (decoded = true);
  decoding.then(settle, settle);
  await touchWhile(planes, () => !decoded);
  try {
    raw = await decoding;
  } catch (e) {
    throw decodeError(source, e, bytes);
  }

  const { info } = raw;
  const stride = info.channels;
  if (stride !== colour && stride !== colour + 1)
    throw new ImagingError('unsupported', `${source}: unexpected channel layout (${stride} channels)`);
  const n = info.width * info.height;
  const samples = float
    ? floatSamples(raw.data, source)
    : wide
      ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.length / 2)
      : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  const scale = float ? floatScale(samples as Float32Array) : 1 / (wide ? 65535 : 255);
  // The header's size, turned upright, is the decoded one; should the two ever disagree, fresh planes.
  const data = planes.length === colour * n ? planes : new Float32Array(colour * n);
  for (let c = 0; c < colour; c++) deinterleave(samples, stride, c, scale, data.subarray(c * n, (c + 1) * n));
  const image: Image = {
    width: info.width,
    height: info.height,
    channels: colour,
    data,
    bitDepth: sixteen ? 16 : 8,
    // Only a real file is recorded: writing copies its metadata from there (see metadata.ts).
    meta: { format: meta.format, ...(opts.source ? { source: opts.source } : {}) },
  };
  if (stride === colour + 1) {
    const alpha = new Float32Array(n);
    deinterleave(samples, stride, colour, scale, alpha);
    image.alpha = alpha;
  }
  if (meta.exif) image.meta.exif = meta.exif;
  if (meta.format === 'jpeg') {
    const quality = jpegQuality(bytes);
    if (quality !== null) image.meta.jpegQuality = quality;
  }
  if (meta.icc) image.meta.icc = meta.icc;
  return image;
}

/**
 * One channel of interleaved samples into its own plane, scaled. A small function of its own, so
 * that V8 optimises the loop by itself: inline in decodeImage it took 0.68 s of a 12-MP photo's
 * decode, here 0.48 s (CPU profiles of `denoise-lab denoise`).
 */
function deinterleave(
  samples: Uint8Array | Uint16Array | Float32Array,
  stride: number,
  c: number,
  scale: number,
  out: Float32Array,
): void {
  for (let i = 0, j = c; i < out.length; i++, j += stride) out[i] = samples[j]! * scale;
}

/**
 * Writes once to each 4 KiB page of `array`, so that none of them faults later, a few megabytes at
 * a time and for as long as `going()` holds; between runs it lets the event loop turn, so that the
 * end of the work it overlaps is noticed.
 */
async function touchWhile(array: Float32Array, going: () => boolean): Promise<void> {
  const RUN = 1 << 20; // floats: 4 MB, about 10 ms of first touches here
  for (let at = 0; at < array.length && going(); at += RUN) {
    for (let i = at, end = Math.min(array.length, at + RUN); i < end; i += 1024) array[i] = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Megapixels for people: whole numbers from 10 on, two significant digits below. */
function megapixels(pixels: number): string {
  const mp = pixels / 1e6;
  return String(mp >= 10 ? Math.round(mp) : Number(mp.toPrecision(2)));
}

/** Float samples as Float32Array; NaN or ±∞ cannot be denoised or measured, so they are refused. */
function floatSamples(data: Buffer, source: string): Float32Array {
  const aligned = data.byteOffset % 4 === 0 ? data : Buffer.from(data);
  const samples = new Float32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
  for (let i = 0; i < samples.length; i++)
    if (!Number.isFinite(samples[i]!))
      throw new ImagingError('corrupt', `${source}: the image holds NaN or infinite sample values; it cannot be used`);
  return samples;
}

/**
 * The scale of float samples. Two conventions are in use: 0–255 (Denoise Lab's own float TIFFs,
 * libvips' sRGB float) and 0–1 (most other tools). Samples above 1.5 can only be 0–255; an image
 * whose samples all stay below 1.5 on the 0–255 scale would be black, so 0–1 is the reading then.
 */
function floatScale(samples: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < samples.length; i++) if (samples[i]! > max) max = samples[i]!;
  return max > 1.5 ? 1 / 255 : 1;
}

function decodeError(source: string, e: unknown, bytes: Uint8Array): ImagingError {
  if (isHeic(bytes)) return new ImagingError('unsupported', `${source}: ${HEIC_REFUSAL}`);
  const msg = (e as Error).message ?? String(e);
  if (/unsupported image format/i.test(msg)) {
    const claimed = EXTENSION_FORMATS[path.extname(source).toLowerCase()];
    return new ImagingError(
      'unsupported',
      claimed
        ? `${source}: not a readable ${claimed.toUpperCase()} file (the content is not a recognised image format)`
        : `${source}: not a recognised image format (supported: ${SUPPORTED})`,
    );
  }
  if (/pixel limit/i.test(msg)) return new ImagingError('too-large', `${source}: image exceeds the pixel limit`);
  // libvips names its loader first ("VipsJpeg: premature end of JPEG image"); people need the rest.
  const detail = msg.split('\n')[0]!.replace(/^\w+: /, '');
  return new ImagingError(
    'corrupt',
    `${source}: corrupt or truncated image data (${detail}); the file may be incomplete, re-export or copy it again`,
  );
}

export type OutputFormat = 'png' | 'jpeg' | 'webp' | 'tiff' | 'avif';

export interface WriteOptions {
  /** Default: from the file extension. */
  format?: OutputFormat;
  /** 8 or 16 (PNG and TIFF only; default: the image's own depth, 8 for the other formats). */
  bitDepth?: 8 | 16;
  /** JPEG / WebP / AVIF quality 1–100 (default 92). */
  quality?: number;
  /**
   * The source's metadata: 'keep' all of it (EXIF with GPS and maker notes, XMP, IPTC, ICC; the
   * default), keep all but GPS ('no-gps'), or 'strip' it.
   */
  metadata?: MetadataMode;
  /** An existing file of that name: refuse ('cancel', the default), 'replace' it or 'keep-both'. */
  onClash?: ClashPolicy;
}

/** The usual file extension of each output format. */
export const FILE_EXTENSIONS: Record<OutputFormat, string> = {
  png: 'png',
  jpeg: 'jpg',
  webp: 'webp',
  tiff: 'tif',
  avif: 'avif',
};

/** Output format for a file name, or undefined when the extension is not one we write. */
export function formatFromPath(file: string): OutputFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  const f = EXTENSION_FORMATS[ext];
  if (f === 'heif') return ext === '.avif' ? 'avif' : undefined;
  return f === 'png' || f === 'jpeg' || f === 'webp' || f === 'tiff' ? f : undefined;
}

/**
 * Encodes and writes atomically; the format comes from the extension unless given. Returns the
 * path written (another name than `file` when both are kept on a clash).
 */
export async function writeImage(image: Image, file: string, opts: WriteOptions = {}): Promise<string> {
  const format = opts.format ?? formatFromPath(file);
  if (!format)
    throw new ImagingError(
      'bad-option',
      `${file}: cannot tell the output format from the extension (use .png, .jpg, .webp, .tif or .avif)`,
    );
  const mode = opts.metadata ?? 'keep';
  let bytes = await encodeImage(image, format, opts);
  // The encoder wrote the pixels, the colour profile and a basic EXIF subset; ExifTool adds the rest.
  if (mode !== 'strip' && image.meta.source)
    bytes = (await withSourceMetadata(image.meta.source, bytes, FILE_EXTENSIONS[format], mode)) ?? bytes;
  return writeFileOnClash(file, bytes, opts.onClash ?? 'cancel');
}

/** Quantises and encodes. Colour outside [0, 1] is clipped; NaN is an error. */
export async function encodeImage(image: Image, format: OutputFormat, opts: WriteOptions = {}): Promise<Buffer> {
  const highDepthOk = format === 'png' || format === 'tiff';
  if (opts.bitDepth === 16 && !highDepthOk)
    throw new ImagingError('bad-option', `${format.toUpperCase()} cannot store 16 bits per sample (use PNG or TIFF)`);
  const sixteen = highDepthOk && (opts.bitDepth ?? image.bitDepth) === 16;
  // JPEG has no alpha; the colour is written as is (alpha dropped, not flattened).
  const withAlpha = image.alpha !== undefined && format !== 'jpeg';
  const colour = image.channels;
  const stride = colour + (withAlpha ? 1 : 0);
  const n = image.width * image.height;
  const max = sixteen ? 65535 : 255;
  const samples = sixteen ? new Uint16Array(n * stride) : new Uint8Array(n * stride);
  for (let c = 0; c < colour; c++) quantise(image.data.subarray(c * n, (c + 1) * n), samples, c, stride, max);
  if (withAlpha) quantise(image.alpha!, samples, colour, stride, max);

  const gray = colour === 1;
  let pipeline = sharp(samples, {
    raw: { width: image.width, height: image.height, channels: stride as 1 | 2 | 3 | 4 },
  });
  pipeline = pipeline.toColourspace(gray ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb');

  let iccFile: string | undefined;
  try {
    if ((opts.metadata ?? 'keep') !== 'strip') {
      const exif = image.meta.exif ? exifToSharp(image.meta.exif) : undefined;
      // libvips cannot write EXIF into TIFF.
      if (exif && format !== 'tiff') pipeline = pipeline.withExif(exif);
      // Pixels are sRGB now; converting them back into the source profile keeps the colours
      // right *and* the profile. Gray images keep sRGB-gray pixels without a profile.
      if (image.meta.icc && !gray && iccColourSpace(image.meta.icc) === 'RGB ') {
        iccFile = path.join(tmpdir(), `denoise-lab-${process.pid}-${randomBytes(4).toString('hex')}.icc`);
        await writeFile(iccFile, image.meta.icc);
        pipeline = pipeline.withIccProfile(iccFile);
      }
    }
    const quality = opts.quality ?? 92;
    if (!(quality >= 1 && quality <= 100))
      throw new ImagingError('bad-option', `quality must be 1–100, got ${quality}`);
    switch (format) {
      case 'png':
        pipeline = pipeline.png({ compressionLevel: 6 });
        break;
      case 'jpeg':
        // Standard Huffman tables, as cameras and libjpeg write by default, not ones fitted to the
        // photo: the fitting pass holds the whole photo's coefficients (72 MB at 12 MP) and took
        // 0.18–0.37 s of a 12-MP export against 0.07 s, for files 4 % smaller; pixels the same
        // (bench/jpeg-tables.ts).
        pipeline = pipeline.jpeg({ quality, chromaSubsampling: '4:4:4', optimiseCoding: false });
        break;
      case 'webp':
        pipeline = pipeline.webp({ quality });
        break;
      case 'avif':
        pipeline = pipeline.avif({ quality });
        break;
      case 'tiff':
        // sharp's default TIFF compression is JPEG, which would drop to 8 bits.
        pipeline = pipeline.tiff({ compression: 'lzw' });
        break;
    }
    return await pipeline.toBuffer();
  } finally {
    if (iccFile) await rm(iccFile, { force: true });
  }
}

function quantise(src: Float32Array, dst: Uint8Array | Uint16Array, c: number, stride: number, max: number): void {
  // One pass of plain arithmetic (36 million samples in a 12-MP photo): v !== v is the NaN test,
  // and (x + 0.5) | 0 is Math.round for the x ≥ 0 left after clipping.
  for (let i = 0, j = c; i < src.length; i++, j += stride) {
    const v = src[i]!;
    if (v !== v) throw new ImagingError('bad-option', 'image contains NaN values; refusing to write it');
    dst[j] = v <= 0 ? 0 : v >= 1 ? max : (v * max + 0.5) | 0;
  }
}

/** The data colour space signature of an ICC profile ('RGB ', 'GRAY', 'CMYK'…), bytes 16–19. */
function iccColourSpace(icc: Buffer): string {
  return icc.length >= 20 ? icc.subarray(16, 20).toString('latin1') : '';
}
