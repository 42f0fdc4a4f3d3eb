// `npm run bench [-- --json]` (dev only, bench/speed.ts): how fast Denoise Lab trains and denoises,
// next to a peer measured in the same run, told three ways:
//
//   engine    the ref-dae training step (forward, backward, Adam) and inference, our engine
//             against PyTorch, each served by its own process (engine-peer.ts,
//             peers/torch_ref_dae.py), in alternating rounds with an idle gap before each turn
//   train     the whole `denoise-lab train` command against the same training in PyTorch
//             (peers/torch_train.py), each a process of its own; per step of the warm loop
//   denoise   `denoise-lab denoise` on a 12-MP photo against bare ONNX Runtime on the same tiles
//             (peers/bare_ort.mjs): what the app adds around the model
//
// No side is ever timed while the other's threads are alive on the cores: each lives in its own
// process, and every turn starts after an idle gap (ONNX Runtime and OpenMP spin after a run).
// Every figure is a median with its spread (fastest–slowest); the load average is printed beside.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Command, UsageError } from '../main/cli/command.js';
import { inRange, numberOption, RANGES, rangeMessage, type NumberRange } from '../main/cli/options.js';
import { modelsDir, packageRoot } from '../main/files/app-paths.js';
import { type DenoiseProcessFigure, denoiseProcesses } from './denoise-process.js';
import { startEnginePeer, startTorchPeer, torchVersion } from './peers.js';
import { type Spread, alternateRounds, withSpread } from './rounds.js';
import type { ServedPeer } from './served-peer.js';
import { writeNoisyPhoto, writePatches } from './test-data.js';
import { type TrainProcessFigure, trainProcesses } from './train-process.js';
import { WORKLOAD } from './workload.js';

export const STORIES = ['engine', 'train', 'denoise'] as const;
export type Story = (typeof STORIES)[number];

/** Idle time before each side's turn in the engine rounds (ms). */
const TURN_GAP_MS = 200;

export interface EngineFigure extends Spread {
  side: 'ort-node' | 'ort-web (wasm)' | 'PyTorch';
  threads: number;
  /** The peer's median / ours at the same thread count (> 1: ours is faster); null for the peer itself. */
  vsPytorch: number | null;
  /** Loss at the first and the last step (shows the step really trains). */
  loss?: [number, number];
}

export interface BenchReport {
  workload: typeof WORKLOAD & { params: number; inferenceSize: number };
  machine: { cpu: string; cores: number; node: string; loadAverage: { before: number; after: number } };
  pytorch: { version: string } | { unavailable: string };
  engine: { train: EngineFigure[]; inference: EngineFigure[] } | null;
  train: { steps: [number, number]; rounds: number; figures: TrainProcessFigure[] } | null;
  denoise: { rounds: number; figures: DenoiseProcessFigure[] } | null;
}

export interface BenchOptions {
  stories: readonly Story[];
  /** Time budget of each engine comparison, in seconds. */
  seconds: number;
  threads: number[];
  inferenceSize: number;
  /** Rounds of the whole-process stories. */
  rounds: number;
  /** Photos the training patches are cut from. */
  photos: string;
  /** The photo enlarged to 12 MP for the denoise story. */
  photo: string;
  /** The step from which a training run counts as warm, and its steps (default 10 and 110). */
  trainSteps?: [number, number];
  /** Size of the denoise story's photo (default 4000×3000, 12 MP). */
  photoSize?: [number, number];
  web: boolean;
  torch: boolean;
  log: (line: string) => void;
}

