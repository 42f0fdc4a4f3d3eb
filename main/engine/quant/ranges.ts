// Calibration: the range each quantisation point's values are given, from the values it takes over
// a set of sample inputs. The float graph runs on each batch with the points as extra outputs; the
// observer keeps each point's minimum and maximum, and an evenly spaced sample of its values.
//
// Two ways to turn them into ranges:
//   minmax  the whole range seen: nothing is ever clipped, but a rare extreme value (a bright
//           highlight at σ 75) stretches the step for every other pixel
//   mse     the range, shrunk from min/max, whose uint8 rounding and clipping lose least on the
//           sample (mean squared error of Q/DQ): what the shipped int8 twins use, as it loses
//           least PSNR on the devset

import type { Tensor } from '../ir/tensor.js';
import { type Range, activationParams, dequantizeNumber, quantizeNumber } from './scheme.js';

export type RangeMethod = 'minmax' | 'mse';

/** Values kept per point and batch for the mse search (evenly spaced through the batch). */
const SAMPLE_PER_BATCH = 16384;
/** Fractions of the observed range the mse search tries, each side on its own. */
const SHRINK = Array.from({ length: 40 }, (_, i) => 1 - i * 0.02);

export class RangeObserver {
  private readonly seen = new Map<string, Range>();
  private readonly samples = new Map<string, Float32Array[]>();
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
      const step = Math.max(1, Math.floor(d.length / SAMPLE_PER_BATCH));
      const sample = new Float32Array(Math.ceil(d.length / step));
      for (let i = 0, k = 0; i < d.length; i += step, k++) sample[k] = d[i]!;
      this.samples.set(name, [...(this.samples.get(name) ?? []), sample]);
    }
    this.batches++;
  }

  /** The ranges to quantise with, by point. */
  ranges(method: RangeMethod = 'minmax'): Map<string, Range> {
    if (this.batches === 0) throw new Error('calibration: no batch observed');
    if (method === 'minmax') return new Map(this.seen);
    const out = new Map<string, Range>();
    for (const [name, r] of this.seen) out.set(name, leastErrorRange(r, this.samples.get(name)!));
    return out;
  }
}

/** Mean squared error of uint8 Q/DQ over `range` on the sample. */
function quantizationError(range: Range, samples: readonly Float32Array[]): number {
  const { scale, zero } = activationParams(range);
  let sum = 0;
  let n = 0;
  for (const s of samples)
    for (let i = 0; i < s.length; i++) {
      const e = dequantizeNumber(quantizeNumber(s[i]!, scale, zero, 0, 255), scale, zero) - s[i]!;
      sum += e * e;
      n++;
    }
  return sum / n;
}

/** The range shrunk from min/max (each side by its own fraction) with the least Q/DQ error. */
function leastErrorRange(seen: Range, samples: readonly Float32Array[]): Range {
  let best = seen;
  let bestError = quantizationError(seen, samples);
  // One side at a time, twice: the sides trade error through the shared scale.
  for (let pass = 0; pass < 2; pass++)
    for (const side of ['min', 'max'] as const) {
      if (seen[side] === 0) continue;
      for (const f of SHRINK) {
        const candidate = { ...best, [side]: seen[side] * f };
        const e = quantizationError(candidate, samples);
        if (e < bestError) [best, bestError] = [candidate, e];
      }
    }
  return best;
}
