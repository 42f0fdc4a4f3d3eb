// `npm run bench [-- --json]` (dev only, bench/speed.ts): training and inference speed of the
// reference workload ref-dae on each executor, next to PyTorch on the same machine, same model,
// same thread count, measured in the same run (bench/peers/torch_ref_dae.py).
//
// ref-dae: conv 3×3 1→32 + ReLU, five conv 3×3 32→32 + ReLU, conv 3×3 32→1, zero padding 1,
// biases, output = input − last conv (46,849 parameters); batch 16 of 1×48×48, MSE to the clean
// patch, Adam lr 1e-3. One training step = one run of the step graph (forward, backward, Adam),
// its outputs fed back as the next step's parameters and optimizer state.
//
// Each figure is the median time of the runs that fit in the time budget (after warm-up), so a
// stray slow run on a busy machine does not move it; the load average is printed alongside.

import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Command, UsageError } from '../main/cli/command.js';
import { inRange, numberOption, RANGES, rangeMessage, type NumberRange } from '../main/cli/options.js';
import { packageRoot } from '../main/files/app-paths.js';
import { Rng } from '../common/rng.js';
import { createExecutor, type ExecutorName } from '../main/engine/exec/index.js';
import { Tensor } from '../main/engine/ir/tensor.js';
import { buildInference, buildTrainingModel, initParams } from '../main/engine/nn/index.js';
import { paramSpecs, preset } from '../common/model/index.js';
import { buildTrainStep } from '../main/engine/optim/index.js';

export const WORKLOAD = {
  arch: 'ref-dae',
  batch: 16,
  patch: 48,
  lr: 1e-3,
  sigma: 25,
} as const;

const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = path.join(packageRoot, 'bench', 'peers', 'torch_ref_dae.py');

/** Median and fastest of a set of timings (ms). */
export interface Timing {
  ms: number;
  bestMs: number;
  runs: number;
}

export interface TrainFigure extends Timing {
  executor: ExecutorName | 'pytorch';
  threads: number;
  stepsPerSec: number;
  /** PyTorch's median ms per step / ours, measured in alternating rounds (> 1: faster than PyTorch). */
  vsPytorch: number | null;
  /** The same ratio from the fastest steps (least disturbed by other processes). */
  vsPytorchBest: number | null;
  /** Loss at the first and the last step (shows the step really trains). */
  loss?: { first: number; last: number };
}

export interface InferenceFigure extends Timing {
  executor: ExecutorName | 'pytorch';
  threads: number;
  vsPytorch: number | null;
  vsPytorchBest: number | null;
}

export interface BenchReport {
  workload: typeof WORKLOAD & { params: number; inferenceSize: number };
  machine: { cpu: string; cores: number; node: string; loadAverage: { before: number; after: number } };
  pytorch: { version: string } | { unavailable: string };
  train: TrainFigure[];
  inference: InferenceFigure[];
}

export interface BenchOptions {
  /** Time budget of each comparison (ours and PyTorch's rounds together), in seconds. */
  seconds: number;
  threads: number[];
  inferenceSize: number;
  web: boolean;
  torch: boolean;
  log: (line: string) => void;
}

function timing(times: number[]): Timing {
  const t = [...times].sort((a, b) => a - b);
  const mid = t.length >> 1;
  return { ms: t.length % 2 ? t[mid]! : (t[mid - 1]! + t[mid]!) / 2, bestMs: t[0]!, runs: t.length };
}

/** Something timed in rounds: `run(k)` does k runs and returns their times in ms. */
export type Rounds = (k: number) => Promise<number[]>;

/**
 * Times several things in alternating rounds (one warm-up round each, then `round` runs of each in
 * turn until `seconds` have passed and each has `minRuns` timings), so that all of them see the
 * same load on a shared machine.
 */
export async function alternateRounds(
  things: readonly Rounds[],
  o: { seconds: number; round: number; minRuns: number },
): Promise<Timing[]> {
  for (const rounds of things) await rounds(o.round);
  const times: number[][] = things.map(() => []);
  const start = performance.now();
  while (times.some((t) => t.length < o.minRuns) || performance.now() - start < o.seconds * 1000) {
    for (const [i, rounds] of things.entries()) times[i]!.push(...(await rounds(o.round)));
  }
  return times.map(timing);
}

/** Ours alone, or ours and PyTorch's in alternation. */
async function alternate(ours: Rounds, theirs: Rounds | null, o: { seconds: number; round: number; minRuns: number }) {
  const [a, b] = await alternateRounds(theirs ? [ours, theirs] : [ours], o);
  return { ours: a!, theirs: b ?? null };
}

