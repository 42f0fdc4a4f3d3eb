// Memory through the service: a decompression bomb is refused from its header before anything is
// decoded, under a pixel limit the user can change in the settings; and the memory of many jobs
// comes back once their images are released (RSS measures this whole process, worker included).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, constants, deflateRawSync } from 'node:zlib';
import sharp from 'sharp';
import type { ImageInfo, ModelCard } from '../../../common/contract/index.js';
import { ApiService } from '../../../main/service/api-service.js';
import { buildWorker, startService, writeTestPng, type Harness } from './harness.js';
import { tempDir } from '../../helpers/temp-dir.js';

let worker: Awaited<ReturnType<typeof buildWorker>>;
let h: Harness;
let api: ApiService;
let dir: string;

beforeAll(async () => {
  worker = await buildWorker();
  h = startService(worker.workerPath);
  // The web door reads only what it was given: the tests' temp folders and the fixture models.
  api = new ApiService(h.service, { door: 'web', allow: [tmpdir(), path.resolve('test/fixtures')] });
  dir = tempDir();
});
afterAll(async () => {
  await h.close();
  worker.dispose();
});

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A valid all-black 8-bit grey PNG of side × side pixels that is tiny on disk: one row is deflated
 * with a full flush (which resets the compressor, so every row compresses to the same bytes) and
 * repeated; the Adler-32 of n zero bytes is (n mod 65521) << 16 | 1.
 */
function blackPng(side: number): Buffer {
  const row = deflateRawSync(Buffer.alloc(1 + side), { finishFlush: constants.Z_FULL_FLUSH });
  const raw = (1 + side) * side;
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((raw % 65521) << 16) | 1) >>> 0, 0);
  const zdata = Buffer.concat([
    Buffer.from([0x78, 0x01]),
    ...Array(side).fill(row),
    deflateRawSync(Buffer.alloc(0)),
    adler,
  ]);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zdata),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

describe('decoding limits', () => {
  it('the bomb maker makes real images (a small one decodes to black)', async () => {
    const { data, info } = await sharp(blackPng(300)).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 300, height: 300 });
    expect(data.every((v) => v === 0)).toBe(true);
  });

  it('a 14000² bomb (196 MP, under 1 MB) is refused from its header, fast, without memory', async () => {
    const bomb = path.join(dir, 'bomb.png');
    writeFileSync(bomb, blackPng(14000));
    const before = rssMb();
    const t0 = performance.now();
    await expect(api.handle('images:open', { path: bomb })).rejects.toThrow(
      /bomb\.png: this image is 196 megapixels \(14000×14000\); the limit is 64\. If this computer has the memory for it, raise the limit: the maxMegapixels setting/,
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(rssMb() - before).toBeLessThan(100);
  });

  it('a header of 64 MP (at the limit) with no pixels after it is refused as corrupt, fast, without memory', async () => {
    // The decode fails at once; nothing may be allocated and filled for the pixels it promised.
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(8000, 0);
    ihdr.writeUInt32BE(8000, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // RGB: 768 MB of float planes
    const empty = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', Buffer.alloc(0)),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const file = path.join(dir, 'empty.png');
    writeFileSync(file, empty);
    const before = rssMb();
    const t0 = performance.now();
    await expect(api.handle('images:open', { path: file })).rejects.toThrow(/empty\.png: corrupt or truncated/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(rssMb() - before).toBeLessThan(100);
  });

  it('the limit is a setting, read at each job', async () => {
    const photo = path.join(dir, 'photo.png');
    await writeTestPng(photo, 1500, 1000);
    await api.handle('settings:set', { maxMegapixels: 1 });
    await expect(api.handle('images:open', { path: photo })).rejects.toThrow(/1\.5 megapixels .*the limit is 1\./);
    await api.handle('settings:set', { maxMegapixels: 2 });
    const opened = (await api.handle('images:open', { path: photo })) as ImageInfo;
    expect(opened).toMatchObject({ width: 1500, height: 1000 });
    await api.handle('images:release', { imageId: opened.imageId });
  });

  it("the service's maxMegapixels option (a door's command-line flag) overrides the setting", async () => {
    const strict = startService(worker.workerPath, { maxMegapixels: 0.5 });
    try {
      const photo = path.join(dir, 'photo.png');
      await expect(strict.service.run({ kind: 'open-image', params: { path: photo } })).rejects.toThrow(
        /1\.5 megapixels \(1500×1000\); the limit is 0\.5\./,
      );
    } finally {
      await strict.close();
    }
  });
});

describe('memory after jobs', () => {
  it('RSS after 40 denoise jobs of a 1-MP photo and their release stays within 1.5× of RSS after the first', async () => {
    const photo = path.join(dir, 'one-mp.png');
    await writeTestPng(photo, 1000, 1000);
    const source = (await api.handle('images:open', { path: photo })) as ImageInfo;
    const blur = path.resolve('test/fixtures/imaging/models/blur5_rgb.onnx');
    const model = (await api.handle('models:import', { path: blur, name: 'blur' })) as ModelCard;
    const outputs: string[] = [];
    let first = 0;
    for (let i = 0; i < 40; i++) {
      const out = (await h.service.run({
        kind: 'denoise',
        params: { imageId: source.imageId, modelId: model.id, sigma: 10 },
      })) as ImageInfo;
      outputs.push(out.imageId);
      if (i === 0) first = rssMb();
    }
    const after40 = rssMb();
    for (const imageId of outputs) await api.handle('images:release', { imageId });
    await new Promise((r) => setTimeout(r, 500)); // the worker collects once it is idle
    const released = rssMb();
    console.log(
      `RSS: ${first.toFixed(0)} MB after the first job, ${after40.toFixed(0)} MB after 40, ${released.toFixed(0)} MB after the release`,
    );
    expect(released).toBeLessThan(1.5 * first);
  });
});
