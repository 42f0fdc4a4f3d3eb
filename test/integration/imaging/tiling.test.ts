import path from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { reflectIndex } from '../../../main/imaging/image.js';
import { openOnnxModel } from '../../../main/ml/inference/onnx-runner.js';
import { chooseTileSize, denoiseTiled, tileMemoryBytes, type TileRunner } from '../../../main/imaging/tiling.js';

const MODELS = path.resolve('test/fixtures/imaging/models');

function randomImage(w: number, h: number, c: number, seed = 1) {
  const rng = new Rng(seed);
  const data = new Float32Array(c * w * h);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform();
  return { width: w, height: h, channels: c, data };
}

/** The blur model's maths in plain TS on the whole image, with half-sample reflection at borders. */
function blurReference(img: { width: number; height: number; channels: number; data: Float32Array }): Float32Array {
  const { width: W, height: H, channels: C, data } = img;
  const g = [-2, -1, 0, 1, 2].map((k) => Math.exp(-0.5 * k * k));
  const s = g.reduce((a, b) => a + b, 0);
  const w1 = g.map((v) => v / s);
  const out = new Float32Array(data.length);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        let acc = 0;
        for (let dy = -2; dy <= 2; dy++)
          for (let dx = -2; dx <= 2; dx++)
            acc += w1[dy + 2]! * w1[dx + 2]! * data[c * W * H + reflectIndex(y + dy, H) * W + reflectIndex(x + dx, W)]!;
        out[c * W * H + y * W + x] = acc;
      }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('tiled inference through the ONNX adapter', () => {
  it('tiled output equals whole-image output within 1/255 (receptive radius 2 ≤ overlap/2) and equals the TS reference', async () => {
    const model = await openOnnxModel(path.join(MODELS, 'blur5_rgb.onnx'));
    const img = randomImage(101, 77, 3);
    const whole = await denoiseTiled(img, model.runner, { tile: 512, overlap: 4 });
    const progress: number[] = [];
    const tiled = await denoiseTiled(img, model.runner, {
      tile: 24,
      overlap: 4,
      onProgress: (d, t) => progress.push(d / t),
    });
    expect(progress.length).toBe(5 * 4);
    expect(progress.at(-1)).toBe(1);
    expect(maxAbsDiff(tiled, whole)).toBeLessThan(1 / 255);
    expect(maxAbsDiff(tiled, whole)).toBeLessThan(1e-5); // in fact exact up to float rounding
    expect(maxAbsDiff(whole, blurReference(img))).toBeLessThan(1e-5);
    await model.close();
  });

  it('an overlap smaller than the receptive field shows seams (the test above can fail)', async () => {
    const model = await openOnnxModel(path.join(MODELS, 'blur5_rgb.onnx'));
    const img = randomImage(64, 64, 3, 2);
    const whole = await denoiseTiled(img, model.runner, { tile: 512, overlap: 4 });
    const seamy = await denoiseTiled(img, model.runner, { tile: 16, overlap: 0 });
    expect(maxAbsDiff(seamy, whole)).toBeGreaterThan(0.05);
    await model.close();
  });

  it('blending weights sum to one: an identity runner returns the image unchanged for odd sizes', async () => {
    const identity: TileRunner = async (input) => input.slice();
    const img = randomImage(53, 31, 1, 3);
    const out = await denoiseTiled(img, identity, { tile: 10, overlap: 6 });
    expect(maxAbsDiff(out, img.data)).toBeLessThan(1e-6);
  });

  it('every pixel gets weights summing to one, for any tile, overlap and alignment', async () => {
    // A runner that adds 1: a pixel counted twice, or missed, is off by a whole unit.
    const plusOne: TileRunner = async (input) => input.map((v) => v + 1);
    for (const [w, h, tile, overlap, align] of [
      [53, 31, 10, 6, 1],
      [64, 64, 16, 4, 1],
      [70, 45, 16, 8, 2],
      [33, 90, 7, 12, 1],
      [101, 77, 24, 4, 4],
      [5, 300, 40, 32, 2],
    ] as const) {
      const img = randomImage(w, h, 2, w + h);
      const out = await denoiseTiled(img, plusOne, { tile, overlap, align });
      let worst = 0;
      for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - img.data[i]! - 1));
      expect(worst, `${w}×${h} tile ${tile} overlap ${overlap} align ${align}`).toBeLessThan(1e-5);
    }
  });

  it('in place, writes over the image and gives the same numbers as into a new array', async () => {
    // Every output pixel depends on every pixel of its tile (its own value plus a small multiple
    // of the tile's sum, and of the map's sum), so a tile that read a pixel an earlier tile had
    // already overwritten would change its whole output.
    const mixing: TileRunner = async (input, _dims, extra) => {
      let sum = 0;
      for (let i = 0; i < input.length; i++) sum += input[i]!;
      let mapSum = 0;
      if (extra?.sigmaMap) for (let i = 0; i < extra.sigmaMap.length; i++) mapSum += extra.sigmaMap[i]!;
      const k = 0.5 / input.length;
      return input.map((v) => 0.5 * v + k * sum + 1e-6 * mapSum);
    };
    for (const [w, h, c, tile, overlap, align] of [
      [53, 31, 1, 10, 6, 1], // tiles smaller than the context: three tile rows reach into one
      [64, 64, 3, 16, 4, 1],
      [70, 45, 2, 16, 8, 2], // aligned: the last tiles reach past the edge
      [33, 90, 1, 7, 12, 1],
      [101, 77, 3, 24, 4, 4],
      [5, 300, 3, 40, 32, 2],
      [1025, 40, 1, 1024, 32, 1], // the last core overlaps the one before almost entirely
      [130, 97, 3, 64, 32, 1],
      [300, 200, 3, 300, 32, 1], // one tile
      [1, 1, 3, 16, 4, 1],
    ] as const) {
      const img = randomImage(w, h, c, 7 * w + h);
      const map = new Float32Array(w * h).map((_, i) => (i * 37) % 101);
      for (const sigmaMap of [undefined, map]) {
        const opts = { tile, overlap, align, ...(sigmaMap ? { sigmaMap } : {}) };
        const fresh = await denoiseTiled(img, mixing, opts);
        const copy = { ...img, data: img.data.slice() };
        const inPlace = await denoiseTiled(copy, mixing, { ...opts, inPlace: true });
        const where = `${w}×${h}×${c} tile ${tile} overlap ${overlap} align ${align}${sigmaMap ? ' with a map' : ''}`;
        expect(inPlace, where).toBe(copy.data);
        expect(maxAbsDiff(inPlace, fresh), where).toBe(0);
      }
    }
  });

  it('cuts a photo into equal tiles when it chooses the size, and keeps a size it is given', async () => {
    const shapes: string[] = [];
    const recorder: TileRunner = async (input, { h, w }) => {
      shapes.push(`${w}×${h}`);
      return input.slice();
    };
    const img = randomImage(1100, 300, 1, 9);
    // Chosen here: at most 1024 (for this photo and any machine with a few GB free), so two
    // tiles across of 550, not 1024 and 76.
    const out = await denoiseTiled(img, recorder, { overlap: 8 });
    expect(shapes).toEqual(['566×316', '566×316']);
    expect(maxAbsDiff(out, img.data)).toBeLessThan(1e-6);
    shapes.length = 0;
    await denoiseTiled(img, recorder, { tile: 1024, overlap: 8 });
    expect(shapes).toEqual(['1040×316', '1040×316']);
  });

  it('a 1×1 image works (reflection of a single pixel)', async () => {
    const model = await openOnnxModel(path.join(MODELS, 'blur5_rgb.onnx'));
    const img = { width: 1, height: 1, channels: 3, data: new Float32Array([0.2, 0.5, 0.9]) };
    const out = await denoiseTiled(img, model.runner, { overlap: 4 });
    expect(Array.from(out)).toEqual([expect.closeTo(0.2, 5), expect.closeTo(0.5, 5), expect.closeTo(0.9, 5)]);
    await model.close();
  });

  it('colour through a 1-channel model and gray through a 3-channel model', async () => {
    const gray = await openOnnxModel(path.join(MODELS, 'blur5_gray.onnx'));
    const rgb = await openOnnxModel(path.join(MODELS, 'blur5_rgb.onnx'));
    const colour = randomImage(40, 30, 3, 4);
    const viaGray = await denoiseTiled(colour, gray.runner, { tile: 16, overlap: 4 });
    expect(maxAbsDiff(viaGray, blurReference(colour))).toBeLessThan(1e-5);
    const g = randomImage(40, 30, 1, 5);
    const viaRgb = await denoiseTiled(g, rgb.runner, { tile: 16, overlap: 4 });
    expect(viaRgb.length).toBe(40 * 30);
    expect(maxAbsDiff(viaRgb, blurReference(g))).toBeLessThan(1e-5);
    await gray.close();
    await rgb.close();
  });

  it('feeds σ/255 to a model with a noise-level input', async () => {
    const model = await openOnnxModel(path.join(MODELS, 'blur5_rgb_sigma.onnx'));
    expect(model.takesSigma).toBe(true);
    const img = randomImage(30, 20, 3, 6);
    const out = await denoiseTiled(img, model.runner, { tile: 16, overlap: 4, sigma: 25.5 });
    const ref = blurReference(img);
    for (let i = 0; i < out.length; i += 97) expect(out[i]! - ref[i]!).toBeCloseTo(0.1, 5);
    await expect(denoiseTiled(img, model.runner, { tile: 16, overlap: 4 })).rejects.toThrow(/needs a noise level/);
    await model.close();
  });

  it('wrong models give clear errors', async () => {
    await expect(openOnnxModel(path.join(MODELS, 'wrong_flat_input.onnx'))).rejects.toThrow(
      /not an image model: it takes vectors of 784 values, not pictures/,
    );
    const half = await openOnnxModel(path.join(MODELS, 'wrong_halves_size.onnx'));
    await expect(denoiseTiled(randomImage(20, 20, 3), half.runner, { tile: 16, overlap: 2 })).rejects.toThrow(
      /returned a 10×10 image with 3 channel\(s\) for a 20×20 tile with 3 channel\(s\); a denoiser must return an image of its input's size/,
    );
    await half.close();
    await expect(openOnnxModel(Buffer.from('not a model'), { name: 'junk.onnx' })).rejects.toThrow(
      /junk\.onnx: not an ONNX model \(it could not be parsed\)/,
    );
    // In words, without the system's path and syscall.
    await expect(openOnnxModel(path.join(MODELS, 'no-such-model.onnx'), { name: 'gone.onnx' })).rejects.toThrow(
      /^gone\.onnx: no such file$/,
    );
  });

  it('cancellation stops between tiles: the checkpoint runs before each tile and may throw', async () => {
    let calls = 0;
    let cancelled = false;
    const runner: TileRunner = async (input) => {
      if (++calls === 2) cancelled = true;
      return input.slice();
    };
    const checkpoint = async () => {
      if (cancelled) throw new Error('cancelled');
    };
    await expect(denoiseTiled(randomImage(64, 64, 1), runner, { tile: 16, overlap: 2, checkpoint })).rejects.toThrow(
      /cancelled/,
    );
    expect(calls).toBe(2);
  });

  it('a time budget sizes the tiles from the measured speed of the model', async () => {
    // A model that costs 1 µs per input pixel: a 40 ms budget fits a √40000 = 200 px tile, 136 px
    // of core inside 2·32 px of context, rounded down to the 64-px step: 128 at most, so the
    // 400×300 photo is cut into 4 × 3 equal cores of 100 × 100. The probe runs twice
    // (warm-up, then timed), once per model. The model's time passes on a fake clock, so a busy
    // machine cannot change what is measured.
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    onTestFinished(() => void vi.restoreAllMocks());
    const sizes: number[] = [];
    const runner: TileRunner = async (input, { h, w }) => {
      sizes.push(h);
      clock += h * w * 1e-3;
      return input.slice();
    };
    const image = randomImage(400, 300, 1);
    const out = await denoiseTiled(image, runner, { overlap: 32, tileTimeMs: 40 });
    expect(sizes.slice(0, 2)).toEqual([256, 256]);
    const tile = sizes[2]! - 64;
    expect(tile).toBe(100);
    expect(sizes.length).toBe(2 + 4 * 3);
    // The same model again: no new probe, the same tiles, so the same result to the bit.
    sizes.length = 0;
    const again = await denoiseTiled(image, runner, { overlap: 32, tileTimeMs: 40 });
    expect(sizes).toEqual(new Array(12).fill(164));
    expect(again).toEqual(out);
    // An identity model: tiling changes nothing whatever the tile size.
    let worst = 0;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - image.data[i]!));
    expect(worst).toBeLessThan(1e-6);
  });

  it('tile size follows the memory budget', () => {
    expect(chooseTileSize({ channels: 3, overlap: 32, freeBytes: 16 * 1024 ** 3 })).toBe(1024);
    // 256 MiB free → 64 MiB budget → √(64Mi / 768) = 295 → minus 2·32 = 231
    expect(chooseTileSize({ channels: 3, overlap: 32, freeBytes: 256 * 1024 ** 2 })).toBe(231);
    expect(chooseTileSize({ channels: 3, overlap: 32, freeBytes: 1024 ** 2 })).toBe(128);
    expect(chooseTileSize({ channels: 1, overlap: 32, freeBytes: 16 * 1024 ** 3, imageSide: 300 })).toBe(300);
  });

  it('memory of one tile, by the same model: what lets the CLI refuse a --tile that cannot fit', () => {
    // 8192-pixel core + 2·256 context on a wide image: 8704 × (2 + 512) pixels × 64 maps × 4 bytes × 3.
    expect(tileMemoryBytes({ width: 65536, height: 2, channels: 3, tile: 8192, overlap: 256 })).toBe(8704 * 514 * 768);
    // The largest tile the ranges allow, on an image that large: about 54 GiB, more than most machines.
    expect(tileMemoryBytes({ width: 9000, height: 9000, channels: 3, tile: 8192, overlap: 256 }) / 2 ** 30).toBeCloseTo(
      54.19,
      1,
    );
    // chooseTileSize's own tiles stay within its budget (a quarter of free memory).
    const tile = chooseTileSize({ channels: 3, overlap: 32, freeBytes: 256 * 1024 ** 2 });
    expect(tileMemoryBytes({ width: 4000, height: 3000, channels: 3, tile, overlap: 32 })).toBeLessThanOrEqual(
      (256 * 1024 ** 2) / 4,
    );
  });
});
