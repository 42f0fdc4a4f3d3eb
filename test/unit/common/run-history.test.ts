// The bounded chart history the service keeps per training run (jobs:history).
import { describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../../common/contract/index.js';
import { halveKeepingLast, recordsLossAt, RunHistory } from '../../../common/run-history.js';

const loss = (step: number, value = 1 / step): HistoryPoint => ({ series: 'loss', step, values: { loss: value } });

describe('run history', () => {
  it('records every step of a short run, ~500 evenly spaced steps of a long one, and always the last', () => {
    const steps = (total: number) =>
      Array.from({ length: total }, (_, i) => i + 1).filter((s) => recordsLossAt(s, total));
    expect(steps(300)).toHaveLength(300);
    const long = steps(20_000); // stride 40
    expect(long).toHaveLength(500);
    expect(long.slice(0, 3)).toEqual([40, 80, 120]);
    expect(long.at(-1)).toBe(20_000);
    const odd = steps(1_234); // stride 2: 617 even steps, and 1,234 is even
    expect(odd).toHaveLength(617);
    expect(steps(1_235).at(-1)).toBe(1_235); // the last step even off the stride
  });

  it('halves evenly, counted back from the newest, which always stays', () => {
    expect(halveKeepingLast([1, 2, 3, 4, 5])).toEqual([1, 3, 5]);
    expect(halveKeepingLast([1, 2, 3, 4, 5, 6])).toEqual([2, 4, 6]);
  });

  it('keeps at most maxPoints per series, spread over the whole run, the newest exact', () => {
    const h = new RunHistory(100);
    for (let s = 1; s <= 1000; s++) h.add(loss(s));
    h.add({ series: 'validation', step: 500, values: { val_psnr: 12.5 } });
    const points = h.points();
    const losses = points.filter((p) => p.series === 'loss');
    // 101 → 51 (keeps 1,3,…,101), then every point up to 100 again, halved again… ends between 50 and 100.
    expect(losses.length).toBeGreaterThanOrEqual(50);
    expect(losses.length).toBeLessThanOrEqual(100);
    expect(losses.at(-1)).toEqual(loss(1000));
    expect(losses[0]!.step).toBeLessThan(40); // the start of the run is still there
    // Steps strictly increase, and the validation point sits at its own step, once.
    expect(points.map((p) => p.step)).toEqual([...points.map((p) => p.step)].sort((a, b) => a - b));
    expect(points.filter((p) => p.series === 'validation')).toEqual([
      { series: 'validation', step: 500, values: { val_psnr: 12.5 } },
    ]);
  });

  it('a step sent again replaces its point; an older step is ignored', () => {
    const h = new RunHistory();
    h.add(loss(10, 0.5));
    h.add(loss(10, 0.4));
    h.add(loss(9, 0.9));
    h.add(loss(11, 0.3));
    expect(h.points().map((p) => [p.step, p.values.loss])).toEqual([
      [10, 0.4],
      [11, 0.3],
    ]);
  });
});
