// A test case of simulated camera noise on a fixture crop, as the shipped camera models' regression
// tests score them: the crop through the camera simulator at a level (seeded), optionally saved as
// a JPEG of some quality, and the same pipeline without noise to score against.
import path from 'node:path';
import { Rng } from '../../common/rng.js';
import { readImage, type Image } from '../../main/imaging/index.js';
import { compressJpeg, simulateCameraNoise, type CameraNoiseLevel } from '../../main/imaging/camera/index.js';

const crops = path.resolve('test/fixtures/imaging/crops');

export async function cameraCase(
  crop: string,
  level: CameraNoiseLevel,
  jpeg: number | null,
  seed: number,
): Promise<{ clean: Image; noisy: Image }> {
  const photo = await readImage(path.join(crops, crop));
  const sim = simulateCameraNoise(photo, { level, jpegQuality: jpeg }, new Rng(seed), { clean: true });
  return { clean: sim.clean!, noisy: jpeg ? await compressJpeg(sim.noisy, jpeg) : sim.noisy };
}
