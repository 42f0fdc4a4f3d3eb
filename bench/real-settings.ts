// The settings of `npm run bench:real` and the camera-noise cases they make, shared with every
// development script that measures on the same cases (bench/estimator-headroom.ts): each photo and
// setting is drawn from the seed seed · 1000 + photo index · 10 + setting index, so the index of a
// setting is part of its case.
import type { Rng } from '../common/rng.js';
import {
  compressJpeg,
  levelMap,
  simulateCameraNoise,
  type CameraNoiseLevel,
  type CameraPipeline,
} from '../main/imaging/camera/index.js';
import type { Image } from '../main/imaging/image.js';

export const SETTINGS: { name: string; level: CameraNoiseLevel | null; jpegQuality: number | null; white?: number }[] =
  [
    // No noise at all: a denoiser must leave a clean photo alone (scored against the photo itself).
    { name: 'clean', level: null, jpegQuality: null },
    { name: 'low', level: 'low', jpegQuality: null },
    { name: 'medium', level: 'medium', jpegQuality: null },
    { name: 'high', level: 'high', jpegQuality: null },
    { name: 'JPEG (medium, q 75)', level: 'medium', jpegQuality: 75 },
    // Not a camera's noise: the synthetic kind the Denoise workspace's "Add noise" makes, saved as
    // an 8-bit PNG and scored against the photo itself. A camera denoiser run blind must not
    // mistake it for a camera's (its estimator's calibration is fitted on those).
    { name: 'white Gaussian (σ 25)', level: null, jpegQuality: null, white: 25 },
  ];

/** The seed of one photo's case in one setting (indices into the devset's sorted photos and SETTINGS). */
export function caseSeed(seed: number, photoIndex: number, settingIndex: number): number {
  return seed * 1000 + photoIndex * 10 + settingIndex;
}

/**
 * A photo through the camera simulator at `level` (then saved as a JPEG, if a quality is given):
 * the noisy photo, its reference (the same pipeline without noise, nor JPEG), the true noise level
 * per pixel (RMS over the channels, before JPEG, as a denoiser is told it), and the camera drawn.
 */
export async function cameraNoiseCase(
  original: Image,
  level: CameraNoiseLevel,
  jpegQuality: number | null,
  rng: Rng,
): Promise<{ noisy: Image; ref: Image; trueMap: Float32Array; pipeline: CameraPipeline }> {
  const sim = simulateCameraNoise(original, { level, jpegQuality }, rng, { clean: true });
  const noisy = jpegQuality ? await compressJpeg(sim.noisy, jpegQuality) : sim.noisy;
  return {
    noisy,
    ref: sim.clean!,
    trueMap: levelMap(sim.noiseMap, noisy.width * noisy.height),
    pipeline: sim.pipeline,
  };
}
