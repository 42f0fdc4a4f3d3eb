// `denoise-lab bench [--json]` (also `npm run bench`): training and inference speed of the
// reference workload ref-dae on each executor, next to PyTorch on the same machine, same model,
// same thread count, measured in the same run (scripts/bench/torch_ref_dae.py).
//
// ref-dae: conv 3×3 1→32 + ReLU, five conv 3×3 32→32 + ReLU, conv 3×3 32→1, zero padding 1,
// biases, output = input − last conv (46,849 parameters); batch 16 of 1×48×48, MSE to the clean
// patch, Adam lr 1e-3. One training step = one run of the step graph (forward, backward, Adam),
// its outputs fed back as the next step's parameters and optimizer state.
//
// Each figure is the median time of the runs that fit in the time budget (after warm-up), so a
// stray slow run on a busy machine does not move it; the load average is printed alongside.

import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { type Command, UsageError } from '../command.js';
import { packageRoot } from '../../paths.js';
import { Rng } from '../../common/rng.js';
import { createExecutor, type ExecutorName } from '../../engine/exec/index.js';
import { Tensor } from '../../engine/ir/tensor.js';
import { buildInference, buildTrainingModel, initParams, paramSpecs, preset } from '../../engine/nn/index.js';
import { buildTrainStep } from '../../engine/optim/index.js';

export const WORKLOAD = {
  arch: 'ref-dae',
  batch: 16,
  patch: 48,
  lr: 1e-3,
  sigma: 25,
} as const;

const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = path.join(packageRoot, 'scripts', 'bench', 'torch_ref_dae.py');

export interface TrainFigure {
  executor: ExecutorName | 'pytorch';
  threads: number;
  msPerStep: number;
  stepsPerSec: number;
  /** Steps timed (after warm-up). */
  steps: number;
  /** PyTorch's ms per step / ours at the same thread count (> 1: faster than PyTorch). */
  vsPytorch: number | null;
  /** Loss before the first and after the last timed step (shows the step really trains). */
  loss?: { first: number; last: number };
}

export interface InferenceFigure {
  executor: ExecutorName | 'pytorch';
  threads: number;
  ms: number;
  runs: number;
  vsPytorch: number | null;
}

export interface BenchReport {
  workload: typeof WORKLOAD & { params: number; inferenceSize: number };
  machine: { cpu: string; cores: number; node: string; loadAverage: { before: number; after: number } };
  pytorch: { version: string } | { unavailable: string };
  train: TrainFigure[];
  inference: InferenceFigure[];
}

export interface BenchOptions {
  /** Time budget of each measurement, in seconds. */
  seconds: number;
  threads: number[];
  inferenceSize: number;
  web: boolean;
  torch: boolean;
  log: (line: string) => void;
}

/** Runs `fn` (after `warmup` runs) until `seconds` have passed and at least `minRuns` ran; median ms. */
async function median(
  fn: () => Promise<void>,
  seconds: number,
  minRuns: number,
  warmup: number,
): Promise<{ ms: number; runs: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < seconds * 1000) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return { ms: times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2, runs: times.length };
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

async function timeTraining(
  executor: ExecutorName,
  threads: number,
  o: BenchOptions,
): Promise<Omit<TrainFigure, 'vsPytorch'>> {
  const { arch, params, clean, noisy } = initialState();
  const model = buildTrainingModel(arch, { batch: WORKLOAD.batch, sampleShape: [1, WORKLOAD.patch, WORKLOAD.patch] });
  const step = buildTrainStep({ graph: model.forward.graph, loss: model.loss, optimizer: { kind: 'adam' } });
  const compiled = await (await createExecutor(executor, { threads })).compile(step.graph);
  const feeds: Record<string, Tensor> = { ...Object.fromEntries(params), ...step.initialSlots() };
  feeds[model.forward.x.name] = noisy;
  feeds[model.target.name] = clean;
  feeds[step.lr] = Tensor.scalar(WORKLOAD.lr);
  let t = 0;
  let first = NaN;
  let last = NaN;
  const run = async () => {
    feeds[step.t] = Tensor.scalar(++t);
    const out = await compiled.run(feeds);
    last = Number(out[step.outputs.loss]!.data[0]);
    if (Number.isNaN(first)) first = last;
    for (const f of step.feedback) feeds[f.input] = out[f.output]!;
  };
  const slow = executor === 'ort-web';
  const r = await median(run, o.seconds, slow ? 3 : 5, slow ? 1 : 3);
  await compiled.dispose();
  return { executor, threads, msPerStep: r.ms, stepsPerSec: 1000 / r.ms, steps: r.runs, loss: { first, last } };
}

