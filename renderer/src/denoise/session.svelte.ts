// The Denoise workspace's state: the photos the user opened (the batch queue), and for each its
// clean original, the optional corrupted copy, the denoised result and their scores. Every step
// is a job of the service; this module only sequences them and keeps the images it no longer
// shows released. The photographer's controls are global; each result remembers the settings it
// was made with, so a result made with others is marked stale, and a live preview of the visible
// region shows what the current settings would do.
import { api, runJob } from '../api/index.js';
import type { Region } from '../../../common/contract/index.js';
import type { EvaluateResult, ImageInfo, NoiseType } from '../api/index.js';
import { app } from '../lib/app.svelte.js';
import { errorText } from '../lib/failure.js';
import { isCancelled } from '../lib/format.js';
import { jobs } from '../lib/jobs.svelte.js';
import { notices } from '../lib/notices.svelte.js';

export type ItemStatus = 'opening' | 'ready' | 'queued' | 'denoising' | 'done' | 'failed';

export interface Item {
  key: number;
  name: string;
  status: ItemStatus;
  error: string | null;
  /** The photo as opened. */
  original: ImageInfo | null;
  /**
   * What results are scored against when it is not the original: camera noise's noise-free twin
   * (the same simulated camera without noise; demosaicking alone changes a photo).
   */
  reference: ImageInfo | null;
  /** The original corrupted on purpose (so the app can score itself), or null. */
  noisy: ImageInfo | null;
  noiseLabel: string | null;
  denoised: ImageInfo | null;
  /** Which model made `denoised`. */
  denoisedWith: string | null;
  noisyScore: EvaluateResult | null;
  denoisedScore: EvaluateResult | null;
  estimate: number | null;
  /** The settings `denoised` was made with. */
  denoisedSettings: DenoiseSettings | null;
  /** The latest live preview: a region of the photo denoised with newer settings. */
  preview: Preview | null;
}

/** The photographer's controls (the contract's denoise fields; main/imaging/denoise-controls.ts). */
export interface DenoiseControls {
  /** Multiplies the noise level the model is told (models with a noise-level input). */
  strength: number;
  /** Fraction of the luminance noise removal kept. */
  luminance: number;
  /** Fraction of the colour noise removal kept. */
  chroma: number;
  /** Fraction of the removed fine detail given back. */
  detail: number;
}
export const DEFAULT_CONTROLS: Readonly<DenoiseControls> = { strength: 1, luminance: 1, chroma: 1, detail: 0 };

/** Everything a result depends on besides the photo and the model. */
export interface DenoiseSettings extends DenoiseControls {
  sigma: number | 'auto';
}

export interface Preview {
  image: ImageInfo;
  /** Where `image` lies in the photo, in its pixels. */
  region: Region;
  settings: DenoiseSettings;
}

/** Most pixels one preview covers: about a second of a real model's work; the view's centre wins. */
export const PREVIEW_MAX_PIXELS = 1_000_000;

export function sameSettings(a: DenoiseSettings, b: DenoiseSettings): boolean {
  return (
    a.sigma === b.sigma &&
    a.strength === b.strength &&
    a.luminance === b.luminance &&
    a.chroma === b.chroma &&
    a.detail === b.detail
  );
}

/** The settings in a few words, for the result's caption. */
export function settingsLabel(s: DenoiseSettings): string {
  const pct = (v: number) => `${Math.round(v * 100)} %`;
  return [
    s.sigma === 'auto' ? 'σ auto' : `σ ${s.sigma}`,
    `strength ${s.strength}`,
    `luminance ${pct(s.luminance)}`,
    `colour ${pct(s.chroma)}`,
    `detail ${pct(s.detail)}`,
  ].join(' · ');
}

/** What "Add noise" offers: the synthetic noise models, or a simulated camera. */
export type AddedNoise = NoiseType | 'camera';

/** The camera levels of the slider (0–3): ISO-like levels, the last also saved as a JPEG of quality 75. */
export const CAMERA_STEPS = [
  { level: 'low', jpegQuality: null, label: 'low' },
  { level: 'medium', jpegQuality: null, label: 'medium' },
  { level: 'high', jpegQuality: null, label: 'high' },
  { level: 'medium', jpegQuality: 75, label: 'medium, JPEG q 75' },
] as const;