/** A Rounds from a function doing one run. */
export function roundsOf(fn: () => Promise<unknown>): Rounds {
  return async (k) => {
    const times: number[] = [];
    for (let i = 0; i < k; i++) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    return times;
  };
}

function refDae() {
  const arch = preset(WORKLOAD.arch);
  if (!arch) throw new Error(`bench: no '${WORKLOAD.arch}' preset`);
  return arch;
}

/** Seeded initial parameters and one noisy/clean batch: every executor trains from the same state. */
function initialState() {
  const arch = refDae();
  const rng = new Rng(2024);
  const params = initParams(paramSpecs(arch), rng);
  const shape = [WORKLOAD.batch, 1, WORKLOAD.patch, WORKLOAD.patch];
  const clean = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const noisy = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) {
    clean[i] = rng.uniform();
    noisy[i] = clean[i]! + (rng.normal() * WORKLOAD.sigma) / 255;
  }
  return { arch, params, clean: new Tensor('float32', shape, clean), noisy: new Tensor('float32', shape, noisy) };
}

/** The ref-dae training step compiled on `executor`; each call of the result runs k steps. */
async function trainingRounds(executor: ExecutorName, threads: number) {
  const { arch, params, clean, noisy } = initialState();
  const model = buildTrainingModel(arch, { batch: WORKLOAD.batch, sampleShape: [1, WORKLOAD.patch, WORKLOAD.patch] });
  const step = buildTrainStep({ graph: model.forward.graph, loss: model.loss, optimizer: { kind: 'adam' } });
  const compiled = await (await createExecutor(executor, { threads })).compile(step.graph);
  const feeds: Record<string, Tensor> = { ...Object.fromEntries(params), ...step.initialSlots() };
  feeds[model.forward.x.name] = noisy;
  feeds[model.target.name] = clean;
  feeds[step.lr] = Tensor.scalar(WORKLOAD.lr);
  let t = 0;
  const loss = { first: NaN, last: NaN };
  const rounds = roundsOf(async () => {
    feeds[step.t] = Tensor.scalar(++t);
    const out = await compiled.run(feeds);
    loss.last = Number(out[step.outputs.loss]!.data[0]);
    if (Number.isNaN(loss.first)) loss.first = loss.last;
    for (const f of step.feedback) feeds[f.input] = out[f.output]!;
  });
  return { rounds, loss, dispose: () => compiled.dispose() };
}

/** The ref-dae inference graph on one S×S image, compiled on `executor`. */
async function inferenceRounds(executor: ExecutorName, threads: number, size: number) {
  const { arch, params } = initialState();
  const fg = buildInference(arch, { batch: 1, sampleShape: [1, size, size] });
  const compiled = await (await createExecutor(executor, { threads })).compile(fg.graph);
  const rng = new Rng(7);
  const pixels = new Float32Array(size * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.uniform();
  const feeds = { ...Object.fromEntries(params), [fg.x.name]: new Tensor('float32', [1, 1, size, size], pixels) };
  const rounds = roundsOf(() => compiled.run(feeds));
  return { rounds, dispose: () => compiled.dispose() };
}

export function torchVersion(): string | null {
  if (!existsSync(TORCH_SCRIPT)) return null;
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** bench/peers/torch_ref_dae.py --serve: PyTorch timing rounds on request, one JSON line each. */
export class TorchPeer {
  private pending: ((line: string) => void)[] = [];
  private buffer = '';
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.pending.shift()?.(line);
      }
    });
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  static async start(threads: number, inferenceSize: number): Promise<TorchPeer> {
    const child = spawn(PYTHON, [
      TORCH_SCRIPT,
      '--serve',
      '--threads',
      String(threads),
      '--infer-size',
      String(inferenceSize),
    ]);
    const peer = new TorchPeer(child);
    await peer.reply();
    return peer;
  }

  private reply(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`PyTorch peer exited (${code}): ${this.stderr.trim().split('\n').pop() ?? ''}`));
      this.child.once('exit', onExit);
      this.pending.push((line) => {
        this.child.off('exit', onExit);
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch {
          reject(new Error(`PyTorch peer said: ${line.slice(0, 200)}`));
        }
      });
    });
  }

  private async ask(command: 'train' | 'infer', k: number): Promise<number[]> {
    const answer = this.reply();
    this.child.stdin.write(`${command} ${k}\n`);
    const r = await answer;
    const times = r[`${command}_ms`];
    if (!Array.isArray(times)) throw new Error(`PyTorch peer: ${JSON.stringify(r)}`);
    return times as number[];
  }

  train: Rounds = (k) => this.ask('train', k);
  infer: Rounds = (k) => this.ask('infer', k);

  close(): void {
    this.child.stdin.end('quit\n');
  }
}