async function timeInference(
  executor: ExecutorName,
  threads: number,
  o: BenchOptions,
): Promise<Omit<InferenceFigure, 'vsPytorch'>> {
  const { arch, params } = initialState();
  const size = o.inferenceSize;
  const fg = buildInference(arch, { batch: 1, sampleShape: [1, size, size] });
  const compiled = await (await createExecutor(executor, { threads })).compile(fg.graph);
  const rng = new Rng(7);
  const pixels = new Float32Array(size * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.uniform();
  const image = new Tensor('float32', [1, 1, size, size], pixels);
  const feeds = { ...Object.fromEntries(params), [fg.x.name]: image };
  const r = await median(
    async () => {
      await compiled.run(feeds);
    },
    o.seconds / 2,
    2,
    1,
  );
  await compiled.dispose();
  return { executor, threads, ms: r.ms, runs: r.runs };
}

interface TorchFigures {
  torch: string;
  train_ms: number;
  train_steps: number;
  infer_ms: number;
}

function torchVersion(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

function runTorch(threads: number, o: BenchOptions): Promise<TorchFigures> {
  const args = [
    TORCH_SCRIPT,
    '--threads',
    String(threads),
    '--seconds',
    String(o.seconds),
    '--infer-size',
    String(o.inferenceSize),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`PyTorch run failed (exit ${code}): ${err.trim().split('\n').pop()}`));
      try {
        resolve(JSON.parse(out) as TorchFigures);
      } catch {
        reject(new Error(`PyTorch run printed no JSON: ${out.slice(0, 200)}`));
      }
    });
  });
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const loadBefore = os.loadavg()[0]!;
  const version = o.torch ? torchVersion() : null;
  const train: TrainFigure[] = [];
  const inference: InferenceFigure[] = [];
  const torchByThreads = new Map<number, TorchFigures>();

  for (const threads of o.threads) {
    o.log(`training on ort-node, ${threads} thread(s)…`);
    const ours = await timeTraining('ort-node', threads, o);
    let torch: TorchFigures | undefined;
    if (version) {
      o.log(`training on PyTorch ${version}, ${threads} thread(s)…`);
      torch = await runTorch(threads, o);
      torchByThreads.set(threads, torch);
    }
    train.push({ ...ours, vsPytorch: torch ? torch.train_ms / ours.msPerStep : null });
    if (torch) {
      train.push({
        executor: 'pytorch',
        threads,
        msPerStep: torch.train_ms,
        stepsPerSec: 1000 / torch.train_ms,
        steps: torch.train_steps,
        vsPytorch: 1,
      });
    }
  }
  if (o.web) {
    o.log('training on ort-web (wasm), 1 thread…');
    const web = await timeTraining('ort-web', 1, o);
    const torch = torchByThreads.get(1);
    train.push({ ...web, vsPytorch: torch ? torch.train_ms / web.msPerStep : null });
  }

  for (const threads of o.threads) {
    o.log(`inference ${o.inferenceSize}² on ort-node, ${threads} thread(s)…`);
    const ours = await timeInference('ort-node', threads, o);
    const torch = torchByThreads.get(threads);
    inference.push({ ...ours, vsPytorch: torch ? torch.infer_ms / ours.ms : null });
    if (torch) inference.push({ executor: 'pytorch', threads, ms: torch.infer_ms, runs: 0, vsPytorch: 1 });
  }
  if (o.web) {
    o.log(`inference ${o.inferenceSize}² on ort-web (wasm), 1 thread…`);
    const web = await timeInference('ort-web', 1, o);
    const torch = torchByThreads.get(1);
    inference.push({ ...web, vsPytorch: torch ? torch.infer_ms / web.ms : null });
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
    pytorch: version ? { version } : { unavailable: o.torch ? `${PYTHON} has no torch` : 'skipped (--no-torch)' },
    train,
    inference,
  };
}

