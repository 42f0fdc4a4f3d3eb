// The whole training command, as users meet it: `denoise-lab train` on the reference workload
// against the same training written in PyTorch (peers/torch_train.py), each a process of its own,
// timed from outside. Start-up (Node or Python, ONNX Runtime or torch, reading the data, compiling
// the step) is removed by differencing a short and a long run of the same command, so the figure is
// the time per step of the loop itself: batch assembly, noise, the step, progress, everything.

import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Rng } from '../common/rng.js';
import { packageRoot } from '../main/files/app-paths.js';
import { encodeNpy } from '../main/files/npy.js';
import { readImage } from '../main/imaging/codec.js';
import { luma } from '../main/imaging/image.js';
import { PYTHON, PEERS } from './peers.js';
import { timeProcess } from './processes.js';
import { type Timing, timing } from './rounds.js';
import { WORKLOAD } from './workload.js';

const CLI = path.join(packageRoot, 'bin', 'denoise-lab.js');

/**
 * `count` random grayscale WORKLOAD.patch² crops of the photos in `folder`, as the float32
 * count×1×P×P .npy that both sides train on.
 */
export async function writePatches(folder: string, file: string, count = 1000, seed = 1): Promise<void> {
  const names = (await readdir(folder)).filter((f) => /\.(png|jpe?g|tiff?|webp)$/i.test(f)).sort();
  const P = WORKLOAD.patch;
  const planes = [];
  for (const name of names) {
    const image = await readImage(path.join(folder, name));
    if (image.width >= P && image.height >= P) planes.push({ y: luma(image), w: image.width, h: image.height });
  }
  if (planes.length === 0) throw new Error(`${folder}: no photo of at least ${P}×${P} pixels`);
  const rng = new Rng(seed);
  const data = new Float32Array(count * P * P);
  for (let k = 0; k < count; k++) {
    const p = planes[k % planes.length]!;
    const x0 = Math.floor(rng.uniform() * (p.w - P + 1));
    const y0 = Math.floor(rng.uniform() * (p.h - P + 1));
    for (let j = 0; j < P; j++) data.set(p.y.subarray((y0 + j) * p.w + x0, (y0 + j) * p.w + x0 + P), (k * P + j) * P);
  }
  await writeFile(file, encodeNpy(data, [count, 1, P, P]));
}

export interface TrainProcessFigure {
  side: 'denoise-lab train' | 'PyTorch';
  threads: number;
  /** Time per step of the loop (ms), one value per round. */
  perStep: Timing;
  /** The rest of the short run: start-up, data, compile, writing the model (ms). */
  startup: Timing;
}

export interface TrainProcessOptions {
  threads: number[];
  rounds: number;
  /** The short and the long run's step counts. */
  steps: [number, number];
  patches: string;
  tmp: string;
  torch: boolean;
  log: (line: string) => void;
}

function commandOf(side: TrainProcessFigure['side'], o: TrainProcessOptions, threads: number, steps: number) {
  const common = ['--steps', String(steps), '--threads', String(threads), '--batch', String(WORKLOAD.batch)];
  return side === 'PyTorch'
    ? {
        command: PYTHON,
        args: [
          path.join(PEERS, 'torch_train.py'),
          '--data',
          o.patches,
          '--out',
          path.join(o.tmp, 'torch.pt'),
          '--lr',
          String(WORKLOAD.lr),
          '--sigma',
          String(WORKLOAD.sigma),
          ...common,
        ],
      }
    : {
        command: process.execPath,
        args: [
          CLI,
          'train',
          '--arch',
          WORKLOAD.arch,
          '--data',
          o.patches,
          '--out',
          path.join(o.tmp, 'ours.onnx'),
          '--noise',
          `gaussian:${WORKLOAD.sigma}`,
          '--optimizer',
          'adam',
          '--lr',
          String(WORKLOAD.lr),
          ...common,
        ],
      };
}

/** Short and long runs of each side in interleaved rounds (the side that goes first alternates). */
export async function trainProcesses(o: TrainProcessOptions): Promise<TrainProcessFigure[]> {
  const sides: TrainProcessFigure['side'][] = o.torch ? ['denoise-lab train', 'PyTorch'] : ['denoise-lab train'];
  const [short, long] = o.steps;
  const figures: TrainProcessFigure[] = [];
  for (const threads of o.threads) {
    const perStep = new Map(sides.map((s) => [s, [] as number[]]));
    const startup = new Map(sides.map((s) => [s, [] as number[]]));
    for (let r = 0; r < o.rounds; r++) {
      o.log(`whole training process, ${threads} thread(s), round ${r + 1} of ${o.rounds}…`);
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      const ms = new Map<string, number>();
      for (const steps of [short, long])
        for (const side of order) {
          const c = commandOf(side, o, threads, steps);
          ms.set(`${side} ${steps}`, (await timeProcess(c.command, c.args, `${side} (${steps} steps)`)).ms);
        }
      for (const side of sides) {
        const step = (ms.get(`${side} ${long}`)! - ms.get(`${side} ${short}`)!) / (long - short);
        perStep.get(side)!.push(step);
        startup.get(side)!.push(ms.get(`${side} ${short}`)! - short * step);
      }
    }
    for (const side of sides)
      figures.push({ side, threads, perStep: timing(perStep.get(side)!), startup: timing(startup.get(side)!) });
  }
  return figures;
}
