import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../../../main/files/npy.js';
import { readImage } from '../../../main/imaging/codec.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const FIX = path.resolve('test/fixtures');
const BLUR = path.join(FIX, 'imaging/models/blur5_rgb.onnx');
const BLUR_SIGMA = path.join(FIX, 'imaging/models/blur5_rgb_sigma.onnx');
let dir: string;

beforeAll(() => {
  dir = tempDir('imaging-cli-');
});

describe('metrics', () => {
  it('--json matches the shared SSIM reference and skimage PSNR', async () => {
    const r = await cli(
      'metrics',
      path.join(FIX, 'ssim/camera.png'),
      path.join(FIX, 'ssim/camera_noisy_s20_seed5.png'),
      '--json',
    );
    expect(r.code).toBe(0);
    const m = JSON.parse(r.out);
    expect(Object.keys(m)).toEqual(['psnr', 'ssim', 'mse', 'psnr_y', 'ssim_y']);
    expect(Math.abs(m.ssim - 0.3579642362365845)).toBeLessThan(1e-4);
    expect(m.ssim_y).toBe(m.ssim); // gray: luma is the image
    expect(m.psnr).toBeCloseTo(10 * Math.log10((255 * 255) / m.mse), 9);
  });

  it('different sizes: clear error, exit 1; identical: psnr null', async () => {
    const r = await cli('metrics', path.join(FIX, 'ssim/camera.png'), path.join(FIX, 'ssim/chelsea.png'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/images differ in size: 512×512 vs 451×300/);
    const same = await cli('metrics', path.join(FIX, 'ssim/chelsea.png'), path.join(FIX, 'ssim/chelsea.png'), '--json');
    expect(JSON.parse(same.out)).toMatchObject({ psnr: null, ssim: 1, mse: 0 });
  });

  it('a 1×1 image: SSIM needs 11×11', async () => {
    const one = path.join(dir, 'one.png');
    await sharp({ create: { width: 1, height: 1, channels: 3, background: 'red' } })
      .png()
      .toFile(one);
    const r = await cli('metrics', one, one);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/1×1; SSIM needs at least 11×11/);
  });
});

describe('noise', () => {
  const clean = path.join(FIX, 'imaging/crops/coffee_crop.png');

  it('PNG output is reproducible with --seed and has the asked σ', async () => {
    const a = path.join(dir, 'n1.png');
    const b = path.join(dir, 'n2.png');
    expect((await cli('noise', clean, '--out', a, '--type', 'gaussian', '--level', '10', '--seed', '5')).code).toBe(0);
    expect((await cli('noise', clean, '--out', b, '--type', 'gaussian', '--level', '10', '--seed', '5')).code).toBe(0);
    const [x, y, c] = await Promise.all([readImage(a), readImage(b), readImage(clean)]);
    expect(Buffer.from(x.data.buffer).equals(Buffer.from(y.data.buffer))).toBe(true);
    let s2 = 0;
    for (let i = 0; i < x.data.length; i++) s2 += ((x.data[i]! - c.data[i]!) * 255) ** 2;
    expect(Math.sqrt(s2 / x.data.length)).toBeGreaterThan(9);
    expect(Math.sqrt(s2 / x.data.length)).toBeLessThan(11);
    const again = await cli('noise', clean, '--out', a, '--type', 'gaussian', '--level', '10');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
  });

  it('--no-clip writes float .npy (0–255, N×C×H×W or H×W×C) and float TIFF; refuses PNG', async () => {
    const npy = path.join(dir, 'n.npy');
    const r = await cli(
      'noise',
      clean,
      '--out',
      npy,
      '--type',
      'gaussian',
      '--level',
      '50',
      '--no-clip',
      '--seed',
      '1',
    );
    expect(r.code).toBe(0);
    const a = await readNpy(npy);
    expect(a.shape).toEqual([1, 3, 96, 96]);
    expect(Math.min(...a.data)).toBeLessThan(-20);
    expect(Math.max(...a.data)).toBeGreaterThan(275);
    const hwc = path.join(dir, 'n_hwc.npy');
    await cli(
      'noise',
      clean,
      '--out',
      hwc,
      '--type',
      'gaussian',
      '--level',
      '50',
      '--no-clip',
      '--seed',
      '1',
      '--layout',
      'hwc',
    );
    const b = await readNpy(hwc);
    expect(b.shape).toEqual([96, 96, 3]);
    expect(b.data[5 * 3 + 2]).toBe(a.data[2 * 96 * 96 + 5]);
    const tif = path.join(dir, 'n.tif');
    expect((await cli('noise', clean, '--out', tif, '--type', 'speckle', '--level', '0.3', '--no-clip')).code).toBe(0);
    expect((await sharp(tif).metadata()).depth).toBe('float');
    const png = await cli(
      'noise',
      clean,
      '--out',
      path.join(dir, 'x.png'),
      '--type',
      'gaussian',
      '--level',
      '5',
      '--no-clip',
    );
    expect(png.code).toBe(2);
    expect(png.err).toMatch(/--no-clip keeps values outside 0–255, which \.png .* write \.npy or \.tif/);
    expect(existsSync(path.join(dir, 'x.png'))).toBe(false);
  });

  it('bad options are usage errors', async () => {
    const r = await cli(
      'noise',
      clean,
      '--out',
      path.join(dir, 'y.png'),
      '--type',
      'poisson-gaussian',
      '--level',
      '30',
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/needs --level photons,sigma/);
  });
});

