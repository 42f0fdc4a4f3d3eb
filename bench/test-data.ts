// Test data the speed benchmarks make for themselves, in their temp folder: noisy photos of any
// size from a real photo (sharp resizes, common/noise adds the noise), and training patches cut
// from real photos by the app's own dataset code (ml/train's PatchDataset), saved as .npy.

import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { UsageError } from '../main/cli/command.js';
import { encodeNpy } from '../main/files/npy.js';
import { loadImageFolder } from '../main/ml/train/datasets.js';
import { addNoise } from '../common/noise.js';
import { Rng } from '../common/rng.js';
import { WORKLOAD } from './workload.js';

/**
 * A camera's EXIF, as every photo from a camera or phone carries one: the CLI then copies it as it
 * would a user's (ExifTool runs), where a photo without metadata is written without ExifTool.
 */
const CAMERA_EXIF = {
  IFD0: { Make: 'Denoise Lab', Model: 'Bench camera', DateTime: '2026:12:05 10:00:00' },
  IFD2: { ExposureTime: '1/60', FNumber: '28/10', ISOSpeedRatings: '3200', DateTimeOriginal: '2026:12:05 10:00:00' },
};

/**
 * `photo` resized to width × height, Gaussian noise of σ added (0–255 scale), saved as JPEG q 95
 * with a camera's EXIF.
 */
export async function writeNoisyPhoto(
  photo: string,
  size: { width: number; height: number },
  sigma: number,
  seed: number,
  file: string,
) {
  const { data, info } = await sharp(photo)
    .removeAlpha()
    .toColourspace('srgb')
    .resize(size.width, size.height, { fit: 'cover', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((e: Error) => {
      throw new UsageError(`--photo ${photo}: cannot be read as a photo (${e.message})`);
    });
  // In chunks, so that a 48-MP photo never exists as float samples in this process.
  const rng = new Rng(seed);
  const chunk = new Float32Array(1 << 20);
  for (let start = 0; start < data.length; start += chunk.length) {
    const n = Math.min(chunk.length, data.length - start);
    const part = chunk.subarray(0, n);
    for (let i = 0; i < n; i++) part[i] = data[start + i]! / 255;
    const noisy = addNoise(part, info.channels, { type: 'gaussian', sigma }, rng);
    for (let i = 0; i < n; i++) data[start + i] = Math.round(noisy[i]! * 255);
  }
  await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .withExif(CAMERA_EXIF)
    .jpeg({ quality: 95 })
    .toFile(file);
}

/** `count` random grey P×P crops of the photos in `folder` (P = the workload's patch), as count×1×P×P float32 in [0, 1]. */
export async function writePatches(folder: string, file: string, count: number, seed: number): Promise<void> {
  const ds = await loadImageFolder(folder, { patch: WORKLOAD.patch, channels: 1, augment: false });
  const size = WORKLOAD.patch * WORKLOAD.patch;
  const data = new Float32Array(count * size);
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) ds.sample(i, data.subarray(i * size, (i + 1) * size), rng);
  writeFileSync(file, encodeNpy(data, [count, 1, WORKLOAD.patch, WORKLOAD.patch]));
}
