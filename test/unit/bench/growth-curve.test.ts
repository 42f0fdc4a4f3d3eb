// The growth benchmark's arithmetic (not its timings: benchmarks are never tests): medians and
// spreads, start-up removed by differencing two runs, the slope between sizes, where growth bends,
// the photo sizes it makes, its list options and its table.
import { describe, expect, it } from 'vitest';
import {
  bend,
  describeGrowth,
  formatGrowth,
  formatSpread,
  marginal,
  numberList,
  photoSize,
  type GrowthReport,
} from '../../../bench/growth-curve.js';
import { differenced, spread } from '../../../bench/rounds.js';
import { UsageError } from '../../../main/cli/command.js';

describe('growth benchmark helpers', () => {
  it('spread: median of odd and even counts, the range and the count', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([4, 1, 10, 2])).toEqual({ median: 3, min: 1, max: 10, n: 4 });
    expect(() => spread([])).toThrow(RangeError);
  });

  it('differenced: per step from the two runs, start-up what the line leaves at 0 steps', () => {
    // 10 steps in 3.0 s, 40 in 6.0 s: 0.1 s a step, 2.0 s of start-up.
    const d = differenced({ steps: 10, seconds: 3 }, { steps: 40, seconds: 6 });
    expect(d.secondsPerStep).toBeCloseTo(0.1, 12);
    expect(d.startupSeconds).toBeCloseTo(2, 12);
    expect(() => differenced({ steps: 40, seconds: 6 }, { steps: 40, seconds: 7 })).toThrow(RangeError);
  });

  it('marginal: the slope from each point to the next', () => {
    expect(
      marginal([
        { x: 1, y: 2 },
        { x: 6, y: 7 },
        { x: 12, y: 19 },
      ]),
    ).toEqual([null, 1, 2]);
    expect(marginal([])).toEqual([]);
  });

  it('bend: null while every slope stays within the tolerance of the first, else the first that leaves it', () => {
    const linear = [
      { x: 1, y: 1 },
      { x: 6, y: 6.2 },
      { x: 12, y: 12.9 },
      { x: 24, y: 25 },
    ];
    expect(bend(linear, 0.25)).toBeNull();
    // Slopes 1, 1, 2: steeper between 12 and 24.
    const steeper = [
      { x: 1, y: 1 },
      { x: 6, y: 6 },
      { x: 12, y: 12 },
      { x: 24, y: 36 },
    ];
    expect(bend(steeper, 0.25)).toEqual({ from: 12, to: 24, ratio: 2 });
    // Slopes 10, 5: flatter (per-sample cost falling with the batch).
    expect(
      bend(
        [
          { x: 8, y: 100 },
          { x: 16, y: 180 },
          { x: 32, y: 260 },
        ],
        0.25,
      ),
    ).toEqual({ from: 16, to: 32, ratio: 0.5 });
    expect(bend(steeper.slice(0, 2), 0.25)).toBeNull();
  });

  it('bend: a step that the scatter of the rounds could make is no bend', () => {
    // Medians with slopes 1, 2 (a bend), but point 3 ranged 10–20: slope 1 lies within the spread.
    const noisy = [
      { x: 1, y: 1, lo: 1, hi: 1 },
      { x: 6, y: 6, lo: 6, hi: 6 },
      { x: 12, y: 18, lo: 10, hi: 20 },
    ];
    expect(bend(noisy, 0.25)).toBeNull();
    // The same medians measured tightly: a bend.
    const tight = noisy.map(({ x, y }) => ({ x, y, lo: y - 0.1, hi: y + 0.1 }));
    expect(bend(tight, 0.25)).toEqual({ from: 6, to: 12, ratio: 2 });
    const unit = { x: 'MP', slope: 's/MP', digits: 2 };
    expect(describeGrowth('Time', noisy, unit)).toBe(
      "Time: no bend beyond the rounds' spread from 1 MP to 12 MP (steps 1.00–2.00 s/MP; the step between 6 MP and 12 MP, 2.00× the first, is within it).",
    );
  });

  it('describeGrowth: says linear or where it bends, sizes rounded to two digits', () => {
    const unit = { x: 'MP', slope: 's/MP', digits: 2 };
    expect(
      describeGrowth(
        'Time',
        [
          { x: 0.998784, y: 1 },
          { x: 6, y: 5 },
          { x: 11.996, y: 9.8 },
        ],
        unit,
      ),
    ).toBe('Time: linear from 1 MP to 12 MP (each step 0.80–0.80 s/MP, within ±25 % of the first).');
    expect(
      describeGrowth(
        'Time',
        [
          { x: 1, y: 1 },
          { x: 6, y: 6 },
          { x: 11.996, y: 18 },
        ],
        unit,
      ),
    ).toBe("Time: bends between 6 MP and 12 MP, 2.00× the first step's slope (steeper; steps 1.00–2.00 s/MP).");
    expect(describeGrowth('Time', [{ x: 1, y: 1 }], unit)).toBe('Time: too few points to see a bend.');
  });

  it('photoSize: 3:2 photos of about the megapixels asked for', () => {
    expect(photoSize(1)).toEqual({ width: 1224, height: 816 });
    expect(photoSize(12)).toEqual({ width: 4242, height: 2828 });
    expect(photoSize(48)).toEqual({ width: 8484, height: 5656 });
    for (const mp of [1, 6, 12, 24, 48]) {
      const { width, height } = photoSize(mp);
      expect(width / height).toBe(1.5);
      expect(Math.abs((width * height) / 1e6 - mp) / mp).toBeLessThan(0.002);
    }
  });

  it('numberList: sorted without repeats; a bad item is one usage error naming the option', () => {
    const range = { min: 1, max: 4096, integer: true };
    expect(numberList('32, 8,16,8', '--batches', range)).toEqual([8, 16, 32]);
    for (const bad of ['8,', '8,x', '0', '8.5'])
      expect(() => numberList(bad, '--batches', range)).toThrow(
        new UsageError(`--batches (each value) must be an integer from 1 to 4096 (got ${bad}).`),
      );
  });

  it('formatGrowth: one table row per size and batch, the spreads and the slopes', () => {
    const s = (median: number, min = median, max = median) => ({ median, min, max, n: 3 });
    const report: GrowthReport = {
      machine: { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', memoryGb: 23.4, loadAverage: { before: 0.2, after: 0.9 } },
      settings: {
        threads: 2,
        rounds: 3,
        gapSeconds: 0.5,
        sigma: 25,
        tile: 1024,
        photo: 'test/fixtures/ssim/chelsea.png',
        patches: '4096 random grey 48×48 crops of a.png',
        steps: [10, 40],
      },
      denoise: [
        {
          width: 1224,
          height: 816,
          megapixels: 0.998784,
          sigma: 25,
          seconds: s(1.2, 1.1, 1.3),
          secondsPerMp: 1.2,
          marginalSecondsPerMp: null,
          peakRssMb: s(400),
          marginalMbPerMp: null,
          cpuSeconds: s(2),
          runs: [],
        },
        {
          width: 1224,
          height: 816,
          megapixels: 0.998784,
          sigma: null,
          seconds: s(1.3),
          secondsPerMp: 1.3,
          marginalSecondsPerMp: null,
          peakRssMb: s(410),
          marginalMbPerMp: null,
          cpuSeconds: s(2.1),
          runs: [],
        },
      ],
      train: [
        {
          batch: 16,
          msPerStep: s(90.25, 88, 95),
          msPerSample: 5.64,
          marginalMsPerSample: 5.5,
          startupSeconds: s(1.5),
          peakRssMb: s(300),
          runs: [],
        },
      ],
      growth: ['Denoise time: too few points to see a bend.'],
    };
    const text = formatGrowth(report);
    expect(text).toContain('machine: Test CPU, 2 cores, 23 GB, Node v20.0.0, load average 0.20 → 0.90');
    expect(text).toContain('| 1224×816 | 1.00 | 1.20 (1.10–1.30) | 1.20 |  | 400 (400–400) |  | 2.0 |');
    expect(text).toContain('| 1224×816, σ estimated | 1.00 | 1.30 (1.30–1.30) | 1.30 |');
    expect(text).toContain('| 16 | 90.3 (88.0–95.0) | 5.64 | 5.50 | 1.50 (1.50–1.50) | 300 (300–300) |');
    expect(text).toContain('per step = (40-step run − 10-step run) / 30');
    expect(text).toContain('Denoise time: too few points to see a bend.');
    expect(text).not.toContain('busy');
    expect(formatSpread({ median: 2, min: 2, max: 2, n: 1 }, 1)).toBe('2.0');
  });
});
