// `denoise --strength/--luminance/--chroma/--detail` with the shipped model on a small noisy crop:
// each control moves the result the way its help text says, measured against the clean crop.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../../main/imaging/codec.js';
import { compareImages } from '../../../main/imaging/metrics.js';
import type { Image } from '../../../main/imaging/image.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const CROPS = path.resolve('test/fixtures/imaging/crops');
const CLEAN = path.join(CROPS, 'astronaut_crop.png');
const NOISY = path.join(CROPS, 'astronaut_gaussian25.png');
let dir: string;
let clean: Image;
let noisy: Image;

async function denoise(name: string, ...options: string[]): Promise<{ image: Image; json: Record<string, unknown> }> {
  const out = path.join(dir, `${name}.png`);
  const r = await cli('denoise', NOISY, '--out', out, '--sigma', '25', '--json', ...options);
  expect(r.code, r.err).toBe(0);
  return { image: await readImage(out), json: (JSON.parse(r.out) as { files: Record<string, unknown>[] }).files[0]! };
}

/** Mean colour difference (R − G, B − G) energy: what colour noise adds. */
function chromaEnergy(a: Image, b: Image): number {
  const hw = a.width * a.height;
  let s = 0;
  for (let i = 0; i < hw; i++) {
    const ca = [a.data[i]! - a.data[hw + i]!, a.data[2 * hw + i]! - a.data[hw + i]!];
    const cb = [b.data[i]! - b.data[hw + i]!, b.data[2 * hw + i]! - b.data[hw + i]!];
    s += (ca[0]! - cb[0]!) ** 2 + (ca[1]! - cb[1]!) ** 2;
  }
  return s / hw;
}

beforeAll(async () => {
  dir = tempDir('denoise-controls-');
  clean = await readImage(CLEAN);
  noisy = await readImage(NOISY);
});

describe('denoise controls (CLI)', () => {
  it('strength scales the level the model is told: lower keeps more of the input', async () => {
    const one = await denoise('s1');
    const none = await denoise('s0', '--strength', '0');
    expect(one.json.model_sigma).toBe(25);
    expect(none.json.model_sigma).toBe(0);
    const psnrOne = compareImages(clean, one.image).psnr;
    expect(psnrOne).toBeGreaterThan(compareImages(clean, noisy).psnr + 6);
    // Told "no noise", the model still smooths a little, but keeps far more of the input.
    expect(compareImages(clean, none.image).psnr).toBeLessThan(psnrOne - 3);
    expect(compareImages(noisy, none.image).psnr).toBeGreaterThan(compareImages(noisy, one.image).psnr + 2);
  });

  it('chroma 0 keeps the colour noise, luminance 0 the luminance noise', async () => {
    const full = (await denoise('full')).image;
    const keepColour = (await denoise('c0', '--chroma', '0')).image;
    const keepLuma = (await denoise('l0', '--luminance', '0')).image;
    expect(chromaEnergy(keepColour, clean)).toBeGreaterThan(3 * chromaEnergy(full, clean));
    expect(chromaEnergy(keepLuma, clean)).toBeLessThan(1.5 * chromaEnergy(full, clean));
    expect(compareImages(clean, keepLuma).psnr_y).toBeLessThan(compareImages(clean, full).psnr_y - 3);
  });

  it('detail gives back fine structure: the result moves toward the noisy input', async () => {
    const full = (await denoise('d0')).image;
    const half = (await denoise('d5', '--detail', '0.5')).image;
    expect(compareImages(noisy, half).psnr).toBeGreaterThan(compareImages(noisy, full).psnr + 1);
  });
});