/** The engine step and inference, ours and PyTorch's, each in its own process, in alternating rounds. */
async function engineStory(o: BenchOptions, torch: boolean) {
  const train: EngineFigure[] = [];
  const inference: EngineFigure[] = [];
  let params = 0;
  const ratio = (theirs: Spread | undefined, ours: Spread) => (theirs ? theirs.median / ours.median : null);
  for (const threads of o.threads) {
    const peers: ServedPeer[] = [];
    try {
      const ours = await startEnginePeer('ort-node', threads, o.inferenceSize);
      peers.push(ours);
      params = Number(ours.ready.params);
      const theirs = torch ? await startTorchPeer(threads, o.inferenceSize) : null;
      if (theirs) peers.push(theirs);
      const lossOf = async () => (await ours.ask('train', 1)).loss as [number, number];
      o.log(`engine step: ort-node${theirs ? ' and PyTorch' : ''}, ${threads} thread(s), alternating rounds…`);
      const [a, b] = await alternateRounds([ours.rounds('train'), ...(theirs ? [theirs.rounds('train')] : [])], {
        seconds: o.seconds * 2,
        round: 3,
        minRuns: 9,
        gapMs: TURN_GAP_MS,
      });
      train.push({ side: 'ort-node', threads, ...a!, vsPytorch: ratio(b, a!), loss: await lossOf() });
      if (b) train.push({ side: 'PyTorch', threads, ...b, vsPytorch: null });
      o.log(`inference ${o.inferenceSize}²: ort-node${theirs ? ' and PyTorch' : ''}, ${threads} thread(s)…`);
      const [c, d] = await alternateRounds([ours.rounds('infer'), ...(theirs ? [theirs.rounds('infer')] : [])], {
        seconds: o.seconds,
        round: 1,
        minRuns: 5,
        gapMs: TURN_GAP_MS,
      });
      inference.push({ side: 'ort-node', threads, ...c!, vsPytorch: ratio(d, c!) });
      if (d) inference.push({ side: 'PyTorch', threads, ...d, vsPytorch: null });
    } finally {
      for (const p of peers) await p.close();
    }
  }
  if (o.web) {
    // The wasm runtime's thread count is fixed per process: one thread, beside PyTorch's one-thread figures.
    const torch1 = (rows: EngineFigure[]) => rows.find((f) => f.side === 'PyTorch' && f.threads === 1);
    const web = await startEnginePeer('ort-web', 1, o.inferenceSize);
    try {
      o.log('engine step: ort-web (wasm), 1 thread…');
      const [a] = await alternateRounds([web.rounds('train')], { seconds: o.seconds, round: 1, minRuns: 3 });
      const loss = (await web.ask('train', 1)).loss as [number, number];
      train.push({ side: 'ort-web (wasm)', threads: 1, ...a!, vsPytorch: ratio(torch1(train), a!), loss });
      o.log(`inference ${o.inferenceSize}²: ort-web (wasm), 1 thread…`);
      const [c] = await alternateRounds([web.rounds('infer')], { seconds: o.seconds, round: 1, minRuns: 2 });
      inference.push({ side: 'ort-web (wasm)', threads: 1, ...c!, vsPytorch: ratio(torch1(inference), c!) });
    } finally {
      await web.close();
    }
  }
  return { train, inference, params };
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const loadBefore = os.loadavg()[0]!;
  const version = o.torch ? torchVersion() : null;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'denoise-lab-bench-'));
  try {
    const engine = o.stories.includes('engine') ? await engineStory(o, version !== null) : null;
    let train: BenchReport['train'] = null;
    if (o.stories.includes('train')) {
      const patches = path.join(tmp, 'patches.npy');
      await writePatches(o.photos, patches, 1000, 1);
      const steps = o.trainSteps ?? [10, 110];
      train = {
        steps,
        rounds: o.rounds,
        figures: await trainProcesses({
          threads: o.threads,
          rounds: o.rounds,
          steps,
          patches,
          tmp,
          torch: version !== null,
          log: o.log,
        }),
      };
    }
    let denoise: BenchReport['denoise'] = null;
    if (o.stories.includes('denoise')) {
      const photo = path.join(tmp, 'photo.jpg');
      const [width, height] = o.photoSize ?? [4000, 3000];
      await writeNoisyPhoto(o.photo, { width, height }, 15, 5, photo);
      denoise = {
        rounds: o.rounds,
        figures: await denoiseProcesses({
          threads: o.threads,
          rounds: o.rounds,
          photo,
          width,
          height,
          tmp,
          fast: existsSync(path.join(modelsDir, 'default-int8.onnx')),
          log: o.log,
        }),
      };
    }
    const cpus = os.cpus();
    return {
      workload: { ...WORKLOAD, params: engine?.params ?? 46_849, inferenceSize: o.inferenceSize },
      machine: {
        cpu: cpus[0]?.model ?? 'unknown',
        cores: cpus.length,
        node: process.version,
        loadAverage: { before: loadBefore, after: os.loadavg()[0]! },
      },
      pytorch: version
        ? { version }
        : { unavailable: o.torch ? '/usr/bin/python3 with torch not found' : 'skipped (--no-torch)' },
      engine: engine ? { train: engine.train, inference: engine.inference } : null,
      train,
      denoise,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const ratio = (r: number | null) => (r === null ? '' : `${r.toFixed(2)}×`);
const pad = (s: string, n: number) => s.padStart(n);

export function formatBench(r: BenchReport): string {
  const w = r.workload;
  const lines = [
    `Denoise Lab benchmark: ${w.arch} (${w.params.toLocaleString('en-US')} parameters), batch ${w.batch}×1×${w.patch}×${w.patch}, MSE, Adam lr ${w.lr}, noise σ ${w.sigma}`,
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, load average ${r.machine.loadAverage.before.toFixed(2)} → ${r.machine.loadAverage.after.toFixed(2)}`,
    `PyTorch: ${'version' in r.pytorch ? r.pytorch.version : r.pytorch.unavailable}`,
    'Each side runs in its own process, alone on the cores (an idle gap before every turn); figures are',
    'medians with (fastest–slowest). vs PyTorch = PyTorch time / ours at the same threads (> 1: ours is faster).',
  ];
  if (r.engine) {
    const row = (f: EngineFigure, extra = '') =>
      `  ${f.side.padEnd(16)} ${pad(String(f.threads), 7)} ${pad(withSpread(f), 24)} ${pad(ratio(f.vsPytorch), 10)}${extra}`;
    lines.push(
      '',
      '1. Engine: one training step (forward + backward + Adam update), served in rounds',
      `  ${'side'.padEnd(16)} ${pad('threads', 7)} ${pad('ms/step', 24)} ${pad('vs PyTorch', 10)}  loss first → last`,
      ...r.engine.train.map((f) =>
        row(f, `  ${f.loss ? `${f.loss[0].toFixed(5)} → ${f.loss[1].toFixed(5)} ` : ''}(${f.n} steps)`),
      ),
      '',
      `   Inference of the same model on 1×1×${w.inferenceSize}×${w.inferenceSize}`,
      `  ${'side'.padEnd(16)} ${pad('threads', 7)} ${pad('ms', 24)} ${pad('vs PyTorch', 10)}`,
      ...r.engine.inference.map((f) => row(f, `  (${f.n} runs)`)),
    );
  }
  if (r.train) {
    const [a, b] = r.train.steps;
    const theirs = (f: TrainProcessFigure) =>
      r.train!.figures.find((g) => g.side === 'PyTorch' && g.threads === f.threads);
    lines.push(
      '',
      `2. The whole training command, per step (steps ${a} to ${b} of each run, timed from outside; ${r.train.rounds} interleaved rounds)`,
      `  ${'command'.padEnd(18)} ${pad('threads', 7)} ${pad('ms/step', 24)} ${pad('vs PyTorch', 10)} ${pad('start-up ms', 12)}`,
      ...r.train.figures.map((f) => {
        const t = theirs(f);
        const vs = f.side === 'PyTorch' || !t ? '' : ratio(t.perStep.median / f.perStep.median);
        return `  ${f.side.padEnd(18)} ${pad(String(f.threads), 7)} ${pad(withSpread(f.perStep), 24)} ${pad(vs, 10)} ${pad(f.startup.median.toFixed(0), 12)}`;
      }),
      `  denoise-lab train --arch ${w.arch} --data patches.npy --noise gaussian:${w.sigma} --batch ${w.batch} --optimizer adam --lr ${w.lr}`,
      `  against bench/peers/torch_train.py (same model, data, noise, optimizer; writes its model too)`,
    );
  }
  if (r.denoise) {
    const f0 = r.denoise.figures[0];
    lines.push(
      '',
      `3. Denoising a ${f0 ? f0.megapixels.toFixed(0) : '?'}-MP JPEG with the shipped default (σ 25, tiles of 1024), whole processes, ${r.denoise.rounds} interleaved rounds`,
      `  ${pad('threads', 7)} ${pad('denoise-lab denoise ms', 26)} ${pad('bare ORT ms', 24)} ${pad('(its tiles)', 12)} ${pad('overhead', 9)} ${pad('--fast ms', 24)} ${pad('speed-up', 9)}`,
      ...r.denoise.figures.map(
        (f) =>
          `  ${pad(String(f.threads), 7)} ${pad(withSpread(f.cli, 0), 26)} ${pad(withSpread(f.bare, 0), 24)} ${pad(f.bareTiles.median.toFixed(0), 12)} ${pad(`${(f.overhead * 100).toFixed(1)} %`, 9)} ${pad(f.fast ? withSpread(f.fast, 0) : '', 24)} ${pad(f.fast ? `${(f.cli.median / f.fast.median).toFixed(2)}×` : '', 9)}`,
      ),
      '  overhead = the app (start-up, decode, tiling and blending, encode, metadata) over bare ONNX',
      '  --fast = the same command with the int8 twin (models/default-int8.onnx); speed-up = float / --fast.',
      `  Runtime running the same ${f0?.tiles ?? '?'} tiles in its own process (bench/peers/bare_ort.mjs).`,
    );
  }
  if (r.machine.loadAverage.before > r.machine.cores / 2)
    lines.push(
      '',
      `note: the machine was busy (load ${r.machine.loadAverage.before.toFixed(2)} on ${r.machine.cores} cores): figures are noisy; ratios from alternating rounds less so.`,
    );
  return lines.join('\n') + '\n';
}

const SIZE: NumberRange = { min: 8, max: 8192, integer: true };
const SECONDS: NumberRange = { min: 0, max: 600, aboveMin: true };
const ROUNDS: NumberRange = { min: 1, max: 50, integer: true };

export const benchCommand: Command = {
  name: 'bench',
  summary: 'benchmark training and denoising against PyTorch and bare ONNX Runtime',
  usage: `Usage: npm run bench -- [--json] [--only engine,train,denoise] [--threads 1,2] [--seconds S]
                       [--rounds N] [--size 1024] [--photos <folder>] [--photo <file>] [--no-web] [--no-torch]

Three stories, each side in its own process with nothing else running on the cores:
  engine   the ref-dae training step (conv 3×3 ×7, 46,849 parameters; batch 16 of 1×48×48, MSE,
           Adam lr 1e-3) and its inference on 1×1×S×S: our engine (ORT-node at each thread count,
           ORT-web wasm at 1) against PyTorch, in alternating rounds
  train    the whole 'denoise-lab train' command on that workload against the same training in
           PyTorch, per step (steps 10 to 110 of each run), interleaved rounds
  denoise  'denoise-lab denoise' on a 12-MP JPEG with the shipped default against bare ONNX
           Runtime on the same tiles: the app's overhead
PyTorch is /usr/bin/python3's torch; without it the PyTorch columns are left out.

  --only L      comma-separated stories to run (default: all three)
  --threads L   comma-separated thread counts, each 1–64 (default 1,2)
  --seconds S   time budget of each engine comparison, up to 600 (default 3; training steps twice that)
  --rounds N    rounds of the whole-process stories, 1–50 (default 3)
  --size S      engine inference image side, 8–8192 (default 1024)
  --photos F    folder of photos the training patches are cut from (default test/fixtures/ssim)
  --photo F     photo enlarged to 12 MP for the denoise story (default test/fixtures/ssim/chelsea.png)
  --no-web      skip ORT-web
  --no-torch    skip PyTorch
  --formulations  instead: time conv-gradient formulations, candidate gradient rules on the whole
                step and ORT session options, on ORT-node with the first --threads count
  --json        one JSON document with every figure; progress goes to stderr`,
  options: {
    json: { type: 'boolean' },
    only: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    threads: { type: 'string' },
    size: { type: 'string' },
    photos: { type: 'string' },
    photo: { type: 'string' },
    'no-web': { type: 'boolean' },
    'no-torch': { type: 'boolean' },
    formulations: { type: 'boolean' },
  },
  async run({ values }, io) {
    const list = String(values.threads ?? '1,2');
    const threads = list.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
    if (threads.some((t) => !inRange(t, RANGES.threads)))
      throw new UsageError(rangeMessage('--threads (each count)', RANGES.threads, list));
    const only = String(values.only ?? STORIES.join(','))
      .split(',')
      .map((s) => s.trim());
    const unknown = only.filter((s) => !(STORIES as readonly string[]).includes(s));
    if (unknown.length) throw new UsageError(`--only: no story '${unknown[0]}' (there are ${STORIES.join(', ')})`);
    const size = numberOption(values, 'size', SIZE) ?? 1024;
    const seconds = numberOption(values, 'seconds', SECONDS) ?? 3;
    const rounds = numberOption(values, 'rounds', ROUNDS) ?? 3;
    const fixtures = path.join(packageRoot, 'test', 'fixtures', 'ssim');
    const log = (line: string) => io.err(line + '\n');
    if (values.formulations) {
      // A study for the engine's developers, kept out of the main bench path (loaded on demand).
      const { probeFormulations, formatProbe } = await import('./conv-grad-formulations.js');
      const rows = await probeFormulations({ threads: threads[0]!, seconds, log });
      io.out(values.json ? JSON.stringify({ threads: threads[0], rows }) + '\n' : formatProbe(rows, threads[0]!));
      return 0;
    }
    const report = await runBench({
      stories: only as Story[],
      seconds,
      threads,
      inferenceSize: size,
      rounds,
      photos: typeof values.photos === 'string' ? values.photos : fixtures,
      photo: typeof values.photo === 'string' ? values.photo : path.join(fixtures, 'chelsea.png'),
      web: !values['no-web'],
      torch: !values['no-torch'],
      log,
    });
    io.out(values.json ? JSON.stringify(report) + '\n' : formatBench(report));
    return 0;
  },
};