export interface NoiseSettings {
  enabled: boolean;
  type: AddedNoise;
  level: number;
  /** Poisson-Gaussian read noise σ. */
  readSigma: number;
  seed: number;
}

/** Slider range and default level per noise type (levels as in the contract). */
export const NOISE_LEVELS: Record<
  AddedNoise,
  { min: number; max: number; step: number; value: number; label: string }
> = {
  gaussian: { min: 0, max: 100, step: 1, value: 25, label: 'σ (0–255 scale)' },
  poisson: { min: 1, max: 255, step: 1, value: 30, label: 'photons at full scale' },
  'poisson-gaussian': { min: 1, max: 255, step: 1, value: 30, label: 'photons at full scale' },
  'salt-pepper': { min: 0, max: 0.5, step: 0.01, value: 0.05, label: 'fraction of pixels' },
  speckle: { min: 0, max: 1, step: 0.01, value: 0.2, label: 'multiplicative σ' },
  mask: { min: 0, max: 0.9, step: 0.01, value: 0.2, label: 'dropped fraction' },
  camera: { min: 0, max: 3, step: 1, value: 1, label: 'camera level' },
};

export function noiseLabel(n: NoiseSettings): string {
  switch (n.type) {
    case 'camera':
      return `camera ${CAMERA_STEPS[n.level]?.label ?? n.level}`;
    case 'gaussian':
      return `gaussian σ=${n.level}`;
    case 'poisson-gaussian':
      return `poisson ${n.level} photons + σ=${n.readSigma}`;
    case 'poisson':
      return `poisson ${n.level} photons`;
    default:
      return `${n.type} ${n.level}`;
  }
}

