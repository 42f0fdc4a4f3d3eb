// The whole training command, as users meet it: `denoise-lab train` on the reference workload
// against the same training written in PyTorch (peers/torch_train.py), each a process of its own,
// timed from outside. Start-up (Node or Python, ONNX Runtime or torch, reading the data, compiling
// the step) is removed by differencing a short and a long run of the same command, so the figure is
// the time per step of the loop itself: batch assembly, noise, the step, progress, everything.

import path from 'node:path';
import { packageRoot } from '../main/files/app-paths.js';
import { PYTHON, PEERS } from './peers.js';
import { timeProcess } from './processes.js';
import { type Spread, differenced, spread } from './rounds.js';
import { WORKLOAD } from './workload.js';

const CLI = path.join(packageRoot, 'bin', 'denoise-lab.js');

export interface TrainProcessFigure {
  side: 'denoise-lab train' | 'PyTorch';
  threads: number;
  /** Time per step of the loop (ms), one value per round. */
  perStep: Spread;
  /** The rest of the short run: start-up, data, compile, writing the model (ms). */
  startup: Spread;
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
        const d = differenced(
          { steps: short, seconds: ms.get(`${side} ${short}`)! / 1000 },
          { steps: long, seconds: ms.get(`${side} ${long}`)! / 1000 },
        );
        perStep.get(side)!.push(d.secondsPerStep * 1000);
        startup.get(side)!.push(d.startupSeconds * 1000);
      }
    }
    for (const side of sides)
      figures.push({ side, threads, perStep: spread(perStep.get(side)!), startup: spread(startup.get(side)!) });
  }
  return figures;
}
