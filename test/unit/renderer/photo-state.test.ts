// What each open photo of the Denoise workspace owns: the selection the controls act on, their
// words, when a photo can be scored, and setting a photo's noisy copy and result aside for Undo.
import { describe, expect, it } from 'vitest';
import type { EvaluateResult, ImageInfo } from '../../../renderer/src/api/index.js';
import {
  clickPhoto,
  denoiseLabel,
  hasReference,
  imagesOf,
  restore,
  setAside,
  targetLabel,
  withoutPhoto,
} from '../../../renderer/src/denoise/photo-state.js';
import type { Item, NoiseSettings } from '../../../renderer/src/denoise/session.svelte.js';

const image = (imageId: string) => ({ imageId }) as ImageInfo;
const score = (psnr: number, map: string): EvaluateResult => ({
  psnr,
  ssim: 0.5,
  mse: 1,
  psnr_y: psnr,
  ssim_y: 0.5,
  ssimMap: image(map),
});
const off: NoiseSettings = { enabled: false, type: 'gaussian', level: 25, readSigma: 5, seed: 1 };
const gauss25: NoiseSettings = { ...off, enabled: true };

/** A photo that was given σ 25 noise and denoised. */
function denoisedNoisyPhoto(): Item {
  return {
    key: 1,
    name: 'a.png',
    status: 'done',
    error: null,
    original: image('orig'),
    reference: null,
    noisy: image('noisy'),
    noiseLabel: 'gaussian σ=25',
    denoised: image('den'),
    denoisedWith: 'model-1',
    noisyScore: score(20.2, 'noisy-map'),
    denoisedScore: score(27.5, 'den-map'),
    estimate: { sigma: 24.8, method: 'wavelet MAD', jpegQuality: null },
    denoisedSettings: { sigma: 'auto', strength: 1, luminance: 1, chroma: 1, detail: 0 },
    preview: null,
    noise: { ...gauss25 },
    appliedNoise: { ...gauss25 },
    undo: null,
  };
}

describe('selection', () => {
  const sel = { keys: [1], current: 1 };

  it('a plain click selects only that photo and shows it', () => {
    expect(clickPhoto({ keys: [1, 2, 3], current: 2 }, 3, false)).toEqual({ keys: [3], current: 3 });
  });

  it('a Ctrl-click adds a photo and shows it, or takes a selected one out', () => {
    const two = clickPhoto(sel, 2, true);
    expect(two).toEqual({ keys: [1, 2], current: 2 });
    expect(clickPhoto(two, 2, true)).toEqual({ keys: [1], current: 1 });
    expect(clickPhoto(two, 1, true)).toEqual({ keys: [2], current: 2 });
    // The last selected photo stays selected.
    expect(clickPhoto(sel, 1, true)).toBe(sel);
  });

  it('closing a photo keeps the rest of the selection, or selects the first photo left', () => {
    expect(withoutPhoto({ keys: [1, 3], current: 3 }, 3, [1, 2, 3])).toEqual({ keys: [1], current: 1 });
    expect(withoutPhoto({ keys: [1, 3], current: 1 }, 3, [1, 2, 3])).toEqual({ keys: [1], current: 1 });
    expect(withoutPhoto({ keys: [2], current: 2 }, 2, [1, 2, 3])).toEqual({ keys: [1], current: 1 });
    expect(withoutPhoto({ keys: [1], current: 1 }, 1, [1])).toEqual({ keys: [], current: null });
  });
});

describe('what the controls say', () => {
  it('names the one photo, or counts the selected ones', () => {
    expect(targetLabel(['chelsea.png'])).toBe('For chelsea.png');
    expect(targetLabel(['a.png', 'b.png', 'c.png'])).toBe('For 3 selected photos');
    expect(denoiseLabel(1)).toBe('Denoise this photo');
    expect(denoiseLabel(2)).toBe('Denoise 2 selected photos');
  });

  it('scores only a photo with a clean reference: one the app made noisy', () => {
    expect(hasReference({ noisy: image('noisy') })).toBe(true);
    expect(hasReference({ noisy: null })).toBe(false);
  });
});

describe('setting a noisy copy and its result aside', () => {
  it('leaves the photo as opened, with the settings it is changing to, and keeps everything made', () => {
    const item = denoisedNoisyPhoto();
    item.noise = { ...gauss25, level: 50 }; // the change that makes the result obsolete
    const saved = setAside(item);
    expect(item).toMatchObject({
      status: 'ready',
      original: image('orig'),
      noisy: null,
      noisyScore: null,
      denoised: null,
      denoisedScore: null,
      denoisedSettings: null,
      estimate: null,
      noise: { level: 50 },
    });
    expect(imagesOf(item)).toEqual([]);
    expect(saved).toMatchObject({ status: 'done', appliedNoise: gauss25, denoisedWith: 'model-1', estimate: { sigma: 24.8 } });
    expect(imagesOf(saved).map((i) => i.imageId)).toEqual(['noisy', 'noisy-map', 'den', 'den-map']);
  });

  it('a photo being denoised keeps that status', () => {
    const item = { ...denoisedNoisyPhoto(), status: 'denoising' as const };
    expect(setAside(item).status).toBe('ready');
    expect(item.status).toBe('denoising');
  });

  it('restores the result, its scores and the settings it was made with, and hands back what it displaces', () => {
    const item = denoisedNoisyPhoto();
    item.noise = { ...gauss25, level: 50 };
    const saved = setAside(item);
    // The newer noisy copy made meanwhile, and a preview.
    Object.assign(item, {
      noisy: image('noisy-50'),
      noisyScore: score(14.5, 'noisy-50-map'),
      appliedNoise: { ...gauss25, level: 50 },
      preview: { image: image('prev'), region: { x: 0, y: 0, width: 1, height: 1 }, settings: item.denoisedSettings },
    });
    const displaced = restore(item, saved);
    expect(displaced.map((i) => i.imageId)).toEqual(['noisy-50', 'noisy-50-map', 'prev']);
    expect(item).toEqual(denoisedNoisyPhoto());
    // The restored settings are the photo's own copy, not shared with what was set aside.
    item.noise.level = 10;
    expect(saved.appliedNoise.level).toBe(25);
  });
});
