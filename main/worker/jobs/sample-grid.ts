// Model samples as pictures: a batch of samples ([n, C, H, W], or [n, D] vectors with D a square
// such as the 8×8 digits) laid out as one grid image with 1-pixel gaps, for the training gallery
// and the latent views. Small samples are enlarged by an integer factor (nearest neighbour, so
// the pixels stay crisp) to at least 32 pixels, so an <img> shows them well without CSS tricks.
import { createImage, type Image } from '../../imaging/image.js';

/** The picture shape [C, H, W] of one sample, or null when a vector is not a square image. */
export function pictureShape(sampleShape: readonly number[]): [1 | 3, number, number] | null {
  if (sampleShape.length === 3) {
    const [c, h, w] = sampleShape as [number, number, number];
    return c === 1 || c === 3 ? [c, h, w] : null;
  }
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const side = Math.round(Math.sqrt(size));
  return side * side === size ? [1, side, side] : null;
}

const MIN_CELL = 32;
const GAP = 1;

/**
 * Lays out n samples row major in `cols` columns. Values are clipped to [0, 1]; with `normalise`,
 * each sample is stretched to its own min…max first (feature maps have arbitrary ranges).
 */
export function sampleGrid(
  samples: Float32Array,
  n: number,
  sampleShape: readonly number[],
  cols: number,
  o: { normalise?: boolean; minCell?: number } = {},
): Image {
  const shape = pictureShape(sampleShape);
  if (!shape) throw new RangeError(`samples of shape [${sampleShape.join(', ')}] cannot be shown as pictures`);
  const [c, h, w] = shape;
  const size = c * h * w;
  if (samples.length < n * size) throw new RangeError(`expected ${n} samples of ${size} values`);
  const scale = Math.max(1, Math.ceil((o.minCell ?? MIN_CELL) / Math.max(h, w)));
  const rows = Math.ceil(n / cols);
  const cw = w * scale;
  const ch = h * scale;
  const width = cols * cw + (cols - 1) * GAP;
  const height = rows * ch + (rows - 1) * GAP;
  const image = createImage(width, height, c);
  image.data.fill(0.5); // gaps are mid grey, neither black nor white content
  const plane = width * height;
  for (let i = 0; i < n; i++) {
    const at = i * size;
    let lo = 0;
    let span = 1;
    if (o.normalise) {
      let min = Infinity;
      let max = -Infinity;
      for (let k = 0; k < size; k++) {
        const v = samples[at + k]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      lo = min;
      span = max > min ? max - min : 1;
    }
    const x0 = (i % cols) * (cw + GAP);
    const y0 = Math.floor(i / cols) * (ch + GAP);
    for (let k = 0; k < c; k++)
      for (let y = 0; y < ch; y++)
        for (let x = 0; x < cw; x++) {
          const v = (samples[at + k * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)]! - lo) / span;
          image.data[k * plane + (y0 + y) * width + x0 + x] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
  }
  return image;
}
