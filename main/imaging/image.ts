// The in-memory photo every imaging module works on: planar float32 colour in [0, 1], alpha kept
// apart so that only colour is ever denoised, and the source's metadata carried along for writing.

export interface ImageMeta {
  /** Container the pixels came from ('png', 'jpeg', 'webp', 'tiff', 'heif', 'gif', 'raw'…). */
  format: string;
  /** The source's raw EXIF block (orientation is already applied to the pixels). */
  exif?: Buffer;
  /** The source's embedded ICC profile (the pixels are already converted to sRGB). */
  icc?: Buffer;
  /** Where the image was read from, for messages. */
  source?: string;
  /**
   * For pixels decoded from a JPEG: its quality on the IJG scale (jpeg-quality.ts). It describes
   * these pixels' compression, so whatever adds noise to them drops it (the noise came after).
   */
  jpegQuality?: number;
}

/** Planar C×H×W samples and their shape, all that pixel arithmetic needs of an image. */
export interface Planes {
  width: number;
  height: number;
  channels: number;
  /** Planar C×H×W (index = c·H·W + y·W + x). */
  data: Float32Array;
}

export interface Image {
  width: number;
  height: number;
  /** Colour channels: 1 (gray) or 3 (RGB). */
  channels: 1 | 3;
  /** Planar C×H×W colour in [0, 1] (index = c·H·W + y·W + x). */
  data: Float32Array;
  /** H×W alpha in [0, 1] when the source has one; carried through untouched. */
  alpha?: Float32Array;
  /** Bit depth of the source samples, and the default for writing. */
  bitDepth: 8 | 16;
  meta: ImageMeta;
}

/** Metadata for pixels that no longer are the JPEG's (noise was added after it). */
export function withoutJpegQuality(meta: ImageMeta): ImageMeta {
  const { jpegQuality: _, ...rest } = meta;
  return rest;
}

/** A black image of the given shape. */
export function createImage(
  width: number,
  height: number,
  channels: 1 | 3,
  opts: { bitDepth?: 8 | 16; alpha?: boolean; format?: string } = {},
): Image {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  const image: Image = {
    width,
    height,
    channels,
    data: new Float32Array(channels * width * height),
    bitDepth: opts.bitDepth ?? 8,
    meta: { format: opts.format ?? 'raw' },
  };
  if (opts.alpha) image.alpha = new Float32Array(width * height).fill(1);
  return image;
}

/** Same shape, alpha and metadata as `like`, with new colour data (copied alpha and meta). */
export function withData(like: Image, data: Float32Array): Image {
  if (data.length !== like.channels * like.width * like.height)
    throw new RangeError(`withData: expected ${like.channels * like.width * like.height} samples, got ${data.length}`);
  const out: Image = { ...like, data, meta: { ...like.meta } };
  if (like.alpha) out.alpha = like.alpha;
  return out;
}

/**
 * ITU-R BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B, on the image's own scale (no offset, no
 * 219/255 studio range). This is the Y that PSNR_Y / SSIM_Y are computed on; a gray image is its
 * own luma. (skimage's rgb2gray uses BT.709 weights instead; we follow the denoising literature,
 * which reports Y of YCbCr, i.e. BT.601.)
 */
export function luma(image: Image): Float32Array {
  const n = image.width * image.height;
  return image.channels === 1 ? image.data.slice(0, n) : lumaOfPlanes(image.data, n);
}

/** BT.601 luma (see `luma`) of planar RGB data with n pixels per plane. */
export function lumaOfPlanes(rgb: Float32Array, n: number): Float32Array {
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = 0.299 * rgb[i]! + 0.587 * rgb[n + i]! + 0.114 * rgb[2 * n + i]!;
  return y;
}

/** One plane repeated `times` times, planar (a grey image as R = G = B). */
export function repeatPlane(plane: Float32Array, times: number): Float32Array {
  const out = new Float32Array(plane.length * times);
  for (let c = 0; c < times; c++) out.set(plane, c * plane.length);
  return out;
}

/** One colour plane as a view (no copy). */
export function plane(image: Image, c: number): Float32Array {
  const n = image.width * image.height;
  return image.data.subarray(c * n, (c + 1) * n);
}

/**
 * Index of a position outside [0, n) mirrored back into it, half-sample symmetric
 * (… c b a | a b c … , scipy.ndimage mode 'reflect'); periodic with period 2n, so any offset works
 * even for n = 1. Used for SSIM borders and for the padding of tiles at image borders.
 */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m >= n ? period - 1 - m : m;
}

/** A rectangle inside an image. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A rectangle of planar C×H×W data (the photo, its alpha, a noise map). */
export function cutPlanes(src: Float32Array, planes: number, width: number, height: number, r: Rect): Float32Array {
  const out = new Float32Array(planes * r.width * r.height);
  for (let c = 0; c < planes; c++)
    for (let j = 0; j < r.height; j++) {
      const from = (c * height + r.y + j) * width + r.x;
      out.set(src.subarray(from, from + r.width), (c * r.height + j) * r.width);
    }
  return out;
}

/**
 * A rectangle of planar C×H×W data that may reach past its edges: what lies outside is the data
 * mirrored (half-sample reflection, as `reflectIndex`), the way tiles and simulator crops are padded.
 */
export function reflectPlanes(src: Float32Array, planes: number, width: number, height: number, r: Rect): Float32Array {
  const out = new Float32Array(planes * r.width * r.height);
  for (let c = 0; c < planes; c++)
    for (let j = 0; j < r.height; j++) {
      const row = (c * height + reflectIndex(r.y + j, height)) * width;
      const to = (c * r.height + j) * r.width;
      for (let i = 0; i < r.width; i++) out[to + i] = src[row + reflectIndex(r.x + i, width)]!;
    }
  return out;
}

/** A rectangle of an image (inside it) as an image of its own; alpha and metadata come along. */
export function cropImage(image: Image, r: Rect): Image {
  return {
    ...image,
    width: r.width,
    height: r.height,
    data: cutPlanes(image.data, image.channels, image.width, image.height, r),
    ...(image.alpha ? { alpha: cutPlanes(image.alpha, 1, image.width, image.height, r) } : {}),
  };
}