describe('noise --type camera', () => {
  const clean = path.join(FIX, 'imaging/crops/coffee_crop.png');
  const camera = (out: string, ...more: string[]) =>
    cli('noise', clean, '--out', path.join(dir, out), '--type', 'camera', ...more);

  it('is reproducible per seed; --json σ is the mean of the map and matches the noise measured against --clean-out', async () => {
    const map = path.join(dir, 'cam-map.npy');
    const ref = path.join(dir, 'cam-clean.png');
    const r = await camera(
      'cam1.png',
      '--level',
      'medium',
      '--seed',
      '3',
      '--noise-map',
      map,
      '--clean-out',
      ref,
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ type: 'camera', seed: 3, level: 'medium', noise_map: map, clean_out: ref });
    // The medium band of the shot noise, and no JPEG unless asked.
    expect(report.pipeline.shot).toBeGreaterThanOrEqual(5e-4);
    expect(report.pipeline.shot).toBeLessThanOrEqual(2.4e-3);
    expect(report.pipeline.jpegQuality).toBeNull();

    const again = await camera('cam2.png', '--level', 'medium', '--seed', '3');
    const other = await camera('cam3.png', '--level', 'medium', '--seed', '4');
    expect([again.code, other.code]).toEqual([0, 0]);
    const [a, b, c, noisyRef] = await Promise.all(
      ['cam1.png', 'cam2.png', 'cam3.png', 'cam-clean.png'].map((f) => readImage(path.join(dir, f))),
    );
    expect(Buffer.from(a!.data.buffer).equals(Buffer.from(b!.data.buffer))).toBe(true);
    expect(Buffer.from(a!.data.buffer).equals(Buffer.from(c!.data.buffer))).toBe(false);

    const m = await readNpy(map);
    expect(m.shape).toEqual([1, 3, 96, 96]);
    let sum = 0;
    for (const v of m.data) sum += v;
    const mean = sum / m.data.length;
    expect(mean).toBeCloseTo(report.sigma_mean, 4);
    expect(mean).toBeGreaterThan(7); // medium: σ about 7–16 on a mid-grey photo
    expect(mean).toBeLessThan(16);
    // The noise in the file, measured against the clean pipeline: its RMS is the map's RMS, plus
    // the 8-bit rounding (1/12 grey level²) the map leaves out.
    let noise2 = 0;
    let map2 = 0;
    for (let i = 0; i < a!.data.length; i++) {
      noise2 += ((a!.data[i]! - noisyRef!.data[i]!) * 255) ** 2;
      map2 += m.data[i]! ** 2;
    }
    const measured = Math.sqrt(noise2 / a!.data.length);
    const predicted = Math.sqrt(map2 / a!.data.length + 1 / 12);
    expect(measured / predicted).toBeGreaterThan(0.9);
    expect(measured / predicted).toBeLessThan(1.1);
  });

  it('explicit camera parameters are used as given; a float TIFF map; --jpeg-quality compresses', async () => {
    const map = path.join(dir, 'cam-map.tif');
    const r = await camera(
      'cam-x.png',
      '--shot',
      '0.004',
      '--read',
      '1e-5',
      '--cfa',
      'gbrg',
      '--demosaic',
      'bilinear',
      '--jpeg-quality',
      '75',
      '--noise-map',
      map,
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const { pipeline, level } = JSON.parse(r.out);
    expect(level).toBeNull();
    expect(pipeline).toMatchObject({ shot: 0.004, read: 1e-5, cfa: 'GBRG', demosaic: 'bilinear', jpegQuality: 75 });
    const meta = await sharp(map).metadata();
    expect([meta.depth, meta.channels, meta.width]).toEqual(['float', 3, 96]);
    // The JPEG step leaves its 8×8 blocks: the same camera without it gives another file.
    const plain = await camera(
      'cam-y.png',
      '--shot',
      '0.004',
      '--read',
      '1e-5',
      '--cfa',
      'GBRG',
      '--demosaic',
      'bilinear',
    );
    expect(plain.code).toBe(0);
    const [x, y] = await Promise.all([readImage(path.join(dir, 'cam-x.png')), readImage(path.join(dir, 'cam-y.png'))]);
    expect(Buffer.from(x.data.buffer).equals(Buffer.from(y.data.buffer))).toBe(false);
  });

  it('refuses an existing output of the set before writing any of it', async () => {
    const taken = path.join(dir, 'cam-taken.npy');
    writeFileSync(taken, 'keep');
    const r = await camera('cam-new.png', '--level', 'low', '--noise-map', taken);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cam-taken\.npy: already exists/);
    expect(existsSync(path.join(dir, 'cam-new.png'))).toBe(false);
  });
});

