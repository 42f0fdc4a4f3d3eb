// Models are slow to open and big (an ONNX session, or a network's weights): the worker keeps the
// last few open in one kind of cache, keyed by file and modification time, so a model saved again
// under the same name is opened afresh. The least recently used model goes first.
import { stat } from 'node:fs/promises';

export interface ModelCacheOptions<M extends { file: string }, T> {
  /** How many models to keep open. */
  keep: number;
  /** Opens a model; its errors are the cache's (a model that fails to open is not kept). */
  load(model: M): Promise<T>;
  /** Frees a model that left the cache (closing its session); its errors are ignored. */
  release?(value: T): Promise<void>;
}

export class ModelCache<M extends { file: string }, T> {
  /** By file, least recently used first (a Map keeps insertion order). */
  private readonly open = new Map<string, { mtimeMs: number; value: Promise<T> }>();

  constructor(private readonly options: ModelCacheOptions<M, T>) {}

  /** The model in `model.file` as the file is now: the open one if the file has not changed since. */
  async get(model: M): Promise<T> {
    // A file that cannot be read is the loader's to report, in its own words.
    const mtimeMs = await stat(model.file).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (mtimeMs === undefined) return this.options.load(model);
    const hit = this.open.get(model.file);
    this.open.delete(model.file); // re-inserted below as the most recently used
    if (hit?.mtimeMs === mtimeMs) {
      this.open.set(model.file, hit);
      return hit.value;
    }
    if (hit) this.releaseLater(hit.value);
    const value = this.options.load(model);
    const entry = { mtimeMs, value };
    this.open.set(model.file, entry);
    // A model that fails to open is not kept, so a fixed file can be tried again.
    value.catch(() => {
      if (this.open.get(model.file) === entry) this.open.delete(model.file);
    });
    while (this.open.size > this.options.keep) {
      const [oldest, evicted] = this.open.entries().next().value as [string, { value: Promise<T> }];
      this.open.delete(oldest);
      this.releaseLater(evicted.value);
    }
    return value;
  }

  private releaseLater(value: Promise<T>): void {
    const release = this.options.release;
    if (release) void value.then(release).catch(() => undefined);
  }
}
