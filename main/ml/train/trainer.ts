// The training loop. One compiled graph does a whole step (forward, loss, backward, optimizer
// update), or, split over threads (the `parallel` option), one graph per slice of the batch and one
// for the update; the loop only assembles batches (the next one while a step runs), feeds the
// step's outputs back as the next step's inputs (parameters and optimizer state: no JS arithmetic
// on weights), and reports.
//
// Usable from a worker thread: no console, no process globals; everything goes through the
// callbacks, and pause/cancel through a RunControl.
//
// Reproducibility: a run is a function of its seed. new Rng(seed) is forked twice, the first
// child initialises the parameters (so the initial model depends on the seed only), the second
// drives the data (epoch orders, crops, noise, ε), in that order every step. A checkpoint stores
// the parameters, optimizer state, step, epoch position and the data Rng's state, so a resumed
// run continues bit for bit.

import { Rng } from '../../../common/rng.js';
import type { TrainingNoise } from '../../../common/noise-spec.js';
import type { CompiledGraph, Executor } from '../../engine/exec/executor.js';
import { Tensor } from '../../engine/ir/tensor.js';
import { type Architecture, architectureToJson } from '../../../common/model/architecture.js';
import { checkSampleShape, latentShape } from '../../engine/nn/build.js';
import { initParams } from '../../engine/nn/layers.js';
import { paramSpecs } from '../../../common/model/plan.js';
import { type LrSchedule, type OptimizerConfig, type ScheduleConfig, makeSchedule } from '../../engine/optim/index.js';
import { BatchSampler, assembleBatch } from './batches.js';
import { runnableStep } from './step-graph.js';
import type { Checkpoint } from './checkpoint.js';
import { CheckpointKeeper, type KeptCheckpoint } from './checkpoint-keeper.js';
import type { RunControl } from './control.js';
import type { Dataset } from './datasets.js';
import { type Evaluation, evaluateModel } from './evaluate.js';

/**
 * The loss went non-finite, or blew up: more than EXPLODED_FACTOR times the median of the last
 * LOSS_WINDOW losses (once MIN_LOSS_HISTORY are known). A finite 1e33 is as broken as NaN, and
 * the state that produced it must not be written over a good checkpoint. Losses under
 * EXPLODED_FLOOR are never called exploded: a near-perfect fit's tiny losses (1e-7 → 1e-4) can
 * jump by orders of magnitude without harm, and a median of 0 would make any loss a blow-up.
 */
export const EXPLODED_FACTOR = 100;
const EXPLODED_FLOOR = 1e-2;
const LOSS_WINDOW = 20;
const MIN_LOSS_HISTORY = 10;

export function lossExploded(loss: number, recent: readonly number[]): boolean {
  return recent.length >= MIN_LOSS_HISTORY && loss > EXPLODED_FLOOR && loss > EXPLODED_FACTOR * median(recent);
}

export class TrainDivergedError extends Error {
  constructor(
    /** What happened, without what was kept ("training diverged: the loss is NaN at step 57 (…)."). */
    readonly reason: string,
    readonly step: number,
    /** The checkpoint that survives: the last one written, or (file null) the one the run resumed from. */
    readonly checkpoint: { step: number; file: string | null } | null,
    /** What the message says about checkpoints (the CLI's words; the service says it its own way). */
    kept: string,
  ) {
    super(kept ? `${reason} ${kept}` : reason);
    this.name = 'TrainDivergedError';
  }
}