describe('denoise', () => {
  it('a folder, recursively, keeping the structure; one bad file does not stop the batch', async () => {
    const src = path.join(dir, 'photos');
    mkdirSync(path.join(src, 'sub/deeper'), { recursive: true });
    copyFileSync(path.join(FIX, 'imaging/crops/coffee_gaussian25.png'), path.join(src, 'a.png'));
    copyFileSync(path.join(FIX, 'imaging/crops/camera_gaussian25.png'), path.join(src, 'sub/b.png'));
    await sharp(path.join(FIX, 'imaging/crops/astronaut_gaussian25.png'))
      .jpeg()
      .toFile(path.join(src, 'sub/deeper/c.jpg'));
    writeFileSync(path.join(src, 'sub/broken.png'), Buffer.from('garbage garbage garbage'));
    writeFileSync(path.join(src, 'notes.txt'), 'not an image, skipped');
    const out = path.join(dir, 'clean');
    const r = await cli('denoise', src, '--out', out, '--model', BLUR, '--tile', '40', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ succeeded: 3, failed: 1 });
    const byInput = Object.fromEntries(doc.files.map((f: { input: string }) => [path.relative(src, f.input), f]));
    expect(byInput['sub/broken.png']).toMatchObject({
      ok: false,
      error: expect.stringMatching(/broken\.png: not a readable PNG file/),
    });
    expect(byInput['a.png']).toMatchObject({ ok: true, width: 96, height: 96, sigma_source: 'estimated' });
    expect(byInput['a.png'].sigma).toBeGreaterThan(18);
    expect(byInput['a.png'].sigma).toBeLessThan(30);
    expect(typeof byInput['a.png'].ms).toBe('number');
    expect(existsSync(path.join(out, 'sub/deeper/c.jpg'))).toBe(true);
    expect(existsSync(path.join(out, 'sub/broken.png'))).toBe(false);
    const b = await readImage(path.join(out, 'sub/b.png'));
    expect(b.channels).toBe(1);
    // A blur lowers the noise: the output is closer to the clean crop than the noisy input was.
    const m1 = JSON.parse(
      (await cli('metrics', path.join(FIX, 'imaging/crops/camera_crop.png'), path.join(src, 'sub/b.png'), '--json'))
        .out,
    );
    const m2 = JSON.parse(
      (await cli('metrics', path.join(FIX, 'imaging/crops/camera_crop.png'), path.join(out, 'sub/b.png'), '--json'))
        .out,
    );
    expect(m2.psnr).toBeGreaterThan(m1.psnr + 3);
    expect(readdirSync(path.join(out, 'sub')).sort()).toEqual(['b.png', 'deeper']);
  });

  it('single file to a file, --sigma reaches a noise-level model; errors for missing model and output clash', async () => {
    const input = path.join(FIX, 'imaging/crops/coffee_crop.png');
    const outFile = path.join(dir, 'single.png');
    const r = await cli('denoise', input, '--out', outFile, '--model', BLUR_SIGMA, '--sigma', '25.5', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).files[0]).toMatchObject({ ok: true, sigma: 25.5, sigma_source: 'given' });
    const again = await cli('denoise', input, '--out', outFile, '--model', BLUR_SIGMA, '--sigma', '25.5');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
    const noModel = await cli('denoise', input, '--out', outFile, '--model', path.join(dir, 'nope.onnx'));
    expect(noModel.code).toBe(2);
    expect(noModel.err).toMatch(/nope\.onnx: no such file/);
    const wrong = await cli(
      'denoise',
      input,
      '--out',
      path.join(dir, 'w.png'),
      '--model',
      path.join(FIX, 'imaging/models/wrong_flat_input.onnx'),
    );
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/not an image model: it takes vectors of \d+ values, not pictures/);
  });

  it('a folder passed where a file is expected, and an unwritable output', async () => {
    const folder = path.join(dir, 'empty-folder.png');
    mkdirSync(folder);
    const r = await cli('denoise', folder, '--out', path.join(dir, 'o'), '--model', BLUR);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no image files found/);
    const blocker = path.join(dir, 'blocker');
    writeFileSync(blocker, 'x');
    const w = await cli(
      'denoise',
      path.join(FIX, 'imaging/crops/camera_crop.png'),
      '--out',
      path.join(blocker, 'x.png'),
      '--model',
      BLUR,
      '--json',
    );
    expect(w.code).toBe(1);
    expect(JSON.parse(w.out).files[0].error).toMatch(/blocker/);
  });
});
