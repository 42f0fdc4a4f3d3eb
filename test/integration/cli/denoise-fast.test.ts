// `denoise --fast` and `--model default-int8`: the default's int8 twin, chosen by flag or by name,
// denoises the astronaut crop at σ 25 to its measured quality (both ways the same file); the camera
// model's twin reads the noise with the camera model's estimator; and --fast with a model that has
// no twin is refused in one line, before any work.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../../main/imaging/codec.js';
import { compareImages } from '../../../main/imaging/metrics.js';
import { modelsDir } from '../../../main/files/app-paths.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const CROPS = path.resolve('test/fixtures/imaging/crops');
const CLEAN = path.join(CROPS, 'astronaut_crop.png');
const NOISY = path.join(CROPS, 'astronaut_gaussian25.png');
let dir: string;

beforeAll(() => {
  dir = tempDir('denoise-fast-');
});

async function denoise(name: string, ...options: string[]) {
  const out = path.join(dir, `${name}.png`);
  const r = await cli('denoise', NOISY, '--out', out, '--sigma', '25', '--json', ...options);
  expect(r.code, r.err).toBe(0);
  const psnr = compareImages(await readImage(CLEAN), await readImage(out)).psnr!;
  return { model: (JSON.parse(r.out) as { model: string }).model, psnr };
}

describe('denoise --fast (CLI)', () => {
  it('runs the int8 twin, by flag or by name, close to the float default', async () => {
    const float = await denoise('float');
    const fast = await denoise('fast', '--fast');
    const named = await denoise('named', '--model', 'default-int8');
    expect(fast.model).toBe(path.join(modelsDir, 'default-int8.onnx'));
    expect(named.model).toBe(fast.model);
    expect(named.psnr).toBe(fast.psnr);
    // Measured (8-bit PNGs in and out): default 29.84 dB, default-int8 29.82 dB; floors 0.2 dB under.
    expect(float.psnr).toBeGreaterThan(29.64);
    expect(fast.psnr).toBeGreaterThan(29.62);
    expect(float.psnr - fast.psnr).toBeLessThan(0.22);
    // --fast on the twin itself is the twin.
    expect((await denoise('again', '--model', 'default-int8', '--fast')).model).toBe(fast.model);
  });

  it("runs the camera model's twin blind with the camera model's noise estimator", async () => {
    const out = path.join(dir, 'camera-fast.png');
    const r = await cli('denoise', NOISY, '--out', out, '--model', 'camera', '--fast', '--json');
    expect(r.code, r.err).toBe(0);
    const file = (JSON.parse(r.out) as { model: string; files: { estimator?: string; sigma: number }[] }).files[0]!;
    expect(JSON.parse(r.out).model).toBe(path.join(modelsDir, 'camera-int8.onnx'));
    // Read per pixel by the network (no "has no noise estimator" note), not by the wavelet fallback.
    expect(file.estimator).toBe('network');
    expect(r.err).not.toMatch(/no noise estimator/);
    // Measured: 29.81 dB (σ read 21.7 on this σ 25 crop by the estimator after its third run; 28.97
    // and σ 29.9 after its second; 28.74 before the camera model's second training run); floor 0.3
    // dB under.
    expect(compareImages(await readImage(CLEAN), await readImage(out)).psnr).toBeGreaterThan(29.51);
  });

  it('refuses --fast for a model without an int8 twin: one line, exit 2, nothing written', async () => {
    for (const model of [path.resolve('test/fixtures/imaging/models/blur5_rgb.onnx')]) {
      const out = path.join(dir, 'none.png');
      const r = await cli('denoise', NOISY, '--out', out, '--fast', '--model', model);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^denoise-lab denoise: --fast: blur5_rgb has no int8 twin .*; leave out --fast/);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
  });
});
