// One training session: what `denoise-lab train` (the CLI) and the Lab's train job (the worker)
// both run. Given the resolved architecture, data, noise and hyper-parameters, the checkpoint to
// keep and the one to resume from, and the caller's RunControl, it runs the trainer and turns its
// reports into what a door shows: the latest loss and its terms, the speed, chart points (the loss
// at the steps a run's history records, the speed) and the step a pause stopped at.
//
// Each door keeps only its own part: the CLI parses options, prints and exports the model; the
// worker job reports to the service, measures validation and the gallery at its own pace, and
// keeps the run record. Errors are the trainer's typed ones (TrainDivergedError,
// ResumeMismatchError), for each door to say in its own words.
import type { Architecture } from '../../../common/model/architecture.js';
import type { TrainingNoise } from '../../../common/noise-spec.js';
import { recordsLossAt } from '../../../common/run-history.js';
import type { Executor } from '../../engine/exec/executor.js';
import type { TrainOptions } from './trainer.js';
import type { Tensor } from '../../engine/ir/tensor.js';
import type { OptimizerConfig, ScheduleConfig } from '../../engine/optim/index.js';
import type { Checkpoint } from './checkpoint.js';
import type { KeptCheckpoint } from './checkpoint-keeper.js';
import type { RunControl } from './control.js';
import type { Dataset } from './datasets.js';
import { type Progress, type StepReport, type TrainResult, stepsPerEpoch, train } from './trainer.js';

/** A point of the run's charts: the loss (and its terms) at a step, or the speed. */
export interface ChartPoint {
  series: 'loss' | 'throughput';
  step: number;
  values: Record<string, number>;
}

/** Where the run is, and its latest figures. */
export interface SessionState {
  /** The last step taken in this session (0 before the first). */
  step: number;
  totalSteps: number;
  /** The last step's loss and its terms ('loss', 'loss/<term>'); empty before the first step. */
  loss: Record<string, number>;
  /** The latest speed (steps_per_s, samples_per_s); empty before the first progress report. */
  throughput: Record<string, number>;
}

export interface SessionProgress extends SessionState {
  /** The trainer's report (learning rate, epochs done, elapsed and remaining time…). */
  progress: Progress;
  /** The latest loss and the speed, for the charts. */
  chart: ChartPoint[];
}

export interface SessionOptions {
  arch: Architecture;
  data: Dataset;
  /** Input corruption; null trains on clean inputs. */
  noise: TrainingNoise | null;
  /** Total optimizer steps (a resumed run's included), or whole epochs (default: 1 epoch). */
  steps?: number;
  epochs?: number;
  batch: number;
  optimizer: OptimizerConfig;
  lr: number | ScheduleConfig;
  seed: number;
  /** Initial parameters (e.g. from a model file); default: initialised from the seed. */
  init?: ReadonlyMap<string, Tensor>;
  shuffle?: boolean;
  executor: Executor;
  /** Data parallelism (TrainOptions.parallel; dataParallel() picks it for a thread count). */
  parallel?: TrainOptions['parallel'];
  /** Where checkpoints are kept (see TrainOptions.checkpoint). */
  checkpoint?: { file: string; everySteps?: number };
  /** A checkpoint to continue from exactly. */
  resume?: Checkpoint;
  control?: RunControl;
  /** Minimum time between progress reports. */
  progressIntervalMs: number;
  /** After each step (the trainer's report), with the session's state (its own object, kept current). */
  onStep?: (r: StepReport, s: SessionState) => void;
  /** The loss at the steps a run's history records (see recordsLossAt): one point each. */
  onChart?: (points: ChartPoint[]) => void;
  /** Throttled progress; none while paused (the pause report has the exact state). */
  onProgress?: (p: SessionProgress) => void;
  /** The run stopped at a pause point: where, and its latest loss point. */
  onPause?: (s: SessionState & { chart: ChartPoint[] }) => void;
  /** After each checkpoint is written. */
  onCheckpoint?: (k: KeptCheckpoint, s: SessionState) => void;
}

export interface SessionResult extends TrainResult {
  totalSteps: number;
  /** The last step's loss and its terms, and the latest speed (as in SessionState). */
  loss: Record<string, number>;
  throughput: Record<string, number>;
}

export async function runTrainingSession(o: SessionOptions): Promise<SessionResult> {
  const totalSteps = o.steps ?? (o.epochs ?? 1) * stepsPerEpoch(o.data, o.batch);
  const state: SessionState = { step: 0, totalSteps, loss: {}, throughput: {} };
  const lossPoints = (): ChartPoint[] =>
    state.step > 0 ? [{ series: 'loss', step: state.step, values: state.loss }] : [];
  const result = await train({
    arch: o.arch,
    data: o.data,
    noise: o.noise,
    steps: state.totalSteps,
    batch: o.batch,
    optimizer: o.optimizer,
    lr: o.lr,
    seed: o.seed,
    ...(o.init ? { init: o.init } : {}),
    ...(o.shuffle !== undefined ? { shuffle: o.shuffle } : {}),
    executor: o.executor,
    ...(o.parallel ? { parallel: o.parallel } : {}),
    ...(o.checkpoint ? { checkpoint: o.checkpoint } : {}),
    ...(o.resume ? { resume: o.resume } : {}),
    ...(o.control ? { control: o.control } : {}),
    onPause: () => o.onPause?.({ ...state, chart: lossPoints() }),
    onStep: (r) => {
      state.step = r.step;
      state.loss = { loss: r.loss, ...Object.fromEntries(Object.entries(r.terms).map(([k, v]) => [`loss/${k}`, v])) };
      if (o.onChart && recordsLossAt(r.step, state.totalSteps)) o.onChart(lossPoints());
      o.onStep?.(r, state);
    },
    ...(o.onCheckpoint ? { onCheckpoint: (k: KeptCheckpoint) => o.onCheckpoint!(k, state) } : {}),
    progressIntervalMs: o.progressIntervalMs,
    ...(o.onProgress
      ? {
          onProgress: (p: Progress) => {
            // While paused the trainer repeats its last report; the pause already told the exact state.
            if (p.paused) return;
            state.throughput = { steps_per_s: p.stepsPerSecond, samples_per_s: p.samplesPerSecond };
            o.onProgress!({
              ...state,
              progress: p,
              chart: [...lossPoints(), { series: 'throughput', step: p.step, values: state.throughput }],
            });
          },
        }
      : {}),
  });
  return { ...result, totalSteps: state.totalSteps, loss: state.loss, throughput: state.throughput };
}
