// The Denoise workspace's state: the photos the user opened (the batch queue), and for each its
// source, its own noise settings, the optional corrupted copy (whose clean reference makes scores
// possible), the denoised result and their scores. Noise and denoise act on the selected photos
// only; a result that a noise change makes obsolete is set aside for Undo, not thrown away. Every
// step is a job of the service; this module only sequences them and keeps the images it no longer
// shows released. The photographer's controls are global; each result remembers the settings it
// was made with, so a result made with others is marked stale, and a live preview of the visible
// region shows what the current settings would do.
import { api, runJob } from '../api/index.js';
import type { Region } from '../../../common/contract/index.js';
import type { EstimateNoiseResult, EvaluateResult, ImageInfo, NoiseType } from '../api/index.js';
import { app } from '../lib/app.svelte.js';
import { errorText } from '../lib/failure.js';
import { isCancelled } from '../lib/format.js';
import { jobs } from '../lib/jobs.svelte.js';
import { notices } from '../lib/notices.svelte.js';
import { clickPhoto, imagesOf, restore, setAside, withoutPhoto, type NoiseOutcome } from './photo-state.js';

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
  /** The noise level as the chosen model reads it, when asked for ("Estimate noise level"). */
  estimate: EstimateNoiseResult | null;
  /** The settings `denoised` was made with. */
  denoisedSettings: DenoiseSettings | null;
  /** The latest live preview: a region of the photo denoised with newer settings. */
  preview: Preview | null;
  /** This photo's "Add noise" settings, as the noise panel shows them. */
  noise: NoiseSettings;
  /** The settings `noisy` was made with (noise off while there is none); `noise` runs ahead while a copy is made. */
  appliedNoise: NoiseSettings;
  /** What the last noise change set aside (a denoised result among it), until Undo or a new result. */
  undo: NoiseOutcome | null;
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

/** Whether a denoise of the photo is waiting or running (its noise cannot change meanwhile). */
export function isBusy(item: Item): boolean {
  return item.status === 'queued' || item.status === 'denoising';
}

