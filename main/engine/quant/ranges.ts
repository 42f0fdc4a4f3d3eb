// Calibration: the range each quantisation point's values cover over a set of sample inputs.
// The float graph runs on each batch with the points as extra outputs; the observer keeps the
// running minimum and maximum of each.
//
// Plain min/max (no percentile clipping): the shipped denoisers' activations have no stray
// outliers on photo patches, and a clipped residual stream shows as banding in smooth skies.

import type { Tensor } from '../ir/tensor.js';
import type { Range } from './scheme.js';

export class RangeObserver {
  private readonly seen = new Map<string, Range>();
  private batches = 0;

  constructor(readonly points: readonly string[]) {}

  /** Takes one batch's values of every point (a run's outputs by name). */
  observe(values: Readonly<Record<string, Tensor>>): void {
    for (const name of this.points) {
      const t = values[name];
      if (!t) throw new Error(`calibration: the run returned no value for '${name}'`);
      const d = t.data as ArrayLike<number>;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < d.length; i++) {
        const x = d[i]!;
        if (x !== x) throw new Error(`calibration: '${name}' holds NaN`);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      if (!Number.isFinite(lo) || !Number.isFinite(hi))
        throw new Error(`calibration: '${name}' holds a value that is not a finite number`);
      const r = this.seen.get(name);
      this.seen.set(name, r ? { min: Math.min(r.min, lo), max: Math.max(r.max, hi) } : { min: lo, max: hi });
    }
    this.batches++;
  }

  /** The ranges seen so far, by point. */
  ranges(): Map<string, Range> {
    if (this.batches === 0) throw new Error('calibration: no batch observed');
    return new Map(this.seen);
  }
}