/** A checkpoint that this run cannot continue from (another architecture, batch, noise, data…). */
export class ResumeMismatchError extends RangeError {
  constructor(why: string) {
    super(`resume: ${why}`);
    this.name = 'ResumeMismatchError';
  }
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface StepReport {
  /** 1-based step number. */
  step: number;
  /** Epochs completed when the step began. */
  epoch: number;
  /** The loss BEFORE this step's update. */
  loss: number;
  terms: Record<string, number>;
  lr: number;
  /** Requested probes (latent code, feature maps) of this step's batch. */
  probes?: Record<string, Tensor>;
  /**
   * The parameters after this step's update, when called (a snapshot: the trainer replaces tensors,
   * never mutates them). For live previews and validation at the caller's own pace.
   */
  params: () => Map<string, Tensor>;
}

export interface Progress {
  step: number;
  totalSteps: number;
  epoch: number;
  /** Fractional epochs done. */
  epochProgress: number;
  loss: number;
  terms: Record<string, number>;
  lr: number;
  stepsPerSecond: number;
  samplesPerSecond: number;
  elapsedMs: number;
  etaMs: number;
  paused: boolean;
  validation: Evaluation | null;
}

export interface TrainOptions {
  arch: Architecture;
  data: Dataset;
  /** Evaluated every `validateEvery` steps and at the end (PSNR/SSIM, loss for early stopping). */
  validation?: Dataset;
  validateEvery?: number;
  /** Stop when the validation MSE has not improved by `minDelta` for `patience` validations. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Input corruption (default: the architecture's `noise`); null trains on clean inputs. */
  noise?: TrainingNoise | null;
  /** Total optimizer steps (including those a resumed run already did), or whole epochs. */
  steps?: number;
  epochs?: number;
  batch: number;
  optimizer: OptimizerConfig;
  /** Constant learning rate or a schedule. */
  lr: number | ScheduleConfig;
  clipGradNorm?: number;
  seed: number;
  /** Initial parameters (e.g. from --init); default: initialised from the seed. */
  init?: ReadonlyMap<string, Tensor>;
  /** Seeded shuffling of each epoch (default true); false walks the data in order. */
  shuffle?: boolean;
  executor: Executor;
  /**
   * Data parallelism: the batch split into `shards` equal slices, each slice's forward and backward
   * compiled by `executor` (one whose graphs run in threads of their own, OrtNodeThreadExecutor),
   * the averaged update by the main executor. Ignored where the step cannot split
   * (shardedTrainingStep says when). The numbers differ from the one-graph step's only by rounding.
   */
  parallel?: { shards: number; executor: Executor };
  /**
   * Write a checkpoint every `everySteps` steps, at a pause, on cancel and at the end; keep the last `keep`
   * (default 3) and the best beside it (see checkpoint-keeper.ts). A periodic checkpoint is
   * written once the next step's loss shows its parameters are sound.
   */
  checkpoint?: { file: string; everySteps?: number; keep?: number };
  /** Called after each checkpoint is written. */
  onCheckpoint?: (k: KeptCheckpoint) => void;
  resume?: Checkpoint;
  control?: RunControl;
  /** Called when the loop stops at a pause point, before it waits: the step it stopped after. */
  onPause?: (step: number) => void;
  onStep?: (r: StepReport) => void;
  onProgress?: (p: Progress) => void;
  /** Minimum time between progress reports (default 250 ms; a heartbeat repeats the last one every 500 ms). */
  progressIntervalMs?: number;
  /** Probe names (see TrainingModel.probes: 'z', 'feature/<layer>', …) returned with each StepReport. */
  probes?: readonly string[];
  /** Clock for throughput/ETA (default performance.now). */
  now?: () => number;
}

export interface TrainResult {
  status: 'completed' | 'cancelled' | 'early-stopped';
  step: number;
  epoch: number;
  /** Final parameters (the best validated ones after early stopping). */
  params: Map<string, Tensor>;
  optimizerState: Map<string, Tensor>;
  lastLoss: number | null;
  validation: Evaluation | null;
  best: { score: number; step: number } | null;
  /** Canonical run configuration, as stored in checkpoints. */
  config: Record<string, unknown>;
  /** Slices each batch was split into over threads (1: one graph per step; see TrainOptions.parallel). */
  batchSlices: number;
}

function runConfig(o: TrainOptions, noise: TrainingNoise | null): Record<string, unknown> {
  return {
    batch: o.batch,
    optimizer: o.optimizer,
    noise,
    shuffle: o.shuffle ?? true,
    seed: o.seed,
    sampleShape: o.data.sampleShape,
    datasetLength: o.data.length,
  };
}

/** Fresh parameters for an architecture: a function of the seed only. */
export function initialParams(arch: Architecture, seed: number): Map<string, Tensor> {
  const master = new Rng(seed);
  return initParams(paramSpecs(arch), master.fork());
}

export function stepsPerEpoch(data: Dataset, batch: number): number {
  return Math.ceil(data.length / batch);
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const noise = o.noise === undefined ? o.arch.noise : o.noise;
  if (!Number.isInteger(o.batch) || o.batch < 1)
    throw new RangeError(`batch must be a positive integer, got ${o.batch}`);
  checkSampleShape(o.arch, o.data.sampleShape);
  const estimator = o.arch.network.type === 'estimator';
  if (
    estimator &&
    !(noise && (noise.type === 'gaussian' || noise.type === 'poisson-gaussian' || noise.type === 'camera-mix'))
  )
    throw new RangeError(
      'a noise estimator trains on gaussian, poisson-gaussian or camera-mix noise (its level is the target)',
    );
  // Validation scores denoised photos against clean ones; it knows neither estimators nor the mix.
  const validationNoise = noise?.type === 'camera-mix' || estimator ? undefined : noise;
  if (o.validation && validationNoise === undefined)
    throw new RangeError('validation during training is not available for noise estimators or camera-mix noise');
  const perEpoch = stepsPerEpoch(o.data, o.batch);
  const totalSteps = o.steps ?? (o.epochs !== undefined ? o.epochs * perEpoch : undefined);
  if (totalSteps === undefined || !Number.isInteger(totalSteps) || totalSteps < 0)
    throw new RangeError('give steps or epochs (a non-negative integer)');
  const schedule: LrSchedule =
    typeof o.lr === 'number' ? makeSchedule({ kind: 'constant', lr: o.lr }) : makeSchedule(o.lr);
  const config = runConfig(o, noise);

  // ---- state: parameters, optimizer slots, data position -------------------------------------
  const master = new Rng(o.seed);
  const initRng = master.fork();
  let dataRng = master.fork();
  const specs = paramSpecs(o.arch);
  const state: Record<string, Tensor> = {};
  let step = 0;
  let best: { score: number; step: number } | null = null;
  let sampler: BatchSampler;

  const stepOptions = {
    batch: o.batch,
    sampleShape: o.data.sampleShape,
    optimizer: o.optimizer,
    ...(o.clipGradNorm !== undefined ? { clipGradNorm: o.clipGradNorm } : {}),
    probes: o.probes ?? [],
  };
  const runnable = runnableStep(o.arch, stepOptions, o.parallel);
  const ts = runnable.step;

  if (o.resume) {
    const ck = o.resume;
    if (JSON.stringify(ck.state.architecture) !== architectureToJson(o.arch))
      throw new ResumeMismatchError('the checkpoint was made for another architecture');
    for (const key of ['batch', 'optimizer', 'noise', 'shuffle', 'sampleShape', 'datasetLength'] as const) {
      if (JSON.stringify(ck.state.config[key]) !== JSON.stringify(config[key]))
        throw new ResumeMismatchError(
          `the checkpoint was made with ${key} ${JSON.stringify(ck.state.config[key])}, this run has ${JSON.stringify(config[key])}`,
        );
    }
    for (const p of ts.params) {
      const t = ck.tensors.get(p.name);
      if (!t) throw new ResumeMismatchError(`the checkpoint lacks parameter '${p.name}'`);
      state[p.name] = t;
    }
    for (const s of ts.slots) {
      const t = ck.tensors.get(s.input);
      if (!t) throw new ResumeMismatchError(`the checkpoint lacks optimizer state '${s.input}'`);
      state[s.input] = t;
    }
    step = ck.state.step;
    best = ck.state.best ?? null;
    dataRng = Rng.fromState(ck.state.rng);
    sampler = new BatchSampler(o.data.length, o.shuffle ?? true, dataRng, {
      order: ck.order,
      epoch: ck.state.epoch,
      cursor: ck.state.cursor,
    });
  } else {
    const init = o.init ?? initParams(specs, initRng);
    for (const s of specs) {
      const t = init.get(s.name);
      if (!t) throw new RangeError(`initial parameters lack '${s.name}'`);
      if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i]))
        throw new RangeError(
          `initial parameter '${s.name}' has shape [${t.shape}], the architecture wants [${s.shape}]`,
        );
      state[s.name] = t.dtype === 'float32' ? t : t.cast('float32');
    }
    Object.assign(state, ts.initialSlots());
    sampler = new BatchSampler(o.data.length, o.shuffle ?? true, dataRng);
  }

  const paramsNow = () => new Map(specs.map((s) => [s.name, state[s.name]!]));
  const slotsNow = () => new Map(ts.slots.map((s) => [s.input, state[s.input]!]));
  let bestParams: Map<string, Tensor> | null = null;

  // Recent step losses: what "exploded" is measured against, and the loss kept with checkpoints.
  const recent: number[] = o.resume?.state.recentLosses?.filter(Number.isFinite) ?? [];
  const keeper = o.checkpoint
    ? await CheckpointKeeper.open(o.checkpoint.file, {
        ...(o.checkpoint.keep !== undefined ? { keep: o.checkpoint.keep } : {}),
        fresh: !o.resume,
      })
    : null;
  // The checkpoint that survives if the run fails: the last one written, else the one resumed from.
  let survivor: { step: number; file: string | null } | null = o.resume
    ? { step: o.resume.state.step, file: null }
    : null;
  // Where the data stands: the sampler's place and the data generator's state. The next batch is
  // drawn while a step runs (its slices' threads leave this one free), so what a checkpoint or a
  // report says is the place before that batch: `next.before` once it is drawn.
  const position = () => ({ epoch: sampler.epoch, cursor: sampler.cursor, rng: dataRng.state(), order: sampler.order });
  type Drawn = { before: ReturnType<typeof position>; batch: ReturnType<typeof assembleBatch> };
  let next: Drawn | null = null;
  const draw = (): Drawn => {
    const before = position();
    // Every random draw of the batch is made in this call; only encoding (JPEG) finishes later.
    const batch = assembleBatch(o.data, sampler.next(o.batch), batchSpec, dataRng);
    batch.catch(() => {}); // a batch drawn for a step that never comes must not fail the process
    return { before, batch };
  };
  const dataNow = () => next?.before ?? position();
  // Everything a checkpoint holds, as of now (tensors are replaced by each step, never mutated).
  const snapshot = (): Checkpoint => {
    const at = dataNow();
    return {
      state: {
        architecture: JSON.parse(architectureToJson(o.arch)),
        step,
        epoch: at.epoch,
        cursor: at.cursor,
        rng: at.rng,
        config,
        best: best && { ...best },
        recentLosses: [...recent],
      },
      tensors: new Map<string, Tensor>([...paramsNow(), ...slotsNow()]),
      order: at.order.slice(),
    };
  };
  // The step of the last checkpoint written (a pause resumed and paused again writes it once).
  let savedStep = -1;
  const saveCheckpoint = async (ck: Checkpoint = snapshot()) => {
    if (!keeper) return;
    const kept = await keeper.save(ck, recent.length ? median(recent) : null);
    survivor = kept;
    savedStep = kept.step;
    o.onCheckpoint?.(kept);
  };
  // A periodic checkpoint waits for the next step's loss: the parameters it holds have not been
  // measured yet, and one update at a bad learning rate is enough to ruin them.
  let pending: Checkpoint | null = null;
  const diverged = (loss: number, lr: number, why = ''): TrainDivergedError => {
    const shown = Number.isFinite(loss) ? loss.toPrecision(3) : String(loss);
    const reason = `training diverged: the loss is ${shown} at step ${step + 1}${why} (learning rate ${lr} too high, or bad data?).`;
    let kept = '';
    if (o.checkpoint) {
      if (survivor?.file) kept = `The last good checkpoint (step ${survivor.step}) is kept in ${o.checkpoint.file}.`;
      else if (survivor) kept = `The checkpoint it resumed from (step ${survivor.step}) is untouched.`;
      else if (o.checkpoint.everySteps)
        kept = `No checkpoint was written yet (the first is due at step ${o.checkpoint.everySteps}).`;
      else kept = 'No checkpoint was written (one is written only at the end).';
    }
    return new TrainDivergedError(reason, step + 1, survivor, kept);
  };

  const lShape = o.arch.variant.type === 'variational' ? latentShape(o.arch, o.data.sampleShape) : null;
  // Denoisers with a noise-level input are fed the map; estimators learn to output it.
  const takesMap = o.arch.network.type === 'residual' && o.arch.network.noiseLevelInput;
  const batchSpec = {
    batch: o.batch,
    sampleShape: o.data.sampleShape,
    noise,
    epsShape: lShape,
    noiseLevelMap: takesMap || estimator,
    target: estimator ? ('noise-level' as const) : ('clean' as const),
  };

  // ---- progress reporting ----------------------------------------------------------------------
  const now = o.now ?? (() => performance.now());
  const interval = o.progressIntervalMs ?? 250;
  const started = now();
  const startStep = step;
  let lastReport = -Infinity;
  let reportedStep = -1;
  let last: Progress | null = null;
  let validation: Evaluation | null = null;
  const report = (force: boolean, r?: StepReport) => {
    if (!o.onProgress) return;
    const t = now();
    if (r) {
      const elapsed = t - started;
      const rate = elapsed > 0 ? ((step - startStep) * 1000) / elapsed : 0;
      const at = dataNow();
      last = {
        step,
        totalSteps,
        epoch: at.epoch,
        epochProgress: at.epoch + at.cursor / o.data.length,
        loss: r.loss,
        terms: r.terms,
        lr: r.lr,
        stepsPerSecond: rate,
        samplesPerSecond: rate * o.batch,
        elapsedMs: elapsed,
        etaMs: rate > 0 ? ((totalSteps - step) * 1000) / rate : Infinity,
        paused: o.control?.paused ?? false,
        validation,
      };
    }
    if (last && (force || t - lastReport >= interval)) {
      lastReport = t;
      reportedStep = last.step;
      o.onProgress({ ...last, paused: o.control?.paused ?? false, elapsedMs: t - started });
    }
  };
  const heartbeat = o.onProgress ? setInterval(() => report(true), 500) : null;

  const validate = async (): Promise<boolean> => {
    if (!o.validation) return false;
    validation = await evaluateModel({ arch: o.arch, params: paramsNow() }, o.validation, {
      executor: o.executor,
      noise: validationNoise ?? null,
      seed: o.seed,
    });
    const minDelta = o.earlyStopping?.minDelta ?? 0;
    if (!best || validation.mse < best.score - minDelta) {
      best = { score: validation.mse, step };
      if (o.earlyStopping) bestParams = paramsNow();
    }
    return !!o.earlyStopping && step - best.step >= o.earlyStopping.patience * (o.validateEvery ?? perEpoch);
  };

  let compiled: CompiledGraph | null = null;
  let status: TrainResult['status'] = 'completed';
  let lastLoss: number | null = null;
  try {
    if (step < totalSteps) compiled = await runnable.compile(o.executor);
    const scalar = (v: number) => Tensor.scalar(v, 'float32');
    while (step < totalSteps) {
      // A pause keeps where the run stands, as a cancel does: a paused run may never be resumed
      // (the app closed, the machine slept), and the user may want this state as a model. It is
      // written before the pause is reported, so a paused run always lists it.
      await o.control?.waitWhilePaused(async () => {
        if (step > startStep && savedStep !== step) {
          await saveCheckpoint();
          pending = null; // it held this same state
        }
        o.onPause?.(step);
      });
      if (o.control?.cancelled) {
        status = 'cancelled';
        break;
      }
      const drawn = next ?? draw();
      next = null;
      const epoch = drawn.before.epoch;
      const batch = await drawn.batch;
      const lr = schedule(step);
      const feeds: Record<string, Tensor> = { ...state, x: batch.x, y: batch.y, lr: scalar(lr), t: scalar(step + 1) };
      if (batch.eps) feeds.eps = batch.eps;
      if (takesMap && batch.noiseLevel) feeds.noise_level = batch.noiseLevel;
      const running = compiled!.run(feeds);
      if (step + 1 < totalSteps) next = draw(); // while the step runs, where its threads allow
      const out = await running;
      const loss = (out[ts.outputs.loss]!.data as Float32Array)[0]!;
      const terms: Record<string, number> = {};
      for (const [k, name] of Object.entries(ts.outputs.terms)) terms[k] = (out[name]!.data as Float32Array)[0]!;
      if (!Number.isFinite(loss)) throw diverged(loss, lr);
      if (lossExploded(loss, recent))
        throw diverged(loss, lr, `, over ${EXPLODED_FACTOR}× its recent median ${median(recent).toPrecision(3)}`);
      recent.push(loss);
      if (recent.length > LOSS_WINDOW) recent.shift();
      if (pending) {
        await saveCheckpoint(pending); // this step's loss vouches for the parameters it holds
        pending = null;
      }
      for (const f of ts.feedback) state[f.input] = out[f.output]!;
      step++;
      lastLoss = loss;
      const r: StepReport = { step, epoch, loss, terms, lr, params: paramsNow };
      const wanted = Object.keys(ts.outputs.probes);
      if (wanted.length) r.probes = Object.fromEntries(wanted.map((name) => [name, out[ts.outputs.probes[name]!]!]));
      o.onStep?.(r);
      report(step === 1 || step === totalSteps, r);
      if (o.checkpoint?.everySteps && step % o.checkpoint.everySteps === 0 && step < totalSteps) pending = snapshot();
      if (o.validation && o.validateEvery && step % o.validateEvery === 0 && step < totalSteps) {
        if (await validate()) {
          status = 'early-stopped';
          break;
        }
      }
    }
    if (status !== 'cancelled' && o.validation) await validate();
    await saveCheckpoint();
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    await compiled?.dispose();
  }
  if (reportedStep !== step) report(true); // the final state, unless the last step was just reported
  return {
    status,
    step,
    epoch: dataNow().epoch,
    params: status === 'early-stopped' && bestParams ? bestParams : paramsNow(),
    optimizerState: slotsNow(),
    lastLoss,
    validation,
    best,
    config,
    batchSlices: runnable.batchSlices,
  };
}
