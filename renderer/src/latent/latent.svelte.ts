// The Latent workspace's state: which model is inspected, its encoded digits, what was decoded,
// traversed, interpolated, and the conv feature maps.
import type { ImageInfo, JobKind, JobResult, LatentEncodeResult } from '../api/index.js';
import { app } from '../lib/app.svelte.js';
import { errorText } from '../lib/failure.js';
import { jobs } from '../lib/jobs.svelte.js';
import { notices } from '../lib/notices.svelte.js';

export interface Grid {
  image: ImageInfo;
  rows: number;
  cols: number;
  /** A traversal's value range per varied dimension (columns, rows). */
  ranges?: [number, number][];
  /** The traversed dimensions (columns, rows), as they were when it ran. */
  dims?: [number, number];
}

class Latent {
  #modelId = $state<string | null>(null);
  encoded = $state<LatentEncodeResult | null>(null);
  probe = $state<JobResult<'latent-probe'> | null>(null);
  decoded = $state<{ x: number; y: number; image: ImageInfo } | null>(null);
  a = $state<{ x: number; y: number } | null>(null);
  b = $state<{ x: number; y: number } | null>(null);
  traversal = $state<Grid | null>(null);
  interpolation = $state<Grid | null>(null);
  features = $state<{ modelId: string; image: ImageInfo; channels: number; compressionRatio: number } | null>(null);
  reconstructions = $state<{ modelId: string; name: string; image: ImageInfo }[]>([]);
  /** The last error per feature, shown next to it (e.g. "not available in this build yet"). */
  errors = $state<Partial<Record<JobKind, string>>>({});

  get modelId(): string | null {
    return this.#modelId;
  }
  /** Another model: the scatter and what was decoded from it belong to the old one, so they go. */
  set modelId(id: string | null) {
    if (id === this.#modelId) return;
    this.#modelId = id;
    this.encoded = null;
    this.probe = null;
    this.decoded = null;
    this.a = this.b = null;
    this.traversal = this.interpolation = null;
  }

  private async attempt<T>(kind: JobKind, work: () => Promise<T>): Promise<T | null> {
    delete this.errors[kind];
    try {
      return await work();
    } catch (e) {
      this.errors[kind] = errorText(e);
      if (app.can(kind)) notices.failed(null, e);
      return null;
    }
  }

  async encode(count = 1000): Promise<void> {
    const modelId = this.modelId;
    if (!modelId) return;
    const r = await this.attempt('latent-encode', () =>
      jobs.run({ kind: 'latent-encode', params: { modelId, count, seed: 0 } }, 'Encoding digits'),
    );
    // A result for a model no longer picked would show under the new one's name.
    if (r && this.modelId === modelId) {
      this.encoded = r;
      this.decoded = null;
      this.a = this.b = null;
      this.probe = null;
    }
  }

  /** Classification probe: a softmax head on the frozen latent codes vs on raw pixels. */
  async runProbe(): Promise<void> {
    const modelId = this.modelId;
    if (!modelId) return;
    const r = await this.attempt('latent-probe', () =>
      jobs.run({ kind: 'latent-probe', params: { modelId } }, 'Classification probe'),
    );
    if (r && this.modelId === modelId) this.probe = r;
  }

  async decode(x: number, y: number): Promise<void> {
    const modelId = this.modelId;
    if (!modelId) return;
    const image = await this.attempt('latent-decode', () =>
      jobs.run({ kind: 'latent-decode', params: { modelId, point: [x, y], space: 'plot' } }, 'Decoding a point'),
    );
    if (image && this.modelId === modelId) this.decoded = { x, y, image };
  }

  /** A grid over two dimensions, each from its mean code − spread·σ to mean + spread·σ. */
  async traverse(dims: [number, number], spread: number, steps: number): Promise<void> {
    const modelId = this.modelId;
    if (!modelId) return;
    const r = await this.attempt('latent-traversal', () =>
      jobs.run({ kind: 'latent-traversal', params: { modelId, dims, spread, steps } }, 'Latent traversal'),
    );
    if (r && this.modelId === modelId) this.traversal = { ...r, dims };
  }

  async interpolate(steps: number): Promise<void> {
    const modelId = this.modelId;
    if (!modelId || !this.a || !this.b) return;
    const from = [this.a.x, this.a.y];
    const to = [this.b.x, this.b.y];
    const r = await this.attempt('latent-interpolate', () =>
      jobs.run({ kind: 'latent-interpolate', params: { modelId, from, to, steps, space: 'plot' } }, 'Interpolating'),
    );
    if (r && this.modelId === modelId) this.interpolation = r;
  }

  async featureMaps(modelId: string, imageId: string): Promise<void> {
    const r = await this.attempt('feature-maps', () =>
      jobs.run({ kind: 'feature-maps', params: { modelId, imageId } }, 'Feature maps'),
    );
    if (r) this.features = { modelId, image: r.image, channels: r.channels, compressionRatio: r.compressionRatio };
  }

  /** Runs each conv autoencoder on the image, for side-by-side reconstructions. */
  async reconstruct(models: { id: string; name: string }[], imageId: string): Promise<void> {
    const out: { modelId: string; name: string; image: ImageInfo }[] = [];
    for (const m of models) {
      const image = await this.attempt('denoise', () =>
        jobs.run({ kind: 'denoise', params: { imageId, modelId: m.id } }, `Reconstructing with ${m.name}`),
      );
      if (image) out.push({ modelId: m.id, name: m.name, image });
    }
    this.reconstructions = out;
  }
}

export const latent = new Latent();
