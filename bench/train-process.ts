// The whole training command, as users meet it: `denoise-lab train` on the reference workload
// against the same training written in PyTorch (peers/torch_train.py), each a process of its own,
// timed from outside. Both print one line per step (`--json`, `--progress`), and the bench notes
// when each line arrives: the time per step is the time from the line of step `warm` to the last
// one, over the steps between, so it is the loop itself (batch assembly, noise, the step,
// progress, everything) once warm, without start-up (Node or Python, ONNX Runtime or torch,
// reading the data, compiling the step) or writing the model. Start-up is what the whole run
// took beyond its steps at that rate. (Differencing a short and a long run instead was at the
// mercy of PyTorch's start-up, which varies by ±0.4 s from run to run: ±8 ms a step over 50.)

import path from 'node:path';
import { packageRoot } from '../main/files/app-paths.js';
import { PYTHON, PEERS } from './peers.js';
import { timeProcess } from './processes.js';
import { type Spread, spread } from './rounds.js';
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
  /** The step from which the loop counts as warm, and the steps of each run. */
  steps: [number, number];
  patches: string;
  tmp: string;
  torch: boolean;
  log: (line: string) => void;
}

function commandOf(side: TrainProcessFigure['side'], o: TrainProcessOptions, threads: number, steps: number) {
  const common = ['--steps', String(steps), '--threads', String(threads), '--batch', String(WORKLOAD.batch)];
  // One line per step from both: the bench times the lines (see the header).
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
          '--progress',
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
          '--json',
          ...common,
        ],
      };
}

/** When each step's line arrived (ms from spawn), by step number. */
function stepTimes(lines: { text: string; ms: number }[]): Map<number, number> {
  const at = new Map<number, number>();
  for (const { text, ms } of lines) {
    const m = /^\{"step":(\d+)[,}]/.exec(text) ?? /^step (\d+)$/.exec(text);
    if (m) at.set(Number(m[1]), ms);
  }
  return at;
}

/** One run of each side per round, in interleaved rounds (the side that goes first alternates). */
export async function trainProcesses(o: TrainProcessOptions): Promise<TrainProcessFigure[]> {
  const sides: TrainProcessFigure['side'][] = o.torch ? ['denoise-lab train', 'PyTorch'] : ['denoise-lab train'];
  const [warm, steps] = o.steps;
  const figures: TrainProcessFigure[] = [];
  for (const threads of o.threads) {
    const perStep = new Map(sides.map((s) => [s, [] as number[]]));
    const startup = new Map(sides.map((s) => [s, [] as number[]]));
    for (let r = 0; r < o.rounds; r++) {
      o.log(`whole training process, ${threads} thread(s), round ${r + 1} of ${o.rounds}…`);
      for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
        const c = commandOf(side, o, threads, steps);
        const run = await timeProcess(c.command, c.args, `${side} (${steps} steps)`, {
          launcher: side === 'denoise-lab train',
        });
        const at = stepTimes(run.lines);
        const [from, to] = [at.get(warm), at.get(steps)];
        if (from === undefined || to === undefined)
          throw new Error(`${side} printed no line for step ${from === undefined ? warm : steps}`);
        const ms = (to - from) / (steps - warm);
        perStep.get(side)!.push(ms);
        startup.get(side)!.push(run.ms - steps * ms);
      }
    }
    for (const side of sides)
      figures.push({ side, threads, perStep: spread(perStep.get(side)!), startup: spread(startup.get(side)!) });
  }
  return figures;
}
