// The benchmark's plumbing (not its timings): each story's sides really run in their own
// processes and do the work (the engine peer's step trains, the training command writes its
// model, the bare ONNX Runtime peer runs the tiles the app would), every figure is filled in, and
// it runs without PyTorch or the wasm runtime when told to. Needs the built app (npm run build).
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { formatBench, runBench } from '../../../bench/ref-dae.js';

const fixtures = path.resolve('test/fixtures/ssim');

describe('bench', () => {
  it('times all three stories, each side in its own process', { timeout: 120_000 }, async () => {
    const report = await runBench({
      stories: ['engine', 'train', 'denoise'],
      seconds: 0.01,
      threads: [1],
      inferenceSize: 32,
      rounds: 1,
      photos: fixtures,
      photo: path.join(fixtures, 'chelsea.png'),
      trainSteps: [1, 3],
      photoSize: [1100, 700],
      web: false,
      torch: false,
      log: () => {},
    });
    expect(report.workload.params).toBe(46849);
    expect(report.pytorch).toEqual({ unavailable: 'skipped (--no-torch)' });

    const step = report.engine!.train;
    expect(step.map((f) => [f.side, f.threads])).toEqual([['ort-node', 1]]);
    expect(step[0]!.n).toBeGreaterThanOrEqual(9);
    expect(step[0]!.loss![1]).toBeLessThan(step[0]!.loss![0]);
    expect(step[0]!.vsPytorch).toBeNull();
    const inference = report.engine!.inference[0]!;
    expect(inference.min).toBeLessThanOrEqual(inference.median);
    expect(inference.median).toBeLessThanOrEqual(inference.max);

    expect(report.train!.steps).toEqual([1, 3]);
    expect(report.train!.figures.map((f) => [f.side, f.threads, f.perStep.n])).toEqual([['denoise-lab train', 1, 1]]);
    // Timed from the run's own per-step lines: a step takes time, and start-up is what is left.
    const train = report.train!.figures[0]!;
    expect(train.perStep.median).toBeGreaterThan(0);
    expect(train.startup.median).toBeGreaterThan(0);

    // 1100×700 in tiles of 1024 (+ 32 context each side): 2 × 1 tiles.
    const d = report.denoise!.figures[0]!;
    expect(d.tiles).toBe(2);
    expect(d.megapixels).toBeCloseTo(0.77, 2);
    expect(d.cli.median).toBeGreaterThan(0);
    expect(d.bareTiles.median).toBeLessThan(d.bare.median);
    expect(d.fast!.n).toBe(1); // the shipped int8 twin, --fast
    expect(d.overhead).toBeCloseTo(d.cli.median / d.bare.median - 1, 9);

    const text = formatBench(report);
    expect(text).toContain('ref-dae (46,849 parameters), batch 16×1×48×48');
    expect(text).toContain(
      '2. The whole training command, per step (steps 1 to 3 of each run, timed from outside; 1 interleaved rounds)',
    );
    expect(text).toContain('Runtime running the same 2 tiles in its own process');
  });
});