const label = (executor: string) => (executor === 'ort-web' ? 'ort-web (wasm)' : executor);
const ratio = (r: number | null) => (r === null ? '' : `${r.toFixed(2)}×`);

export function formatBench(r: BenchReport): string {
  const w = r.workload;
  const lines = [
    `Denoise Lab benchmark: ${w.arch} (${w.params.toLocaleString('en-US')} parameters), batch ${w.batch}×1×${w.patch}×${w.patch}, MSE, Adam lr ${w.lr}`,
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, load average ${r.machine.loadAverage.before.toFixed(2)} → ${r.machine.loadAverage.after.toFixed(2)}`,
    `PyTorch: ${'version' in r.pytorch ? r.pytorch.version : r.pytorch.unavailable}`,
    '',
    'Training (one step = forward + backward + Adam update)',
    `  ${'executor'.padEnd(16)} ${'threads'.padStart(7)} ${'ms/step'.padStart(9)} ${'steps/s'.padStart(8)} ${'vs PyTorch'.padStart(11)}   loss first → last`,
    ...r.train.map(
      (f) =>
        `  ${label(f.executor).padEnd(16)} ${String(f.threads).padStart(7)} ${f.msPerStep.toFixed(1).padStart(9)} ${f.stepsPerSec.toFixed(2).padStart(8)} ${ratio(f.vsPytorch).padStart(11)}   ${
          f.loss ? `${f.loss.first.toFixed(5)} → ${f.loss.last.toFixed(5)} (${f.steps} steps)` : `(${f.steps} steps)`
        }`,
    ),
    '',
    `Inference on 1×1×${w.inferenceSize}×${w.inferenceSize}`,
    `  ${'executor'.padEnd(16)} ${'threads'.padStart(7)} ${'ms'.padStart(9)} ${'vs PyTorch'.padStart(11)}`,
    ...r.inference.map(
      (f) =>
        `  ${label(f.executor).padEnd(16)} ${String(f.threads).padStart(7)} ${f.ms.toFixed(1).padStart(9)} ${ratio(f.vsPytorch).padStart(11)}`,
    ),
  ];
  if (r.machine.loadAverage.before > r.machine.cores / 2) {
    lines.push(
      '',
      `note: the machine was busy (load ${r.machine.loadAverage.before.toFixed(2)} on ${r.machine.cores} cores); figures are noisy.`,
    );
  }
  return lines.join('\n') + '\n';
}

function positiveNumber(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a positive number, got '${String(value)}'`);
  return n;
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'benchmark training and inference of ref-dae on each executor (and PyTorch)',
  usage: `Usage: denoise-lab bench [--json] [--seconds S] [--threads 1,2] [--size 1024] [--no-web] [--no-torch]

Trains the reference workload ref-dae (residual conv denoiser, 46,849 parameters; batch 16 of
1×48×48, MSE, Adam lr 1e-3) on ORT-node with each thread count, on ORT-web (wasm, 1 thread) and,
when /usr/bin/python3 has torch, on PyTorch with the same threads in the same run; then times
inference of the same model on a 1×1×S×S image. Prints steps/s, ms and the ratio to PyTorch.

  --seconds S   time budget of each measurement (default 3; the figure is the median run)
  --threads L   comma-separated thread counts for ORT-node and PyTorch (default 1,2)
  --size S      inference image side (default 1024)
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
    const threads = String(values.threads ?? '1,2')
      .split(',')
      .map((s) => Number(s));
    if (threads.some((t) => !Number.isInteger(t) || t < 1 || t > 256)) {
      throw new UsageError(`--threads must list positive integers, got '${String(values.threads)}'`);
    }
    const size = positiveNumber(values.size, 'size', 1024);
    if (!Number.isInteger(size) || size > 8192)
      throw new UsageError(`--size must be an integer up to 8192, got ${size}`);
    const seconds = positiveNumber(values.seconds, 'seconds', 3);
    const log = (line: string) => io.err(line + '\n');
    if (values.formulations) {
      // A study for the engine's developers, kept out of the main bench path (loaded on demand).
      const { probeFormulations, formatProbe } = await import('../../../scripts/bench/conv-grad-formulations.js');
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