function figure<T extends Timing>(
  ours: Timing,
  theirs: Timing | null,
): Timing & Pick<TrainFigure, 'vsPytorch' | 'vsPytorchBest'> {
  return {
    ...ours,
    vsPytorch: theirs ? theirs.ms / ours.ms : null,
    vsPytorchBest: theirs ? theirs.bestMs / ours.bestMs : null,
  } as T & Pick<TrainFigure, 'vsPytorch' | 'vsPytorchBest'>;
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const loadBefore = os.loadavg()[0]!;
  const version = o.torch ? torchVersion() : null;
  const train: TrainFigure[] = [];
  const inference: InferenceFigure[] = [];
  const pytorch = (t: Timing) => ({ ...t, vsPytorch: 1, vsPytorchBest: 1 });

  for (const threads of o.threads) {
    const peer = version ? await TorchPeer.start(threads, o.inferenceSize) : null;
    try {
      o.log(`training: ort-node${peer ? ' and PyTorch' : ''}, ${threads} thread(s), alternating rounds…`);
      const ours = await trainingRounds('ort-node', threads);
      const r = await alternate(ours.rounds, peer?.train ?? null, { seconds: o.seconds * 2, round: 3, minRuns: 6 });
      await ours.dispose();
      train.push({
        executor: 'ort-node',
        threads,
        ...figure(r.ours, r.theirs),
        stepsPerSec: 1000 / r.ours.ms,
        loss: ours.loss,
      });
      if (r.theirs) train.push({ executor: 'pytorch', threads, ...pytorch(r.theirs), stepsPerSec: 1000 / r.theirs.ms });

      o.log(`inference ${o.inferenceSize}²: ort-node${peer ? ' and PyTorch' : ''}, ${threads} thread(s)…`);
      const inf = await inferenceRounds('ort-node', threads, o.inferenceSize);
      const ri = await alternate(inf.rounds, peer?.infer ?? null, { seconds: o.seconds, round: 1, minRuns: 3 });
      await inf.dispose();
      inference.push({ executor: 'ort-node', threads, ...figure(ri.ours, ri.theirs) });
      if (ri.theirs) inference.push({ executor: 'pytorch', threads, ...pytorch(ri.theirs) });
    } finally {
      peer?.close();
    }
  }

  if (o.web) {
    // The wasm runtime's thread count is fixed per process; one thread, compared with PyTorch's one-thread figures.
    const torch1 = (rows: (Timing & { executor: string; threads: number })[]): Timing | null =>
      rows.find((f) => f.executor === 'pytorch' && f.threads === 1) ?? null;
    o.log('training: ort-web (wasm), 1 thread…');
    const web = await trainingRounds('ort-web', 1);
    const r = await alternate(web.rounds, null, { seconds: o.seconds, round: 1, minRuns: 3 });
    await web.dispose();
    train.push({
      executor: 'ort-web',
      threads: 1,
      ...figure(r.ours, torch1(train)),
      stepsPerSec: 1000 / r.ours.ms,
      loss: web.loss,
    });
    o.log(`inference ${o.inferenceSize}²: ort-web (wasm), 1 thread…`);
    const inf = await inferenceRounds('ort-web', 1, o.inferenceSize);
    const ri = await alternate(inf.rounds, null, { seconds: o.seconds, round: 1, minRuns: 2 });
    await inf.dispose();
    inference.push({ executor: 'ort-web', threads: 1, ...figure(ri.ours, torch1(inference)) });
  }

  const cpus = os.cpus();
  return {
    workload: {
      ...WORKLOAD,
      params: [...initialState().params.values()].reduce((a, t) => a + t.size, 0),
      inferenceSize: o.inferenceSize,
    },
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      node: process.version,
      loadAverage: { before: loadBefore, after: os.loadavg()[0]! },
    },
    pytorch: version
      ? { version }
      : { unavailable: o.torch ? `${PYTHON} with torch, or ${TORCH_SCRIPT}, not found` : 'skipped (--no-torch)' },
    train,
    inference,
  };
}

const label = (executor: string) => (executor === 'ort-web' ? 'ort-web (wasm)' : executor);
const ratio = (r: number | null) => (r === null ? '' : `${r.toFixed(2)}×`);

