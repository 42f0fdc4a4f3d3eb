// The chart history of a training run, kept by the service so that a page that reloads (or a
// second window) can redraw the run's charts from the start: `jobs:history` answers with it.
//
// Bounded: each series holds at most `maxPoints`. When a series is full, every other point goes,
// counted back from the newest, so the history stays spread evenly over the whole run (rather than
// dense at the end) and the newest point is always the exact last report.
//
// Free of Node imports: the renderer's chart table thins the same way (renderer/src/lab/series.ts).
import type { HistoryPoint, HistorySeries } from './contract/index.js';

/** Points per series the service keeps for one run. */
export const HISTORY_MAX_POINTS = 1000;

/** Loss points the worker reports per run at most (besides the exact latest one). */
export const HISTORY_LOSS_POINTS = 500;

/**
 * Whether the worker records the loss of this step: every step of a short run, evenly spaced steps
 * of a long one (about HISTORY_LOSS_POINTS in all), and always the last.
 */
export function recordsLossAt(step: number, totalSteps: number): boolean {
  const stride = Math.max(1, Math.floor(totalSteps / HISTORY_LOSS_POINTS));
  return step % stride === 0 || step === totalSteps;
}

/** Keeps every other item, counted back from the last one (which always stays). */
export function halveKeepingLast<T>(items: readonly T[]): T[] {
  const n = items.length;
  return items.filter((_, i) => (n - 1 - i) % 2 === 0);
}

export class RunHistory {
  private readonly series = new Map<HistorySeries, HistoryPoint[]>();

  constructor(private readonly maxPoints = HISTORY_MAX_POINTS) {}

  add(point: HistoryPoint): void {
    let list = this.series.get(point.series);
    if (!list) this.series.set(point.series, (list = []));
    const last = list.at(-1);
    // A step reported again (the exact latest loss, sent with each progress message) replaces it.
    if (last && last.step === point.step) list[list.length - 1] = point;
    // Steps only go forward within a run; anything older is a late duplicate.
    else if (!last || point.step > last.step) list.push(point);
    if (list.length > this.maxPoints) this.series.set(point.series, halveKeepingLast(list));
  }

  /** Every kept point, in step order (series interleaved). */
  points(): HistoryPoint[] {
    return [...this.series.values()].flat().sort((a, b) => a.step - b.step);
  }

  clear(): void {
    this.series.clear();
  }
}
