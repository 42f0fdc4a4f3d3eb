// How coarse a photo's noise grain is, in one number: the wavelet-MAD σ of the photo binned 2×2
// over the wavelet-MAD σ of the photo itself (noise-estimate.ts). Binning averages four pixels,
// so white noise (independent from pixel to pixel: synthetic Gaussian noise, or a photo scaled
// down far enough) keeps half its σ, a ratio of 0.5. A camera's noise went through demosaicking,
// which spreads each sensor sample over its neighbours, and often through sharpening and noise
// reduction: its grain is coarser than a pixel and the finest scale sees little of it, so the
// ratio is higher: 0.69–2.0 on 570 training crops through the camera simulator (Malvar–He–Cutler
// demosaicking the finest, bilinear 1.0 and up). Texture raises the ratio too (its detail grows at
// coarser scales), which errs towards "camera-like".
//
// The noise estimator's calibration uses it (ml/inference/noise-map.ts): fitted on camera noise,
// it reads white noise 1.2–1.4× too high, and the ratio tells the two apart.

import { cutPlanes, type Planes } from './image.js';
import { estimateNoiseSigma } from './noise-estimate.js';

/** The ratio is measured on the photo's centre, at most this many pixels across (1 MP: plenty; 35–60 ms). */
const MAX_SIDE = 1024;
/** Below this σ (0–255) there is too little noise for the ratio to mean anything. */
const MIN_SIGMA = 0.25;

/**
 * σ_MAD(binned 2×2) / σ_MAD(photo) over the photo's centre (even sides, at most MAX_SIDE); null
 * for a photo too small (under 16 px a side) or too clean to say.
 */
export function noiseGrain(image: Planes): number | null {
  const width = Math.min(MAX_SIDE, image.width) & ~1;
  const height = Math.min(MAX_SIDE, image.height) & ~1;
  if (width < 16 || height < 16) return null;
  const crop = centre(image, width, height);
  const fine = estimateNoiseSigma(crop);
  if (!(fine >= MIN_SIGMA)) return null;
  return estimateNoiseSigma(binned2x2(crop)) / fine;
}

/** The centre width×height of the planes (the planes themselves when they are that size). */
function centre(image: Planes, width: number, height: number): Planes {
  if (width === image.width && height === image.height) return image;
  const r = { x: (image.width - width) >> 1, y: (image.height - height) >> 1, width, height };
  return {
    width,
    height,
    channels: image.channels,
    data: cutPlanes(image.data, image.channels, image.width, image.height, r),
  };
}

/** Each 2×2 block averaged into one pixel (an odd last row or column is dropped). */
export function binned2x2(image: Planes): Planes {
  const { channels, width: W, height: H } = image;
  const width = W >> 1;
  const height = H >> 1;
  const data = new Float32Array(channels * width * height);
  for (let c = 0; c < channels; c++) {
    const src = c * W * H;
    const dst = c * width * height;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = src + 2 * y * W + 2 * x;
        data[dst + y * width + x] =
          (image.data[i]! + image.data[i + 1]! + image.data[i + W]! + image.data[i + W + 1]!) / 4;
      }
  }
  return { width, height, channels, data };
}
