// `npm run bench:growth [-- --json]` (dev only; entry bench/growth.ts): how time and memory grow
// with the work, measured as a user meets them, each figure one whole `denoise-lab` process.
//
//   denoise  the shipped default model on a photo of 1, 6, 12, 24 and 48 megapixels (3:2, JPEG in
//            and out, tiled as the CLI tiles by default, --threads threads, a fixed --sigma so
//            that the estimator's reading does not vary), plus one blind run (σ estimated) at
//            12 MP: wall time and peak RSS of the process.
//   train    `denoise-lab train --arch ref-dae` (the reference workload of bench/ref-dae.ts) on
//            48×48 grey patches at batch 8, 16, 32 and 64: a short and a long run of each, and
//            the time per step from their difference, so that start-up (Node, ONNX Runtime,
//            graph building, data loading, export) drops out.
//
// Rounds are interleaved (each size and batch once per round, `--rounds` rounds) with an idle gap
// before every process, so that all of them see the same load and none starts while another's
// threads still spin; each figure is the median over the rounds, with the min–max spread.
//
// The test photos are made by the bench itself: a real photo (scikit-image's "chelsea", CC0, from
// test/fixtures/ssim; `--photo` for another) resized with sharp to each size plus Gaussian noise
// of σ 25 (common/noise), saved as JPEG; the training patches are random 48×48 crops of real
// photos (ml/train's PatchDataset), saved as .npy (files/npy). All of it lives in a temp folder
// that is removed at the end.
//
// Peak RSS is read by the child itself (processes.ts), so no /usr/bin/time is needed.

