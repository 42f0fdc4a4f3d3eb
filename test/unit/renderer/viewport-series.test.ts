// Zoom/pan math of the comparison viewer and the Lab's metric series.
import { describe, expect, it } from 'vitest';
import { fitView, panBy, zoomAt, zoomLabel, MAX_SCALE } from '../../../renderer/src/denoise/viewport.js';
import {
  addPoints,
  addRow,
  columnsOf,
  emptyTable,
  groupOf,
  pointCount,
  tickLabel,
} from '../../../renderer/src/lab/series.js';

describe('viewport', () => {
  it('fits a large image centred, and never enlarges a small one unless asked', () => {
    expect(fitView({ width: 4000, height: 3000 }, { width: 800, height: 800 })).toEqual({ scale: 0.2, x: 0, y: 100 });
    expect(fitView({ width: 96, height: 96 }, { width: 400, height: 200 })).toEqual({ scale: 1, x: 152, y: 52 });
    // A photo smaller than the pane: 100 %, never enlarged (a 1920 px window used to show 113 %).
    expect(fitView({ width: 1200, height: 800 }, { width: 1400, height: 900 })).toEqual({ scale: 1, x: 100, y: 50 });
  });

  it('zooms about the anchor: the image point under the cursor stays put', () => {
    const v = { scale: 0.5, x: 10, y: 20 };
    const z = zoomAt(v, 2, 110, 70);
    // image point under (110, 70) before: ((110−10)/0.5, (70−20)/0.5) = (200, 100)
    expect(z.x + 200 * z.scale).toBeCloseTo(110, 12);
    expect(z.y + 100 * z.scale).toBeCloseTo(70, 12);
    expect(zoomAt(v, 1000, 0, 0).scale).toBe(MAX_SCALE);
    expect(zoomLabel(z)).toBe('200 %');
  });

  it('pans but keeps a margin of the image in the pane', () => {
    const img = { width: 100, height: 100 };
    const pane = { width: 300, height: 300 };
    expect(panBy({ scale: 1, x: 0, y: 0 }, 10, 5, img, pane)).toEqual({ scale: 1, x: 10, y: 5 });
    expect(panBy({ scale: 1, x: 0, y: 0 }, 1000, -1000, img, pane)).toEqual({ scale: 1, x: 252, y: -52 });
  });
});

describe('training series', () => {
  it('sorts metric names into loss, quality and throughput charts', () => {
    expect(groupOf('loss')).toBe('loss');
    expect(groupOf('loss/kl')).toBe('loss');
    expect(groupOf('val_psnr')).toBe('quality');
    expect(groupOf('validation/ssim')).toBe('quality');
    expect(groupOf('samples_per_s')).toBe('throughput');
    expect(groupOf('stepsPerSecond')).toBe('throughput');
    expect(groupOf('lr')).toBeNull();
    expect(groupOf('epoch')).toBeNull();
  });

  it('aligns columns by step, merges a repeated step, and thins long runs evenly', () => {
    const t = emptyTable();
    addRow(t, 1, { loss: 3 });
    addRow(t, 2, { loss: 2, val_psnr: 20 });
    addRow(t, 2, { loss: 1.5, val_psnr: 21 });
    addRow(t, 3, { loss: 1, bad: NaN });
    expect(t.steps).toEqual([1, 2, 3]);
    expect(t.columns.get('loss')).toEqual([3, 1.5, 1]);
    expect(t.columns.get('val_psnr')).toEqual([null, 21, null]);
    expect(t.columns.has('bad')).toBe(false);
    expect(columnsOf(t, 'loss')).toEqual(['loss']);
    const long = emptyTable();
    for (let s = 1; s <= 101; s++) addRow(long, s, { loss: 1 / s }, 100);
    // Every other row goes, counted back from the newest: 1, 3, …, 101, the whole run still covered.
    expect(long.steps.length).toBe(51);
    expect(long.steps.at(-1)).toBe(101);
    expect(long.columns.get('loss')!.at(-1)).toBe(1 / 101);
    expect(long.steps[1]).toBe(3);
  });

  it('draws each reported point once at its own step: validation is never carried forward', () => {
    const t = emptyTable();
    const lossPoints = Array.from({ length: 300 }, (_, i) => ({
      series: 'loss' as const,
      step: i + 1,
      values: { loss: 1 / (i + 1) },
    }));
    const validation = [
      { series: 'validation' as const, step: 120, values: { val_psnr: 7.6 } },
      { series: 'validation' as const, step: 300, values: { val_psnr: 14.2 } },
    ];
    // Live events first, then the history (after a reload): overlapping points are drawn once.
    addPoints(t, [...lossPoints.slice(200), validation[1]!]);
    addPoints(t, [...lossPoints, validation[0]!]);
    expect(t.steps).toEqual(lossPoints.map((p) => p.step));
    expect(pointCount(t, ['loss'])).toBe(300);
    expect(pointCount(t, ['val_psnr'])).toBe(2);
    const psnr = t.columns.get('val_psnr')!;
    expect(psnr.filter((v) => v !== null)).toEqual([7.6, 14.2]);
    expect(psnr[118]).toBeNull(); // step 119: not measured, not 7.6
    expect(psnr[119]).toBe(7.6);
    expect(psnr[120]).toBeNull();
  });

  it('writes tick labels short enough for their axis', () => {
    expect(tickLabel(120_000)).toBe('120K');
    expect(tickLabel(1_250_000)).toBe('1.3M');
    expect(tickLabel(1500)).toBe('1,500');
    expect(tickLabel(0.0125)).toBe('0.0125');
    expect(tickLabel(0.00002)).toBe('2.0e-5');
    expect(tickLabel(0)).toBe('0');
  });
});
