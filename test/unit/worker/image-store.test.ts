// The image store reads a rectangle of a snapshot, or its header alone, without decoding the whole
// image: what a live preview of a large photo needs.
import { statSync, truncateSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cropImage, type Image } from '../../../main/imaging/image.js';
import { ImageStore } from '../../../main/worker/image-store.js';
import { tempDir } from '../../helpers/temp-dir.js';

function testImage(width: number, height: number): Image {
  const n = width * height;
  const data = new Float32Array(3 * n);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 1000; // every sample different
  const alpha = Float32Array.from({ length: n }, (_, i) => (i % 5) / 4);
  return { width, height, channels: 3, bitDepth: 16, data, alpha, meta: { format: 'png' } };
}

describe('ImageStore', () => {
  it('reads a rectangle from the snapshot equal to the same crop of the whole image', async () => {
    const dir = tempDir('image-store-');
    const image = testImage(37, 23);
    const { imageId } = await new ImageStore(dir).save(image, 'test');
    // A second store on the same folder has nothing cached: it must read the file.
    const cold = new ImageStore(dir);
    for (const r of [
      { x: 0, y: 0, width: 37, height: 23 },
      { x: 5, y: 3, width: 11, height: 7 },
      { x: 36, y: 22, width: 1, height: 1 },
    ]) {
      const got = await new ImageStore(dir).loadRegion(imageId, r);
      const want = cropImage(image, r);
      expect(got).toMatchObject({ width: r.width, height: r.height, channels: 3, bitDepth: 16 });
      expect(Array.from(got.data)).toEqual(Array.from(want.data));
      expect(Array.from(got.alpha!)).toEqual(Array.from(want.alpha!));
    }
    // From the cache, the same pixels.
    await cold.load(imageId);
    const cached = await cold.loadRegion(imageId, { x: 5, y: 3, width: 11, height: 7 });
    expect(Array.from(cached.data)).toEqual(Array.from(cropImage(image, { x: 5, y: 3, width: 11, height: 7 }).data));
    await expect(new ImageStore(dir).loadRegion(imageId, { x: 30, y: 0, width: 8, height: 1 })).rejects.toThrow(
      /not inside the image/,
    );
  });

  it('answers size and name from the header alone', async () => {
    const dir = tempDir('image-store-');
    const store = new ImageStore(dir);
    const { imageId } = await store.save(testImage(40, 30), 'holiday.png', { sourcePath: '/photos/holiday.png' });
    // Cut the pixels off the snapshot: only the header is left to read.
    const file = store.snapshotPath(imageId);
    truncateSync(file, statSync(file).size - 40 * 30 * 4 * 4 + 8);
    const cold = new ImageStore(dir);
    expect(await cold.size(imageId)).toEqual({ width: 40, height: 30 });
    expect(await cold.describe(imageId)).toEqual({ name: 'holiday.png', sourcePath: '/photos/holiday.png' });
    await expect(cold.size('missing')).rejects.toThrow(/no image with id 'missing'/);
    await expect(cold.size('../x')).rejects.toThrow(/invalid image id/);
  });

  it("keeps a JPEG source's quality with the snapshot, whole or in part", async () => {
    const dir = tempDir('image-store-');
    const image = { ...testImage(20, 10), meta: { format: 'jpeg', jpegQuality: 72.5 } };
    const { imageId } = await new ImageStore(dir).save(image, 'photo.jpg');
    expect((await new ImageStore(dir).load(imageId)).meta.jpegQuality).toBe(72.5);
    const part = await new ImageStore(dir).loadRegion(imageId, { x: 2, y: 2, width: 5, height: 5 });
    expect(part.meta.jpegQuality).toBe(72.5);
    const { imageId: png } = await new ImageStore(dir).save(testImage(20, 10), 'photo.png');
    expect((await new ImageStore(dir).load(png)).meta.jpegQuality).toBeUndefined();
  });
});
