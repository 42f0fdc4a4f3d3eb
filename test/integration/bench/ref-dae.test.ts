// The benchmark's plumbing (not its timings): the ref-dae step it times really trains, every
// figure is filled in, and it runs without PyTorch or the wasm runtime when told to.
import { describe, expect, it } from 'vitest';
import { formatBench, runBench } from '../../../bench/ref-dae.js';

describe('bench', () => {
  it('trains ref-dae on ORT-node and reports one figure per thread count', async () => {
    const report = await runBench({
      seconds: 0.01,
      threads: [1],
      inferenceSize: 32,
      web: false,
      torch: false,
      log: () => {},
    });
    expect(report.workload.params).toBe(46849);
    expect(report.pytorch).toEqual({ unavailable: 'skipped (--no-torch)' });
    expect(report.train.map((f) => [f.executor, f.threads])).toEqual([['ort-node', 1]]);
    const train = report.train[0]!;
    expect(train.runs).toBeGreaterThanOrEqual(6);
    expect(train.loss!.last).toBeLessThan(train.loss!.first);
    expect(train.vsPytorch).toBeNull();
    expect(report.inference.map((f) => [f.executor, f.threads])).toEqual([['ort-node', 1]]);
    expect(report.inference[0]!.bestMs).toBeLessThanOrEqual(report.inference[0]!.ms);
    expect(formatBench(report)).toContain('ref-dae (46,849 parameters), batch 16×1×48×48');
  });
});
