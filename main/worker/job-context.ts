// What a job handler gets from the worker: progress reporting, the pause/cancel control (the
// app's one RunControl, driven by the service's messages), the image store, the models the service resolved for it, and a scratch folder that is removed when the
// job ends (so a cancelled or failed job leaves no partial files behind).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { APP_MAX_MEGAPIXELS, type ImageInfo } from '../../common/contract/index.js';
import { type WorkerConfig, type WorkerModel, type WorkerProgress } from '../service/worker-protocol.js';
import type { ReadOptions } from '../imaging/codec.js';
import type { Image } from '../imaging/image.js';
import { RunControl } from '../ml/train/control.js';
import type { ImageStore } from './image-store.js';

export interface JobContextHost {
  post(message: unknown): void;
}

/**
 * How long one model run of a tiled denoise may take. onnxruntime-node runs a model synchronously
 * on this thread, so a cancel is only read between tiles: tiles sized to ~0.2 s let a cancel land
 * within a second even on a busy machine (0.4 s tiles missed it under load), at the price of some
 * extra overlap work (a default-model tile of ~450 px spends ~30 % on its 32-px borders).
 */
const TILE_TIME_MS = 200;
/** How often progress may be posted (the service re-emits the latest one at least twice a second). */
const PROGRESS_INTERVAL_MS = 100;
/** Handlers call checkpoint() often; only this often does it give the event loop a turn. */
const YIELD_INTERVAL_MS = 15;

export class JobContext {
  private lastProgress = 0;
  private pending: WorkerProgress | null = null;
  /**
   * Pause, resume and cancel, as the service asks. A job that stops at a pause point tells the
   * service (after posting its latest progress), and again when it goes on.
   */
  readonly control = new RunControl({
    yieldEveryMs: YIELD_INTERVAL_MS,
    onWait: () => {
      this.flushProgress();
      this.host.post({ type: 'paused', jobId: this.jobId, paused: true });
    },
    onResume: () => this.host.post({ type: 'paused', jobId: this.jobId, paused: false }),
  });

  constructor(
    readonly jobId: string,
    readonly config: WorkerConfig,
    readonly images: ImageStore,
    private readonly models: WorkerModel[],
    private readonly host: JobContextHost,
    /** Largest image (pixels) this job may decode. */
    readonly pixelLimit: number = APP_MAX_MEGAPIXELS * 1_000_000,
    /** Folders the job may read files from once links are followed (undefined: anywhere). */
    readonly hostRoots?: readonly string[],
  ) {}

  /** How this job reads image files: within its pixel limit, and a refusal says how to raise it. */
  get readOptions(): ReadOptions {
    return {
      limitInputPixels: this.pixelLimit,
      limitHint:
        'If this computer has the memory for it, raise the limit: the maxMegapixels setting ' +
        "(settings.json in the app's data folder).",
      ...(this.hostRoots ? { within: this.hostRoots } : {}),
    };
  }

  get scratchDir(): string {
    return path.join(this.config.sessionDir, 'jobs', this.jobId);
  }

  async makeScratchDir(): Promise<string> {
    await mkdir(this.scratchDir, { recursive: true });
    return this.scratchDir;
  }

  model(modelId: string): WorkerModel {
    const m = this.models.find((x) => x.id === modelId);
    if (!m) throw new Error(`model '${modelId}' was not resolved for this job`);
    return m;
  }

  /** Report progress; rate-limited, the last call before the end is always sent. */
  progress(p: WorkerProgress): void {
    // Chart points add up until the next post; everything else: the latest value wins.
    const history = [...(this.pending?.history ?? []), ...(p.history ?? [])];
    this.pending = { ...this.pending, ...p, ...(history.length ? { history } : {}) };
    const now = Date.now();
    if (now - this.lastProgress >= PROGRESS_INTERVAL_MS) this.flushProgress(now);
  }

  flushProgress(now = Date.now()): void {
    if (!this.pending) return;
    this.host.post({ type: 'progress', jobId: this.jobId, progress: this.pending });
    this.pending = null;
    this.lastProgress = now;
  }

  /** Store an image and tell the service about it. */
  async saveImage(
    image: Image,
    name: string,
    opts: { sourcePath?: string | null; unclipped?: boolean } = {},
  ): Promise<ImageInfo> {
    const info = await this.images.save(image, name, opts);
    this.host.post({ type: 'images', jobId: this.jobId, images: [info] });
    return info;
  }

  /**
   * A pause/cancel point. Handlers call it between units of work (a tile, a step, a file); it
   * throws RunCancelled after a cancel and waits while paused.
   */
  checkpoint(): Promise<void> {
    return this.control.checkpoint();
  }

  /** Tiling options that keep a tiled denoise cancellable and pausable between short tiles. */
  get tiling(): { checkpoint: () => Promise<void>; tileTimeMs: number } {
    return { checkpoint: () => this.checkpoint(), tileTimeMs: TILE_TIME_MS };
  }
}