import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { freemem, totalmem, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { type Command, UsageError } from '../main/cli/command.js';
import { inRange, numberOption, RANGES, rangeMessage, type NumberRange } from '../main/cli/options.js';
import { packageRoot } from '../main/files/app-paths.js';
import { makeOwnedTempDir } from '../main/files/owned-temp-dir.js';
import { chooseTileSize, DEFAULT_OVERLAP } from '../main/imaging/index.js';
import { PROCESS_GAP_MS, timeProcess } from './processes.js';
import { writeNoisyPhoto, writePatches } from './test-data.js';
import { type Spread, differenced, spread } from './rounds.js';

const CLI = path.join(packageRoot, 'bin', 'denoise-lab.js');
const FIXTURES = path.join(packageRoot, 'test', 'fixtures', 'ssim');
/** Colour photo resized to every size (451×300, close to 3:2). */
const DEFAULT_PHOTO = path.join(FIXTURES, 'chelsea.png');
/** Clean photos cut into training patches (the fixture folder also holds noisy copies, left out). */
const DEFAULT_PATCH_PHOTOS = [path.join(FIXTURES, 'chelsea.png'), path.join(FIXTURES, 'camera.png')];

/** The reference training workload, as bench/ref-dae.ts defines it. */
const TRAIN = { arch: 'ref-dae', patch: 48, noise: 'gaussian:25', optimizer: 'adam', lr: '0.001' } as const;
/** Patches in the .npy: more than the longest default run draws (40 steps × batch 64 = 2,560). */
const PATCHES = 4096;
const SEED = 2026;

export const DEFAULTS = {
  sizes: [1, 6, 12, 24, 48],
  batches: [8, 16, 32, 64],
  rounds: 3,
  threads: 2,
  sigma: 25,
  steps: [10, 40] as [number, number],
  /** The blind run's size (when among --sizes; else the middle one). */
  blindMp: 12,
} as const;

// ---- pure helpers (unit-tested) ------------------------------------------------------------------

/** Δy/Δx from each point to the next, in order of x: null for the first point. */
export function marginal(points: readonly { x: number; y: number }[]): (number | null)[] {
  return points.map((p, i) => (i === 0 ? null : (p.y - points[i - 1]!.y) / (p.x - points[i - 1]!.x)));
}

/** A median `y` at `x`, with the smallest and largest of the rounds when there were several. */
export interface GrowthPoint {
  x: number;
  y: number;
  lo?: number;
  hi?: number;
}

/**
 * The slopes the step into point i can have, given each point's spread: from the lowest value of
 * point i over the highest of point i − 1, to the highest over the lowest.
 */
function slopeRange(points: readonly GrowthPoint[], i: number): [number, number] {
  const a = points[i - 1]!;
  const b = points[i]!;
  const dx = b.x - a.x;
  return [((b.lo ?? b.y) - (a.hi ?? a.y)) / dx, ((b.hi ?? b.y) - (a.lo ?? a.y)) / dx];
}

/**
 * Where growth bends: the first step from one point to the next whose slope differs from the first
 * step's by more than `tolerance` (a fraction), or null when every slope stays within it (growth
 * is linear over the range) or there are fewer than three points. With `lo`/`hi` given, a step
 * counts only when no slopes within the points' spreads could stay within the tolerance: a bend
 * that the rounds' own scatter could make is not one.
 */
export function bend(
  points: readonly GrowthPoint[],
  tolerance: number,
): { from: number; to: number; ratio: number } | null {
  const slopes = marginal(points);
  const first = slopes[1];
  if (first === null || first === undefined || !(first > 0)) return null;
  const [firstLo, firstHi] = slopeRange(points, 1);
  for (let i = 2; i < points.length; i++) {
    const ratio = slopes[i]! / first;
    if (Math.abs(ratio - 1) <= tolerance) continue;
    const [lo, hi] = slopeRange(points, i);
    const couldBeLinear = hi >= (1 - tolerance) * firstLo && lo <= (1 + tolerance) * firstHi;
    if (!couldBeLinear) return { from: points[i - 1]!.x, to: points[i]!.x, ratio };
  }
  return null;
}

/** One sentence on how y grows with x, for the line under a table. */
export function describeGrowth(
  what: string,
  points: readonly GrowthPoint[],
  unit: { x: string; slope: string; digits: number },
  tolerance = 0.25,
): string {
  if (points.length < 3) return `${what}: too few points to see a bend.`;
  const slopes = marginal(points).slice(1) as number[];
  const f = (v: number) => v.toFixed(unit.digits);
  const range = `${f(Math.min(...slopes))}–${f(Math.max(...slopes))} ${unit.slope}`;
  // Two significant digits: a 4242×2828 photo is "12 MP", not 11.996376.
  const x = (v: number) => `${Number(v.toPrecision(2))} ${unit.x}`;
  const span = `from ${x(points[0]!.x)} to ${x(points[points.length - 1]!.x)}`;
  const b = bend(points, tolerance);
  if (b) {
    const way = b.ratio > 1 ? 'steeper' : 'flatter';
    return `${what}: bends between ${x(b.from)} and ${x(b.to)}, ${b.ratio.toFixed(2)}× the first step's slope (${way}; steps ${range}).`;
  }
  const medians = bend(
    points.map(({ x, y }) => ({ x, y })),
    tolerance,
  );
  if (medians)
    return `${what}: no bend beyond the rounds' spread ${span} (steps ${range}; the step between ${x(medians.from)} and ${x(medians.to)}, ${medians.ratio.toFixed(2)}× the first, is within it).`;
  return `${what}: linear ${span} (each step ${range}, within ±${Math.round(tolerance * 100)} % of the first).`;
}

/** Width × height of a 3:2 photo of about `megapixels`. */
export function photoSize(megapixels: number): { width: number; height: number } {
  const k = Math.max(1, Math.round(Math.sqrt((megapixels * 1e6) / 6)));
  return { width: 3 * k, height: 2 * k };
}

/** A comma-separated list of numbers, each in `range`: sorted, without repeats. */
export function numberList(text: string, option: string, range: NumberRange): number[] {
  const values = text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (values.some((v) => !inRange(v, range))) throw new UsageError(rangeMessage(`${option} (each value)`, range, text));
  return [...new Set(values)].sort((a, b) => a - b);
}

// ---- measuring one process -------------------------------------------------------------------------

/** What a finished child process cost. */
export interface ProcessCost {
  seconds: number;
  peakRssMb: number;
  cpuSeconds: number;
}

/** Runs `denoise-lab <args>` as its own process (processes.ts): wall time, peak RSS and CPU time. */
async function runCliProcess(args: readonly string[], dir: string): Promise<ProcessCost> {
  const r = await timeProcess(process.execPath, [CLI, ...args], `denoise-lab ${args[0]}`, { usageDir: dir });
  return { seconds: r.ms / 1000, peakRssMb: r.peakRssMb!, cpuSeconds: r.cpuSeconds! };
}

// ---- test data -------------------------------------------------------------------------------------

// ---- the benchmark ---------------------------------------------------------------------------------

export interface GrowthOptions {
  sizes: number[];
  batches: number[];
  rounds: number;
  threads: number;
  sigma: number;
  steps: [number, number];
  blind: boolean;
  photo: string;
  /** Folder of photos for the training patches; null: the fixture photos. */
  photos: string | null;
  log: (line: string) => void;
}

export interface DenoiseRow {
  width: number;
  height: number;
  megapixels: number;
  /** The σ given on the command line, or null: estimated (blind). */
  sigma: number | null;
  seconds: Spread;
  secondsPerMp: number;
  /** Δ seconds / Δ MP from the previous size (fixed-σ rows only). */
  marginalSecondsPerMp: number | null;
  peakRssMb: Spread;
  /** Δ peak RSS / Δ MP from the previous size (fixed-σ rows only). */
  marginalMbPerMp: number | null;
  cpuSeconds: Spread;
  runs: ProcessCost[];
}

export interface TrainRow {
  batch: number;
  msPerStep: Spread;
  msPerSample: number;
  /** Δ ms per step / Δ batch from the previous batch size. */
  marginalMsPerSample: number | null;
  startupSeconds: Spread;
  /** Of the long run. */
  peakRssMb: Spread;
  runs: { short: ProcessCost; long: ProcessCost }[];
}

export interface GrowthReport {
  machine: {
    cpu: string;
    cores: number;
    node: string;
    memoryGb: number;
    loadAverage: { before: number; after: number };
  };
  settings: {
    threads: number;
    rounds: number;
    gapSeconds: number;
    sigma: number;
    /** The CLI's default tile core for the free memory when the bench started. */
    tile: number;
    photo: string;
    patches: string | null;
    steps: [number, number];
  };
  denoise: DenoiseRow[];
  train: TrainRow[];
  growth: string[];
}

export async function runGrowth(o: GrowthOptions): Promise<GrowthReport> {
  const loadBefore = loadavg()[0]!;
  const tile = chooseTileSize({ channels: 3, overlap: DEFAULT_OVERLAP, freeBytes: freemem() });
  const dir = makeOwnedTempDir('dl-bench-growth-');
  // Ctrl-C ends the children too (same process group); the temp folder must not stay behind.
  const onSigint = () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  try {
    const t = o.threads;
    const blindMp =
      o.blind && o.sizes.length
        ? o.sizes.includes(DEFAULTS.blindMp)
          ? DEFAULTS.blindMp
          : o.sizes[o.sizes.length >> 1]!
        : null;
    const photos = o.sizes.map((mp, i) => ({ mp, ...photoSize(mp), file: path.join(dir, `photo-${i}.jpg`) }));
    for (const [i, p] of photos.entries()) {
      o.log(`growth: making a ${p.width}×${p.height} test photo…`);
      await writeNoisyPhoto(o.photo, p, o.sigma, SEED + i, p.file);
    }
    let patches: string | null = null;
    const npy = path.join(dir, 'patches.npy');
    if (o.batches.length) {
      let folder = o.photos;
      if (!folder) {
        folder = path.join(dir, 'photos');
        mkdirSync(folder);
        for (const f of DEFAULT_PATCH_PHOTOS) copyFileSync(f, path.join(folder, path.basename(f)));
      }
      o.log(`growth: cutting ${PATCHES} training patches…`);
      await writePatches(folder, npy, PATCHES, SEED);
      const from = o.photos
        ? `the photos in ${o.photos}`
        : DEFAULT_PATCH_PHOTOS.map((f) => path.relative(packageRoot, f)).join(' and ');
      patches = `${PATCHES} random grey ${TRAIN.patch}×${TRAIN.patch} crops of ${from}`;
    }

    const denoiseArgs = (p: (typeof photos)[number], sigma: number | null) => [
      'denoise',
      p.file,
      '--out',
      path.join(dir, 'out.jpg'),
      '--overwrite',
      '--threads',
      String(t),
      ...(sigma === null ? [] : ['--sigma', String(sigma)]),
    ];
    const trainArgs = (batch: number, steps: number) => [
      'train',
      '--arch',
      TRAIN.arch,
      '--data',
      npy,
      '--noise',
      TRAIN.noise,
      '--batch',
      String(batch),
      '--optimizer',
      TRAIN.optimizer,
      '--lr',
      TRAIN.lr,
      '--steps',
      String(steps),
      '--threads',
      String(t),
      '--out',
      path.join(dir, 'trained.onnx'),
    ];

    const given: ProcessCost[][] = photos.map(() => []);
    const blind: ProcessCost[] = [];
    const trained: { short: ProcessCost; long: ProcessCost }[][] = o.batches.map(() => []);
    const mb = (c: ProcessCost) => `${c.seconds.toFixed(2)} s, ${Math.round(c.peakRssMb)} MB`;
    for (let round = 1; round <= o.rounds; round++) {
      const r = `growth: round ${round}/${o.rounds}`;
      for (const [i, p] of photos.entries()) {
        const c = await runCliProcess(denoiseArgs(p, o.sigma), dir);
        given[i]!.push(c);
        o.log(`${r}, denoise ${p.mp} MP: ${mb(c)}`);
        if (p.mp === blindMp) {
          const b = await runCliProcess(denoiseArgs(p, null), dir);
          blind.push(b);
          o.log(`${r}, denoise ${p.mp} MP, σ estimated: ${mb(b)}`);
        }
      }
      for (const [i, batch] of o.batches.entries()) {
        const short = await runCliProcess(trainArgs(batch, o.steps[0]), dir);
        const long = await runCliProcess(trainArgs(batch, o.steps[1]), dir);
        trained[i]!.push({ short, long });
        o.log(`${r}, train batch ${batch}: ${o.steps[0]} steps ${mb(short)}, ${o.steps[1]} steps ${mb(long)}`);
      }
    }

    const denoise: DenoiseRow[] = [];
    const pts = photos.map((p, i) => ({
      mp: (p.width * p.height) / 1e6,
      seconds: spread(given[i]!.map((c) => c.seconds)),
      rss: spread(given[i]!.map((c) => c.peakRssMb)),
    }));
    const dt = marginal(pts.map((p) => ({ x: p.mp, y: p.seconds.median })));
    const dm = marginal(pts.map((p) => ({ x: p.mp, y: p.rss.median })));
    for (const [i, p] of photos.entries()) {
      const row = (runs: ProcessCost[], sigma: number | null, first: boolean): DenoiseRow => {
        const seconds = spread(runs.map((c) => c.seconds));
        return {
          width: p.width,
          height: p.height,
          megapixels: pts[i]!.mp,
          sigma,
          seconds,
          secondsPerMp: seconds.median / pts[i]!.mp,
          marginalSecondsPerMp: first ? dt[i]! : null,
          peakRssMb: spread(runs.map((c) => c.peakRssMb)),
          marginalMbPerMp: first ? dm[i]! : null,
          cpuSeconds: spread(runs.map((c) => c.cpuSeconds)),
          runs,
        };
      };
      denoise.push(row(given[i]!, o.sigma, true));
      if (p.mp === blindMp && blind.length) denoise.push(row(blind, null, false));
    }

    const train: TrainRow[] = o.batches.map((batch, i) => {
      const per = trained[i]!.map((r) =>
        differenced({ steps: o.steps[0], seconds: r.short.seconds }, { steps: o.steps[1], seconds: r.long.seconds }),
      );
      const msPerStep = spread(per.map((d) => d.secondsPerStep * 1000));
      return {
        batch,
        msPerStep,
        msPerSample: msPerStep.median / batch,
        marginalMsPerSample: null,
        startupSeconds: spread(per.map((d) => d.startupSeconds)),
        peakRssMb: spread(trained[i]!.map((r) => r.long.peakRssMb)),
        runs: trained[i]!,
      };
    });
    const dstep = marginal(train.map((r) => ({ x: r.batch, y: r.msPerStep.median })));
    train.forEach((r, i) => (r.marginalMsPerSample = dstep[i]!));

    const at = (x: number, v: Spread): GrowthPoint => ({ x, y: v.median, lo: v.min, hi: v.max });
    const growth: string[] = [];
    if (pts.length)
      growth.push(
        describeGrowth(
          'Denoise time',
          pts.map((p) => at(p.mp, p.seconds)),
          { x: 'MP', slope: 's/MP', digits: 2 },
        ),
        describeGrowth(
          'Denoise peak RSS',
          pts.map((p) => at(p.mp, p.rss)),
          { x: 'MP', slope: 'MB/MP', digits: 0 },
        ),
      );
    if (train.length)
      growth.push(
        describeGrowth(
          'Training step time',
          train.map((r) => at(r.batch, r.msPerStep)),
          {
            x: 'samples',
            slope: 'ms/sample',
            digits: 2,
          },
        ),
      );

    const cpu = cpus();
    return {
      machine: {
        cpu: cpu[0]?.model ?? 'unknown',
        cores: cpu.length,
        node: process.version,
        memoryGb: totalmem() / 2 ** 30,
        loadAverage: { before: loadBefore, after: loadavg()[0]! },
      },
      settings: {
        threads: t,
        rounds: o.rounds,
        gapSeconds: PROCESS_GAP_MS / 1000,
        sigma: o.sigma,
        tile,
        photo: path.relative(packageRoot, o.photo) || o.photo,
        patches,
        steps: o.steps,
      },
      denoise,
      train,
      growth,
    };
  } finally {
    process.removeListener('SIGINT', onSigint);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- report ----------------------------------------------------------------------------------------

const fixed = (v: number, digits: number) => v.toFixed(digits);
/** "9.81 (9.70–10.02)": median and range. */
export function formatSpread(s: Spread, digits: number): string {
  return s.n > 1
    ? `${fixed(s.median, digits)} (${fixed(s.min, digits)}–${fixed(s.max, digits)})`
    : fixed(s.median, digits);
}
const optional = (v: number | null, digits: number) => (v === null ? '' : fixed(v, digits));

export function formatGrowth(r: GrowthReport): string {
  const m = r.machine;
  const s = r.settings;
  // Every line a paragraph of its own, so that the output pastes into Markdown as it reads here.
  const lines = [
    `Denoise Lab growth benchmark: each figure one whole \`denoise-lab\` process, ${s.threads} thread(s), median (min–max) of ${s.rounds} interleaved round(s), ${s.gapSeconds} s idle before each process`,
    '',
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb.toFixed(0)} GB, Node ${m.node}, load average ${m.loadAverage.before.toFixed(2)} → ${m.loadAverage.after.toFixed(2)}`,
  ];
  if (r.denoise.length) {
    lines.push(
      '',
      `Denoise with the shipped default model (\`denoise-lab denoise photo.jpg --out out.jpg --sigma ${s.sigma} --threads ${s.threads}\`; ` +
        `the CLI's default tiles: equal tiles of at most ${s.tile} px here; 3:2 JPEG q 95 in and out, made from ${s.photo} with Gaussian noise σ ${s.sigma})`,
      '',
      '| photo | MP | seconds | s / MP | Δs / ΔMP | peak RSS, MB | ΔMB / ΔMP | CPU seconds |',
      '| --- | ---: | --- | ---: | ---: | --- | ---: | ---: |',
      ...r.denoise.map(
        (d) =>
          `| ${d.width}×${d.height}${d.sigma === null ? ', σ estimated' : ''} | ${fixed(d.megapixels, 2)} | ${formatSpread(d.seconds, 2)} | ` +
          `${fixed(d.secondsPerMp, 2)} | ${optional(d.marginalSecondsPerMp, 2)} | ${formatSpread(d.peakRssMb, 0)} | ` +
          `${optional(d.marginalMbPerMp, 1)} | ${fixed(d.cpuSeconds.median, 1)} |`,
      ),
    );
  }
  if (r.train.length) {
    const [a, b] = s.steps;
    lines.push(
      '',
      `Training step of ref-dae (\`denoise-lab train --arch ref-dae --data patches.npy --noise gaussian:25 --batch B --optimizer adam ` +
        `--lr 0.001 --threads ${s.threads}\`; ${s.patches ?? 'grey 48×48 patches'}): per step = (${b}-step run − ${a}-step run) / ${b - a}, start-up = what remains at 0 steps`,
      '',
      '| batch | ms / step | ms / sample | Δms / Δsample | start-up, s | peak RSS, MB |',
      '| ---: | --- | ---: | ---: | --- | --- |',
      ...r.train.map(
        (t) =>
          `| ${t.batch} | ${formatSpread(t.msPerStep, 1)} | ${fixed(t.msPerSample, 2)} | ${optional(t.marginalMsPerSample, 2)} | ` +
          `${formatSpread(t.startupSeconds, 2)} | ${formatSpread(t.peakRssMb, 0)} |`,
      ),
    );
  }
  lines.push(
    ...r.growth.flatMap((g) => ['', g]),
    '',
    'Δ columns: the cost of each step up from the row above (the slope between the two medians); linear growth keeps them constant.',
  );
  if (m.loadAverage.before > m.cores / 2 || m.loadAverage.after > m.cores)
    lines.push(
      '',
      `note: the machine was busy (load ${m.loadAverage.before.toFixed(2)} → ${m.loadAverage.after.toFixed(2)} on ${m.cores} cores): the figures are noisy; the spreads show how much.`,
    );
  return lines.join('\n') + '\n';
}

// ---- command ---------------------------------------------------------------------------------------

const RANGE = {
  /** Up to the CLI's default decoding limit (200 MP). */
  sizes: { min: 0.01, max: 200 },
  /** The train command's batch range. */
  batches: { min: 1, max: 4096, integer: true },
  rounds: { min: 1, max: 100, integer: true },
  sigma: { min: 0, max: 255 },
  steps: { min: 1, max: 100_000, integer: true },
} as const satisfies Record<string, NumberRange>;

function existingPath(values: Record<string, unknown>, name: string, kind: 'file' | 'folder'): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const p = path.resolve(String(v));
  const st = existsSync(p) ? statSync(p) : undefined;
  if (!st || (kind === 'file' ? !st.isFile() : !st.isDirectory()))
    throw new UsageError(`--${name} ${String(v)}: no such ${kind}`);
  return p;
}

export const growthCommand: Command = {
  name: 'growth',
  summary: 'how denoise time, memory and training step time grow with the work',
  usage: `Usage: npm run bench:growth -- [--json] [--sizes 1,6,12,24,48] [--batches 8,16,32,64] [--rounds 3]
                              [--threads 2] [--sigma 25] [--steps 10,40] [--no-blind]
                              [--photo <file>] [--photos <folder>]

Runs whole denoise-lab processes, as a user does, in interleaved rounds with 0.5 s idle before
each, and prints median (min–max) per size: denoise time and peak RSS of the shipped default model
on 3:2 photos of each size (made from --photo: resized, Gaussian noise of --sigma added, JPEG), and
the training step time of ref-dae per batch size, from the difference of a short and a long run.

  --sizes L      megapixels of the test photos, each 0.01–200 (default 1,6,12,24,48); empty:
                 no denoising
  --batches L    ref-dae batch sizes, each 1–4096 (default 8,16,32,64); empty: no training
  --rounds N     rounds over all sizes and batches, 1–100 (default 3)
  --threads N    --threads of every denoise-lab process, 1–64 (default 2)
  --sigma N      noise added to the test photos and given to denoise, 0–255 (default 25)
  --steps A,B    steps of the short and the long training run, 1–100000, A < B (default 10,40)
  --no-blind     skip the run with σ estimated (at 12 MP, or the middle size)
  --photo F      photo to make the test photos from (default test/fixtures/ssim/chelsea.png)
  --photos D     folder of photos for the 48×48 training patches (default: chelsea.png and
                 camera.png from test/fixtures/ssim)
  --json         one JSON document with every figure and run; progress goes to stderr`,
  options: {
    json: { type: 'boolean' },
    sizes: { type: 'string' },
    batches: { type: 'string' },
    rounds: { type: 'string' },
    threads: { type: 'string' },
    sigma: { type: 'string' },
    steps: { type: 'string' },
    'no-blind': { type: 'boolean' },
    photo: { type: 'string' },
    photos: { type: 'string' },
  },
  async run({ values }, io) {
    const list = (name: 'sizes' | 'batches', fallback: readonly number[]) => {
      const text = values[name];
      if (text === undefined) return [...fallback];
      return String(text).trim() === '' ? [] : numberList(String(text), `--${name}`, RANGE[name]);
    };
    const sizes = list('sizes', DEFAULTS.sizes);
    const batches = list('batches', DEFAULTS.batches);
    if (!sizes.length && !batches.length)
      throw new UsageError('--sizes and --batches are both empty: nothing to measure.');
    const steps =
      values.steps === undefined
        ? DEFAULTS.steps
        : String(values.steps)
            .split(',')
            .map((v) => (v.trim() === '' ? NaN : Number(v)));
    if (steps.length !== 2 || !steps.every((v) => inRange(v, RANGE.steps)) || !(steps[0]! < steps[1]!))
      throw new UsageError(
        `--steps must be two step counts A,B with A < B, each an integer from 1 to 100000 (got ${String(values.steps)}).`,
      );
    const report = await runGrowth({
      sizes,
      batches,
      rounds: numberOption(values, 'rounds', RANGE.rounds) ?? DEFAULTS.rounds,
      threads: numberOption(values, 'threads', RANGES.threads) ?? DEFAULTS.threads,
      sigma: numberOption(values, 'sigma', RANGE.sigma) ?? DEFAULTS.sigma,
      steps: [steps[0]!, steps[1]!],
      blind: !values['no-blind'],
      photo: existingPath(values, 'photo', 'file') ?? DEFAULT_PHOTO,
      photos: existingPath(values, 'photos', 'folder') ?? null,
      log: (line) => io.err(line + '\n'),
    });
    io.out(values.json ? JSON.stringify(report) + '\n' : formatGrowth(report));
    return 0;
  },
};