const IMAGE_FILTER = [{ name: 'Images', extensions: ['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'avif', 'gif'] }];

let nextKey = 1;

class DenoiseSession {
  items = $state<Item[]>([]);
  /** The photo the viewer shows; always one of the selected. */
  currentKey = $state<number | null>(null);
  /** The photos the noise and denoise controls act on. */
  selectedKeys = $state<number[]>([]);
  /** The noise settings last chosen: a photo opened later starts from them, with noise off. */
  private lastNoise: NoiseSettings = { enabled: false, type: 'gaussian', level: 25, readSigma: 5, seed: 1 };
  /** Photos whose noise settings changed and whose noisy copy is yet to be remade. */
  private noisePending = new Set<number>();
  private noiseTimer: ReturnType<typeof setTimeout> | undefined;
  /** Per photo, which noise job is the latest (an older one that finishes later is dropped). */
  private noiseSeq = new Map<number, number>();
  /** 'auto' = estimate σ per image (noise-level-conditioned models only). */
  sigma = $state<number | 'auto'>('auto');
  busy = $state(false);
  /**
   * Photos closed with work in them (a result), latest last, kept for Undo with `index`, where each
   * was in the queue. Keeping them holds no more than they held while open.
   */
  closed = $state<{ item: Item; index: number }[]>([]);
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

  /** The selected photos, in queue order. */
  get selected(): Item[] {
    return this.items.filter((i) => this.selectedKeys.includes(i.key));
  }

  isSelected(key: number): boolean {
    return this.selectedKeys.includes(key);
  }

  /** A click on a photo in the queue; `additive` (Ctrl or ⌘ held) adds it to the selection or takes it out. */
  select(key: number, additive = false): void {
    this.setSelection(clickPhoto(this.selection, key, additive));
  }

  private get selection() {
    return { keys: this.selectedKeys, current: this.currentKey };
  }

  private setSelection(sel: { keys: readonly number[]; current: number | null }): void {
    this.selectedKeys = [...sel.keys];
    this.currentKey = sel.current;
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
      noise: { ...this.lastNoise, enabled: false },
      appliedNoise: { ...this.lastNoise, enabled: false },
      undo: null,
    }));
    this.items = [...this.items, ...added];
    if ((this.currentKey === null || !this.current?.original) && added[0]) this.select(added[0].key);
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
      } catch (e) {
        item.status = 'failed';
        item.error = errorText(e);
        notices.failed(`Could not open ${item.name}`, e);
      }
    }
    // Show the first photo that did open, rather than a failed one.
    if (this.current?.status === 'failed') {
      const ok = this.items.find((it) => it.original);
      if (ok) this.select(ok.key);
    }
  }

  /**
   * Closes a photo. One with a denoised result (or one set aside) is kept in `closed`, images and
   * all, for Undo; any other is released now.
   */
  remove(key: number): void {
    const index = this.items.findIndex((i) => i.key === key);
    const item = this.items[index];
    if (!item) return;
    this.setSelection(
      withoutPhoto(
        this.selection,
        key,
        this.items.map((i) => i.key),
      ),
    );
    this.items = this.items.filter((i) => i.key !== key);
    this.noisePending.delete(key);
    this.noiseSeq.delete(key);
    if (item.denoised || item.undo) {
      this.closed = [...this.closed, { item, index }];
    } else {
      this.releaseAll(item);
    }
  }

  /** Brings back the photo closed last with its work, where it was in the queue, and shows it. */
  reopen(): void {
    const closed = this.closed.at(-1);
    if (!closed) return;
    this.closed = this.closed.slice(0, -1);
    this.items = [...this.items.slice(0, closed.index), closed.item, ...this.items.slice(closed.index)];
    this.select(closed.item.key);
  }

  private releaseAll(item: Item): void {
    for (const img of [item.original, ...imagesOf(item), ...(item.undo ? imagesOf(item.undo) : [])]) this.release(img);
  }

  private release(img: ImageInfo | null | undefined) {
    if (img) void api.images.release({ imageId: img.imageId }).catch(() => undefined);
  }

  private isOpen(item: Item): boolean {
    return this.items.some((i) => i.key === item.key);
  }

  /**
   * Replaces the photo's corrupted copy with one made from its noise settings (or removes it). A
   * denoised result was made from the copy being replaced, so it no longer belongs to the photo:
   * it is set aside with the copy, for Undo, rather than thrown away.
   */
  async corrupt(item: Item): Promise<void> {
    const original = item.original;
    if (!original) return;
    const seq = (this.noiseSeq.get(item.key) ?? 0) + 1;
    this.noiseSeq.set(item.key, seq);
    const n = $state.snapshot(item.noise);
    let made: Pick<Item, 'reference' | 'noisy' | 'noiseLabel' | 'noisyScore'> | null = null;
    if (n.enabled) {
      const imageId = original.imageId;
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
      made = { reference, noisy, noiseLabel: noiseLabel(n), noisyScore: null };
      try {
        // Scored against the clean reference: camera noise's noise-free twin, else the photo itself.
        made.noisyScore = await this.score(reference ?? original, noisy, item.name);
      } catch (e) {
        for (const img of imagesOf(made)) this.release(img);
        throw e;
      }
      // Superseded by a newer change, or the photo closed meanwhile: this copy shows nothing.
      if (this.noiseSeq.get(item.key) !== seq || !this.isOpen(item)) {
        for (const img of imagesOf(made)) this.release(img);
        return;
      }
    } else if (!item.noisy) {
      return; // already as opened
    }
    this.dropPreview(item);
    if (item.denoised) {
      for (const img of item.undo ? imagesOf(item.undo) : []) this.release(img);
      item.undo = setAside(item);
    } else {
      for (const img of imagesOf(setAside(item))) this.release(img);
    }
    if (made) Object.assign(item, made);
    item.appliedNoise = n;
  }

  /** Brings back what the last noise change set aside from the photo (its noisy copy, result and scores). */
  undoNoise(item: Item): void {
    if (!item.undo) return;
    // A noise job still running for the photo must not replace what comes back.
    this.noiseSeq.set(item.key, (this.noiseSeq.get(item.key) ?? 0) + 1);
    this.noisePending.delete(item.key);
    const saved = item.undo;
    item.undo = null;
    for (const img of restore(item, saved)) this.release(img);
  }

  private score(reference: ImageInfo, test: ImageInfo, name: string): Promise<EvaluateResult> {
    return jobs.run(
      { kind: 'evaluate', params: { referenceId: reference.imageId, testId: test.imageId, ssimMap: true } },
      `Scoring ${name}`,
    );
  }

  /**
   * The current photo's noise settings changed (the noise panel edits them): the other selected
   * photos take the same settings, and each gets a new noisy copy once the sliders rest.
   */
  noiseChanged(): void {
    const from = this.current;
    if (!from) return;
    const n = $state.snapshot(from.noise);
    this.lastNoise = n;
    for (const item of this.selected) {
      if (!item.original) continue;
      if (item !== from) item.noise = { ...n };
      this.noisePending.add(item.key);
    }
    clearTimeout(this.noiseTimer);
    this.noiseTimer = setTimeout(() => void this.applyNoise(), 350);
  }

  private async applyNoise(): Promise<void> {
    const keys = [...this.noisePending];
    this.noisePending.clear();
    for (const key of keys) {
      const item = this.items.find((i) => i.key === key);
      if (!item) continue;
      try {
        await this.corrupt(item);
      } catch (e) {
        if (!isCancelled(e)) notices.failed(`Could not add noise to ${item.name}`, e);
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
      // The photo closed, or its input changed meanwhile: this result belongs to neither.
      if (!this.isOpen(item) || this.inputOf(item)?.imageId !== input.imageId) {
        this.release(out);
        item.status = item.denoised ? 'done' : 'ready';
        return false;
      }
      this.release(item.denoised);
      this.release(item.denoisedScore?.ssimMap);
      item.denoised = out;
      item.denoisedWith = modelId;
      item.denoisedSettings = settings;
      this.dropPreview(item);
      // A new result takes the place of the one a noise change set aside.
      if (item.undo) for (const img of imagesOf(item.undo)) this.release(img);
      item.undo = null;
      // Scores only against a clean reference: camera noise's noise-free twin, else the photo the
      // noisy copy was made from. A photo that came in noisy has none.
      item.denoisedScore = item.noisy ? await this.score(item.reference ?? item.original!, out, item.name) : null;
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
    this.busy = true;
    try {
      await this.denoiseInTurn(
        this.items.filter((i) => i.original && (i.status !== 'done' || this.isStale(i))),
        modelId,
      );
    } finally {
      this.busy = false;
    }
  }

  /** Denoises the selected photos in turn (again where they have a result). */
  async denoiseSelected(modelId: string): Promise<void> {
    await this.denoiseInTurn(
      this.selected.filter((i) => i.original && !isBusy(i)),
      modelId,
    );
  }

  private async denoiseInTurn(todo: Item[], modelId: string): Promise<void> {
    for (const i of todo) i.status = 'queued';
    try {
      for (const item of todo) {
        const live = this.items.find((i) => i.key === item.key);
        if (!live || live.status !== 'queued') continue;
        await this.denoise(live, modelId);
      }
    } finally {
      for (const i of todo) if (i.status === 'queued') i.status = 'ready';
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
      item.estimate = r;
    } catch (e) {
      notices.failed(`Noise estimate failed`, e);
    }
  }
}

export const session = new DenoiseSession();
