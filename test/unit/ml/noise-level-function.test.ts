// The estimator's readings become a noise level function of brightness: a low quantile per
// brightness bin, so texture (which the network reads as noise) does not raise the level.
import { describe, expect, it } from 'vitest';
import { createImage } from '../../../main/imaging/image.js';
import { reflectIndex } from '../../../main/imaging/image.js';
import {
  boxSmooth,
  boxSmoothInPlace,
  estimationWindows,
  levelByBrightness,
} from '../../../main/ml/inference/noise-map.js';
import { Rng } from '../../../common/rng.js';

describe('noise level function', () => {
  it('follows brightness and ignores texture spikes', () => {
    const W = 256;
    const H = 64;
    const image = createImage(W, H, 1);
    const readings = new Float32Array(W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const b = x / (W - 1);
        image.data[y * W + x] = b;
        // true level 2 + 10·b; every 4th pixel "texture" reads 30 more
        readings[y * W + x] = 2 + 10 * b + (x % 4 === 0 ? 30 : 0);
      }
    const level = levelByBrightness(readings, image, 0.25);
    for (const x of [20, 64, 128, 200, 236]) {
      const truth = 2 + (10 * x) / (W - 1);
      expect(Math.abs(level[32 * W + x]! - truth), `x ${x}`).toBeLessThan(0.6);
    }
  });

  it('box smoothing keeps a constant and averages a step', () => {
    const flat = new Float32Array(10 * 10).fill(3);
    expect(Array.from(boxSmooth(flat, 10, 10, 2)).every((v) => Math.abs(v - 3) < 1e-6)).toBe(true);
    const step = new Float32Array(10 * 10);
    for (let y = 0; y < 10; y++) for (let x = 5; x < 10; x++) step[y * 10 + x] = 1;
    const s = boxSmooth(step, 10, 10, 1);
    expect(s[5 * 10 + 4]).toBeCloseTo(1 / 3, 5);
    expect(s[5 * 10 + 5]).toBeCloseTo(2 / 3, 5);
  });

  it('box smoothing equals the mean of the mirrored (2r+1)² window, at any size and radius, in place too', () => {
    const rng = new Rng(5);
    for (const [w, h, r] of [
      [1, 1, 2],
      [7, 3, 2],
      [3, 9, 4],
      [13, 11, 1],
      [20, 6, 3],
      [5, 40, 2], // taller than the ring: rows mirrored back at the bottom come from it
      [4, 17, 3],
    ] as const) {
      const plane = new Float32Array(w * h).map(() => rng.uniform());
      const got = boxSmooth(plane, w, h, r);
      const copy = plane.slice();
      expect(boxSmoothInPlace(copy, w, h, r)).toBe(copy);
      expect(Array.from(copy), `${w}×${h} r ${r} in place`).toEqual(Array.from(got));
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let sum = 0;
          for (let dy = -r; dy <= r; dy++)
            for (let dx = -r; dx <= r; dx++) sum += plane[reflectIndex(y + dy, h) * w + reflectIndex(x + dx, w)]!;
          expect(got[y * w + x], `${w}×${h} r ${r} at ${x},${y}`).toBeCloseTo(sum / (2 * r + 1) ** 2, 5);
        }
    }
  });
});

describe('where the estimator reads a photo', () => {
  const area = (rs: { width: number; height: number }[]) => rs.reduce((n, r) => n + r.width * r.height, 0);

  it('reads a photo up to 3 MP whole, every pixel once', () => {
    for (const [w, h] of [
      [1, 1],
      [513, 200],
      [2000, 1500],
    ] as const) {
      const seen = new Uint8Array(w * h);
      for (const r of estimationWindows(w, h))
        for (let y = r.y; y < r.y + r.height; y++) for (let x = r.x; x < r.x + r.width; x++) seen[y * w + x]!++;
      expect(
        seen.every((v) => v === 1),
        `${w}×${h}`,
      ).toBe(true);
    }
  });

  it('reads a larger photo in windows inside it, about 3 MP in all, spread over every part', () => {
    // Strips are spread along their length only: one window spans their width.
    const cases = [
      [4000, 3000, true, true],
      [6000, 4000, true, true],
      [12000, 500, true, false],
      [20000, 200, true, false],
      [300, 20000, false, true],
    ] as const;
    for (const [w, h, alongX, alongY] of cases) {
      const windows = estimationWindows(w, h);
      expect(area(windows), `${w}×${h}`).toBeLessThanOrEqual(3_000_000);
      expect(area(windows), `${w}×${h}`).toBeGreaterThan(2_000_000);
      expect(windows.length, `${w}×${h}`).toBeGreaterThan(8);
      for (const r of windows) {
        expect(r.x >= 0 && r.y >= 0 && r.x + r.width <= w && r.y + r.height <= h, `${w}×${h}`).toBe(true);
      }
      // Every quarter of the photo, across and down, holds windows' centres.
      for (let q = 0; q < 4; q++) {
        const across = windows.filter((r) => Math.floor(((r.x + r.width / 2) / w) * 4) === q);
        const down = windows.filter((r) => Math.floor(((r.y + r.height / 2) / h) * 4) === q);
        if (alongX) expect(across.length, `${w}×${h} columns ${q}`).toBeGreaterThan(0);
        if (alongY) expect(down.length, `${w}×${h} rows ${q}`).toBeGreaterThan(0);
      }
    }
  });
});