export function formatBench(r: BenchReport): string {
  const w = r.workload;
  const row = (f: TrainFigure | InferenceFigure, extra = '') =>
    `  ${label(f.executor).padEnd(16)} ${String(f.threads).padStart(7)} ${f.ms.toFixed(1).padStart(9)} ${f.bestMs.toFixed(1).padStart(9)} ${ratio(f.vsPytorch).padStart(11)} ${ratio(f.vsPytorchBest).padStart(10)}${extra}`;
  const header = (unit: string) =>
    `  ${'executor'.padEnd(16)} ${'threads'.padStart(7)} ${unit.padStart(9)} ${'fastest'.padStart(9)} ${'vs PyTorch'.padStart(11)} ${'(fastest)'.padStart(10)}`;
  const lines = [
    `Denoise Lab benchmark: ${w.arch} (${w.params.toLocaleString('en-US')} parameters), batch ${w.batch}×1×${w.patch}×${w.patch}, MSE, Adam lr ${w.lr}`,
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, load average ${r.machine.loadAverage.before.toFixed(2)} → ${r.machine.loadAverage.after.toFixed(2)}`,
    `PyTorch: ${'version' in r.pytorch ? `${r.pytorch.version}, measured in rounds alternating with ours` : r.pytorch.unavailable}`,
    '',
    'Training (one step = forward + backward + Adam update; median and fastest step)',
    `${header('ms/step')}  steps/s  loss first → last`,
    ...r.train.map((f) =>
      row(
        f,
        `  ${f.stepsPerSec.toFixed(2).padStart(7)}  ${f.loss ? `${f.loss.first.toFixed(5)} → ${f.loss.last.toFixed(5)} ` : ''}(${f.runs} steps)`,
      ),
    ),
    '',
    `Inference on 1×1×${w.inferenceSize}×${w.inferenceSize} (median and fastest run)`,
    header('ms'),
    ...r.inference.map((f) => row(f, `  (${f.runs} runs)`)),
    '',
    'vs PyTorch = PyTorch time / ours at the same thread count (> 1: faster than PyTorch); ort-web is',
    'compared with PyTorch on one thread.',
  ];
  if (r.machine.loadAverage.before > r.machine.cores / 2) {
    lines.push(
      `note: the machine was busy (load ${r.machine.loadAverage.before.toFixed(2)} on ${r.machine.cores} cores): single figures are noisy; the ratios, from alternating rounds, less so.`,
    );
  }
  return lines.join('\n') + '\n';
}

const SIZE: NumberRange = { min: 8, max: 8192, integer: true };
const SECONDS: NumberRange = { min: 0, max: 600, aboveMin: true };

export const benchCommand: Command = {
  name: 'bench',
  summary: 'benchmark training and inference of ref-dae on each executor (and PyTorch)',
  usage: `Usage: npm run bench -- [--json] [--seconds S] [--threads 1,2] [--size 1024] [--no-web] [--no-torch]

Trains the reference workload ref-dae (residual conv denoiser, 46,849 parameters; batch 16 of
1×48×48, MSE, Adam lr 1e-3) on ORT-node with each thread count, on ORT-web (wasm, 1 thread) and,
when /usr/bin/python3 has torch, on PyTorch with the same threads in the same run; then times
inference of the same model on a 1×1×S×S image. Prints steps/s, ms and the ratio to PyTorch.

  --seconds S   time budget of each measurement, up to 600 (default 3; training comparisons get
                twice that)
  --threads L   comma-separated thread counts for ORT-node and PyTorch, each 1–64 (default 1,2)
  --size S      inference image side, 8–8192 (default 1024)
  --no-web      skip ORT-web
  --no-torch    skip PyTorch
  --formulations  instead: time conv-gradient formulations, candidate gradient rules on the whole
                step and ORT session options, on ORT-node with the first --threads count
  --json        one JSON document with every figure; progress goes to stderr`,
  options: {
    json: { type: 'boolean' },
    seconds: { type: 'string' },
    threads: { type: 'string' },
    size: { type: 'string' },
    'no-web': { type: 'boolean' },
    'no-torch': { type: 'boolean' },
    formulations: { type: 'boolean' },
  },
  async run({ values }, io) {
    const list = String(values.threads ?? '1,2');
    const threads = list.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
    if (threads.some((t) => !inRange(t, RANGES.threads)))
      throw new UsageError(rangeMessage('--threads (each count)', RANGES.threads, list));
    const size = numberOption(values, 'size', SIZE) ?? 1024;
    const seconds = numberOption(values, 'seconds', SECONDS) ?? 3;
    const log = (line: string) => io.err(line + '\n');
    if (values.formulations) {
      // A study for the engine's developers, kept out of the main bench path (loaded on demand).
      const { probeFormulations, formatProbe } = await import('./conv-grad-formulations.js');
      const rows = await probeFormulations({ threads: threads[0]!, seconds, log });
      io.out(values.json ? JSON.stringify({ threads: threads[0], rows }) + '\n' : formatProbe(rows, threads[0]!));
      return 0;
    }
    const report = await runBench({
      seconds,
      threads,
      inferenceSize: size,
      web: !values['no-web'],
      torch: !values['no-torch'],
      log,
    });
    io.out(values.json ? JSON.stringify(report) + '\n' : formatBench(report));
    return 0;
  },
};