const IMAGE_FILTER = [{ name: 'Images', extensions: ['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'avif', 'gif'] }];

let nextKey = 1;

class DenoiseSession {
  items = $state<Item[]>([]);
  currentKey = $state<number | null>(null);
  noise = $state<NoiseSettings>({ enabled: false, type: 'gaussian', level: 25, readSigma: 5, seed: 1 });
  /** 'auto' = estimate σ per image (noise-level-conditioned models only). */
  sigma = $state<number | 'auto'>('auto');
  busy = $state(false);
  controls = $state<DenoiseControls>({ ...DEFAULT_CONTROLS });
  /** Which preview request is the latest (older ones are dropped when they finish). */
  private previewSeq = 0;
  private previewJob: string | null = null;

  /** The settings a denoise started now would use. */
  get settings(): DenoiseSettings {
    return { sigma: this.sigma, ...$state.snapshot(this.controls) };
  }

  /** Whether the photo's result was made with other settings than the current ones. */
  isStale(item: Item): boolean {
    return !!item.denoised && !!item.denoisedSettings && !sameSettings(item.denoisedSettings, this.settings);
  }

  get current(): Item | null {
    return this.items.find((i) => i.key === this.currentKey) ?? null;
  }

  /** What the model is given: the corrupted copy when there is one, else the photo as opened. */
  inputOf(item: Item): ImageInfo | null {
    return item.noisy ?? item.original;
  }

  /** Asks for photos (native dialog, or the browser's file chooser) and opens them. */
  async pickAndOpen(): Promise<void> {
    try {
      const paths = await api.files.pickFiles({ title: 'Open photos', filters: IMAGE_FILTER, multiple: true });
      // The browser's chooser uploads the files: the paths it returns are temporary.
      if (paths.length) await this.open(paths, { uploads: app.webDoor });
    } catch (e) {
      notices.failed(`Could not open`, e);
    }
  }

  /** Opens files (drops, file picker) or host paths (recent files) into the queue. */
  async open(sources: (File | string)[], opts: { uploads?: boolean } = {}): Promise<void> {
    const added: Item[] = sources.map((s) => ({
      key: nextKey++,
      name: typeof s === 'string' ? (s.split(/[\\/]/).pop() ?? s) : s.name,
      status: 'opening',
      error: null,
      original: null,
      reference: null,
      noisy: null,
      noiseLabel: null,
      denoised: null,
      denoisedWith: null,
      noisyScore: null,
      denoisedScore: null,
      estimate: null,
      denoisedSettings: null,
      preview: null,
    }));
    this.items = [...this.items, ...added];
    if (this.currentKey === null || !this.current?.original) this.currentKey = added[0]?.key ?? this.currentKey;
    for (const [i, source] of sources.entries()) {
      const item = this.items.find((it) => it.key === added[i]!.key)!;
      try {
        item.original = await api.images.open(source);
        item.name = item.original.name;
        item.status = 'ready';
        // In the web door a dropped or picked File is uploaded to a temporary file that is gone
        // after a restart: only photos opened by their own path are worth remembering.
        const uploaded = opts.uploads === true || (app.webDoor && typeof source !== 'string');
        if (item.original.sourcePath && !uploaded) void app.addRecent(item.original.sourcePath);
        if (this.noise.enabled) await this.corrupt(item);
      } catch (e) {
        item.status = 'failed';
        item.error = errorText(e);
        notices.failed(`Could not open ${item.name}`, e);
      }
    }
    // Show the first photo that did open, rather than a failed one.
    if (this.current?.status === 'failed') {
      const ok = this.items.find((it) => it.original);
      if (ok) this.currentKey = ok.key;
    }
  }

  async remove(key: number): Promise<void> {
    const item = this.items.find((i) => i.key === key);
    if (!item) return;
    this.items = this.items.filter((i) => i.key !== key);
    if (this.currentKey === key) this.currentKey = this.items[0]?.key ?? null;
    for (const img of [
      item.original,
      item.reference,
      item.noisy,
      item.denoised,
      item.noisyScore?.ssimMap,
      item.denoisedScore?.ssimMap,
      item.preview?.image,
    ])
      if (img) void api.images.release({ imageId: img.imageId }).catch(() => undefined);
  }

  private release(img: ImageInfo | null | undefined) {
    if (img) void api.images.release({ imageId: img.imageId }).catch(() => undefined);
  }

  /** Replaces the corrupted copy with one made from the current noise settings (or removes it). */
  async corrupt(item: Item): Promise<void> {
    if (!item.original) return;
    const oldNoisy = item.noisy;
    const oldScore = item.noisyScore;
    if (!this.noise.enabled) {
      this.release(item.reference);
      item.reference = null;
      item.noisy = null;
      item.noisyScore = null;
      item.noiseLabel = null;
    } else {
      const n = $state.snapshot(this.noise);
      const imageId = item.original.imageId;
      const camera = CAMERA_STEPS[n.level] ?? CAMERA_STEPS[1];
      const { reference = null, ...noisy } = await jobs.run(
        {
          kind: 'add-noise',
          params:
            n.type === 'camera'
              ? { imageId, type: 'camera', level: camera.level, jpegQuality: camera.jpegQuality, seed: n.seed }
              : {
                  imageId,
                  type: n.type,
                  level: n.level,
                  seed: n.seed,
                  ...(n.type === 'poisson-gaussian' ? { gaussianSigma: n.readSigma } : {}),
                },
        },
        `Adding noise to ${item.name}`,
      );
      this.release(item.reference);
      item.reference = reference;
      item.noisy = noisy;
      item.noiseLabel = noiseLabel(n);
      item.noisyScore = await this.score(this.referenceOf(item)!, noisy, item.name);
    }
    this.release(oldNoisy);
    this.release(oldScore?.ssimMap);
    // A result made from another input no longer belongs to this one.
    this.release(item.denoised);
    this.release(item.denoisedScore?.ssimMap);
    item.denoised = null;
    item.denoisedScore = null;
    item.denoisedSettings = null;
    this.dropPreview(item);
    if (item.status === 'done') item.status = 'ready';
  }

  /** What an item's results are scored against: camera noise's noise-free twin, else the original. */
  referenceOf(item: Item): ImageInfo | null {
    return item.reference ?? item.original;
  }

  private score(reference: ImageInfo, test: ImageInfo, name: string): Promise<EvaluateResult> {
    return jobs.run(
      { kind: 'evaluate', params: { referenceId: reference.imageId, testId: test.imageId, ssimMap: true } },
      `Scoring ${name}`,
    );
  }

  /** Re-applies the noise settings to every open photo (the sliders call this, debounced). */
  async applyNoise(): Promise<void> {
    for (const item of this.items) {
      if (!item.original) continue;
      try {
        await this.corrupt(item);
      } catch (e) {
        notices.failed(`Could not add noise to ${item.name}`, e);
      }
    }
  }

  async denoise(item: Item, modelId: string): Promise<boolean> {
    const input = this.inputOf(item);
    if (!input) return false;
    item.status = 'denoising';
    item.error = null;
    const settings = this.settings;
    try {
      const out = await jobs.run(
        { kind: 'denoise', params: { imageId: input.imageId, modelId, ...settings } },
        `Denoising ${item.name}`,
      );
      this.release(item.denoised);
      this.release(item.denoisedScore?.ssimMap);
      item.denoised = out;
      item.denoisedWith = modelId;
      item.denoisedSettings = settings;
      this.dropPreview(item);
      const reference = this.referenceOf(item);
      item.denoisedScore = item.noisy && reference ? await this.score(reference, out, item.name) : null;
      item.status = 'done';
      return true;
    } catch (e) {
      item.status = isCancelled(e) ? 'ready' : 'failed';
      item.error = isCancelled(e) ? null : errorText(e);
      if (!isCancelled(e)) notices.failed(`Denoising ${item.name} failed`, e);
      return false;
    }
  }

  /** Denoises every open photo in turn (again where its result is stale); each shows its status in the queue. */
  async denoiseAll(modelId: string): Promise<void> {
    const todo = this.items.filter((i) => i.original && (i.status !== 'done' || this.isStale(i)));
    for (const i of todo) i.status = 'queued';
    this.busy = true;
    try {
      for (const item of todo) {
        const live = this.items.find((i) => i.key === item.key);
        if (!live || live.status !== 'queued') continue;
        await this.denoise(live, modelId);
      }
    } finally {
      for (const i of this.items) if (i.status === 'queued') i.status = 'ready';
      this.busy = false;
    }
  }

  /**
   * Re-runs only `region` of the photo with the current settings and shows it over the result.
   * Previews supersede each other: starting one cancels the one still running, and a preview that
   * finishes after a newer one was asked for is dropped. Not shown in the jobs dock: it is short,
   * and the dock coming and going would resize the viewer under the user.
   */
  async preview(item: Item, modelId: string, region: Region): Promise<void> {
    const input = this.inputOf(item);
    if (!input || !item.denoised) return;
    const over = item.denoised.imageId;
    const seq = ++this.previewSeq;
    const running = this.previewJob;
    this.previewJob = null;
    if (running) void api.jobs.cancel({ jobId: running }).catch(() => undefined);
    const settings = this.settings;
    try {
      const image = await runJob(
        api,
        { kind: 'denoise', params: { imageId: input.imageId, modelId, ...settings, region } },
        (e) => {
          if (seq === this.previewSeq) this.previewJob = e.jobId;
        },
      );
      const live = this.items.find((i) => i.key === item.key);
      // Superseded, the photo closed, or its result replaced meanwhile: this preview shows nothing.
      if (seq !== this.previewSeq || !live || live.denoised?.imageId !== over) {
        this.release(image);
        return;
      }
      this.dropPreview(live);
      live.preview = { image, region, settings };
    } catch (e) {
      if (!isCancelled(e) && seq === this.previewSeq) notices.failed(`Preview failed`, e);
    } finally {
      if (seq === this.previewSeq) this.previewJob = null;
    }
  }

  private dropPreview(item: Item): void {
    this.release(item.preview?.image);
    item.preview = null;
  }

  /** The noise level as the chosen model reads it (its estimator's median, or the MAD estimate). */
  async estimate(item: Item, modelId: string | null): Promise<void> {
    const input = this.inputOf(item);
    if (!input) return;
    try {
      const r = await jobs.run(
        { kind: 'estimate-noise', params: { imageId: input.imageId, ...(modelId ? { modelId } : {}) } },
        `Estimating noise of ${item.name}`,
      );
      item.estimate = r.sigma;
    } catch (e) {
      notices.failed(`Noise estimate failed`, e);
    }
  }
}

export const session = new DenoiseSession();
