// Starting a long job is idempotent: the same request (same kind, same parameters after defaults)
// made again within a second is refused with a clear error instead of running twice. A double
// click on Start, or a script that retries too eagerly, therefore launches exactly one training.
//
// Only the long jobs that run for minutes and write files are guarded (training, batch denoising).
// Short imaging jobs may repeat: decoding the same latent point twice is harmless, and refusing it
// would show an error for nothing.
//
// Refusing was chosen over answering with the first job's id: a caller that gets an error knows
// its second request did nothing, while one handed someone else's job could release that job's
// result images or cancel it without meaning to.
import { ServiceError, type JobKind, type JobSpec } from '../../common/contract/index.js';

/** How long an identical start is refused after the first. */
export const DUPLICATE_WINDOW_MS = 1000;

/** The kinds a repeated start is refused for, named as the message says them. */
const GUARDED: Partial<Record<JobKind, string>> = { train: 'training', 'batch-denoise': 'batch denoise' };

/** The same JSON text for the same value, whatever order its keys were written in. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export class DuplicateStarts {
  /** Request key → when it was started. */
  private readonly recent = new Map<string, number>();

  constructor(private readonly windowMs = DUPLICATE_WINDOW_MS) {}

  /** Throws if the same request was started within the window. */
  check(spec: JobSpec): void {
    const what = GUARDED[spec.kind];
    if (what === undefined) return;
    const now = Date.now();
    for (const [key, at] of this.recent) if (now - at >= this.windowMs) this.recent.delete(key);
    if (this.recent.has(stableJson(spec)))
      throw new ServiceError(
        'bad-request',
        `this ${what} was started a moment ago with the same settings and is already running, so it ` +
          'was not started twice. To run a second copy, start it again after a second.',
      );
  }

  /** Remember a request that was accepted. */
  record(spec: JobSpec): void {
    if (GUARDED[spec.kind] !== undefined) this.recent.set(stableJson(spec), Date.now());
  }
}
