// Fields the contract's schemas share (ids, host paths, finite numbers) and the image that crosses
// every door. How images cross: see index.ts.
import { z } from 'zod';

// Small shared pieces

export const id = z.string().min(1).max(128);
/** An absolute or relative path on the machine that runs the service (the host machine). */
export const hostPath = z.string().min(1).max(4096);
export const finite = z.number().finite();

export const imageIdSchema = id;
export const jobIdSchema = id;
export const modelIdSchema = id;

/** An image held by the service. Pixel values are never sent inline: see the header comment. */
export const imageInfoSchema = z.object({
  imageId: id,
  /** Relative URL of an 8-bit sRGB PNG rendering, served by whichever door the page came through. */
  url: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Colour channels (1 gray, 3 RGB), alpha excluded. */
  channels: z.union([z.literal(1), z.literal(3)]),
  hasAlpha: z.boolean(),
  /** Bit depth of the source (8 or 16); 32 for float data such as unclipped noise. */
  bitDepth: z.union([z.literal(8), z.literal(16), z.literal(32)]),
  /** Original file name, or a description of how the image was made ("noisy: gaussian σ=25"). */
  name: z.string(),
  /** The file it was opened from, if any (export keeps its metadata). */
  sourcePath: z.string().nullable(),
});
export type ImageInfo = z.infer<typeof imageInfoSchema>;
