// `denoise-lab train`: train an autoencoder and export it as ONNX.
import { availableParallelism } from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { type TrainingNoise, parseNoiseLevel } from '../../../common/noise-spec.js';
import { EXECUTOR_NAMES, type ExecutorName, createExecutor } from '../../engine/exec/index.js';
import { parameterCount } from '../../../common/model/index.js';
import type { OptimizerConfig, ScheduleConfig } from '../../engine/optim/index.js';
import { CheckpointError, readCheckpoint } from '../../ml/train/checkpoint.js';
import { listKeptCheckpoints } from '../../ml/train/checkpoint-keeper.js';
import { RunControl } from '../../ml/train/control.js';
import { DatasetError } from '../../ml/train/datasets.js';
import { exportOnnx, importEngineModel, modelCard } from '../../ml/model-file.js';
import { openDataset } from '../../ml/train/source.js';
import { exportTrainingStep } from '../../ml/train/step-graph.js';
import { ResumeMismatchError, TrainDivergedError } from '../../ml/train/trainer.js';
import { runTrainingSession } from '../../ml/train/session.js';
import { dataParallel } from '../../ml/train/parallel.js';
import { type Command, UsageError } from '../command.js';
import { version } from '../../files/app-version.js';
import { numberOption, RANGES, type NumberRange } from '../options.js';
import { archFromOption } from './params.js';
import { onInterrupt } from '../huge-pages.js';

/** The numeric options' ranges: wide enough for any real run, narrow enough to catch typos. */
const NUMBERS = {
  steps: { min: 0, max: 10_000_000, integer: true },
  epochs: { min: 1, max: 100_000, integer: true },
  batch: { min: 1, max: 4096, integer: true },
  patch: { min: 1, max: 1024, integer: true },
  // Divergence at lr 100 is something people try on purpose (and the trainer stops it cleanly).
  lr: { min: 0, max: 1000, aboveMin: true },
  momentum: { min: 0, max: 0.999 },
  seed: RANGES.seed,
  threads: RANGES.threads,
} as const satisfies Record<string, NumberRange>;

const numeric = (values: Record<string, unknown>, name: keyof typeof NUMBERS) =>
  numberOption(values, name, NUMBERS[name]);

/**
 * `none`, `<type>:<level>` with the noise command's levels (gaussian:25, poisson:30,
 * salt-pepper:0.05…), or the camera mix for photo models: `camera-mix` (its Gaussian /
 * Poisson–Gaussian part as the default model's: 16 photons, σ 75) or `camera-mix:photons,σ`.
 */
export function parseNoiseOption(text: string): TrainingNoise | null {
  if (text === 'none') return null;
  if (text === 'camera-mix') return { type: 'camera-mix', photons: 16, sigma: 75 };
  if (text.startsWith('camera-mix:')) {
    try {
      const pg = parseNoiseLevel('poisson-gaussian', text.slice('camera-mix:'.length));
      if (pg.type === 'poisson-gaussian') return { type: 'camera-mix', photons: pg.photons, sigma: pg.sigma };
    } catch (e) {
      throw new UsageError(`--noise camera-mix: ${(e as Error).message.replace('poisson-gaussian', 'camera-mix')}`);
    }
  }
  const i = text.indexOf(':');
  if (i < 0) throw new UsageError(`--noise must be 'none' or <type>:<level> (e.g. gaussian:25), got '${text}'`);
  try {
    return parseNoiseLevel(text.slice(0, i), text.slice(i + 1));
  } catch (e) {
    throw new UsageError(`--noise: ${(e as Error).message}`);
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train an autoencoder on images, a .npy array or the digits, and export it as ONNX',
  usage: `Usage: denoise-lab train --arch <spec> --data <folder|file.npy|digits> --out <model.onnx> [options]

  --arch <spec>         dense:W0-…-Wn[:hidden[,out]], a preset (see 'params --help'), or a .json file
  --data <source>       a folder of images (random patches, flips/rotations), a .npy array
                        (N×D or N×C×H×W float32 on a [0, 1] scale), or 'digits' (built in)
  --out <model.onnx>    where to write the trained model (written atomically)
  --noise <spec>        none | gaussian:25 | poisson:30 | salt-pepper:0.05 … (levels on the 0–255
                        scale; default: the architecture's own, e.g. gaussian:25 for ref-dae);
                        camera-mix[:photons,σ] for photo models with a noise-level map: 60 %
                        camera-pipeline noise, 30 % poisson-gaussian (default 16,75), 10 % clean
  --steps N | --epochs N   how long to train (default: 1 epoch); --steps 0 writes the initial model
                        (steps 0–10000000, epochs 1–100000)
  --batch N             batch size, 1–4096 (default 16)
  --patch N             random N×N crops, 1–1024 (default 48 for folders; .npy samples are whole
                        without it)
  --optimizer sgd|adam  default adam (β1 0.9, β2 0.999, ε 1e-8, no weight decay); sgd has no
                        momentum unless --momentum is given
  --momentum X          SGD momentum, 0–0.999
  --lr X                learning rate, above 0 and at most 1000 (default 1e-3)
  --lr-schedule KIND    constant (default) or cosine: from --lr down to --lr/100 over --steps
  --seed N              seed of the initialisation, data order, crops and noise, 0–4294967295
                        (default 0)
  --init <model.onnx>   start from the parameters of a model exported by Denoise Lab
  --no-shuffle          walk the data in file order instead of a seeded shuffle
  --checkpoint <file>   write a checkpoint every 100 steps and at the end (atomic; never a state whose
                        loss blew up); the last 3 and the best stay beside it as <name>.step-N.<ext>,
                        listed with step and loss in <file>.index.json
  --resume <file>       continue exactly from a checkpoint (same --arch, --data, --batch, …)
  --executor NAME       ort-node (default), ort-web or reference;  --threads N  CPU threads, 1–64
                        (from 2 up, ort-node splits each batch over two threads where the step is
                        big enough: the summary's batchSlices)
  --export-step <file.onnx>  write the training-step graph (forward, backward, optimizer update)
                        as ONNX with a descriptor <file.onnx>.json, and train nothing: any ONNX
                        Runtime can then run the same steps (see scripts/train/README.md)
  --json                one JSON line per step {"step":k,"loss":…} (loss before step k's update,
                        mean over all elements), then a summary line`,
  options: {
    arch: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    noise: { type: 'string' },
    steps: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    patch: { type: 'string' },
    optimizer: { type: 'string' },
    momentum: { type: 'string' },
    lr: { type: 'string' },
    'export-step': { type: 'string' },
    'lr-schedule': { type: 'string' },
    seed: { type: 'string' },
    init: { type: 'string' },
    'no-shuffle': { type: 'boolean' },
    checkpoint: { type: 'string' },
    resume: { type: 'string' },
    executor: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }, io) {
    // ---- options, all checked before any work ------------------------------------------------
    const arch = await archFromOption(values.arch);
    if (typeof values.data !== 'string' || !values.data)
      throw new UsageError('--data <folder|file.npy|digits> is required');
    const out = values.out;
    if (typeof out !== 'string' || !out) throw new UsageError('--out <model.onnx> is required');
    if (!out.toLowerCase().endsWith('.onnx')) throw new UsageError(`--out must name a .onnx file, got '${out}'`);
    const outDir = await stat(path.dirname(path.resolve(out))).catch(() => undefined);
    if (!outDir?.isDirectory()) throw new UsageError(`--out: folder ${path.dirname(path.resolve(out))} does not exist`);
    if ((await stat(out).catch(() => undefined))?.isDirectory()) throw new UsageError(`--out: ${out} is a folder`);
    const noise = values.noise === undefined ? arch.noise : parseNoiseOption(String(values.noise));
    const steps = numeric(values, 'steps');
    const epochs = numeric(values, 'epochs');
    if (steps !== undefined && epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
    const batch = numeric(values, 'batch') ?? 16;
    const patch = numeric(values, 'patch');
    const lr = numeric(values, 'lr') ?? 1e-3;
    const scheduleName = (values['lr-schedule'] as string | undefined) ?? 'constant';
    let schedule: ScheduleConfig | number = lr;
    if (scheduleName === 'cosine') {
      if (steps === undefined) throw new UsageError('--lr-schedule cosine needs --steps (the length of the decay)');
      schedule = { kind: 'cosine', lr, totalSteps: steps, minLr: lr / 100 };
    } else if (scheduleName !== 'constant')
      throw new UsageError(`--lr-schedule must be constant or cosine, got '${scheduleName}'`);
    const seed = numeric(values, 'seed') ?? 0;
    const momentum = numeric(values, 'momentum');
    const optName = (values.optimizer as string | undefined) ?? 'adam';
    let optimizer: OptimizerConfig;
    if (optName === 'adam') {
      if (momentum !== undefined) throw new UsageError('--momentum applies to --optimizer sgd only');
      optimizer = { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
    } else if (optName === 'sgd') optimizer = { kind: 'sgd', momentum: momentum ?? 0 };
    else throw new UsageError(`--optimizer must be sgd or adam, got '${optName}'`);
    const executorName = (values.executor as string | undefined) ?? 'ort-node';
    if (!(EXECUTOR_NAMES as readonly string[]).includes(executorName))
      throw new UsageError(`--executor must be one of ${EXECUTOR_NAMES.join(', ')}, got '${executorName}'`);
    const threads = numeric(values, 'threads');
    if (values.init !== undefined && values.resume !== undefined)
      throw new UsageError('give --init or --resume, not both');

    // ---- inputs -------------------------------------------------------------------------------
    let data;
    try {
      data = await openDataset(values.data, arch, patch !== undefined ? { patch } : {});
    } catch (e) {
      if (e instanceof DatasetError) throw new UsageError(e.message);
      throw e;
    }
    const skipped = data.skipped?.length ?? 0;
    for (const s of data.skipped ?? []) io.err(`denoise-lab train: warning: skipped ${s.reason}\n`);
    if (skipped) io.err(`denoise-lab train: ${skipped} unreadable image${skipped === 1 ? '' : 's'} skipped\n`);
    if (typeof values['export-step'] === 'string') {
      const file = values['export-step'];
      const { onnx, descriptor } = exportTrainingStep(arch, { batch, sampleShape: data.sampleShape, optimizer });
      await writeFileAtomic(file, onnx, { overwrite: true });
      await writeFileAtomic(`${file}.json`, Buffer.from(JSON.stringify(descriptor, null, 2) + '\n'), {
        overwrite: true,
      });
      const summary = {
        exported: file,
        descriptor: `${file}.json`,
        params: parameterCount(arch),
        batch,
        sampleShape: data.sampleShape,
      };
      if (values.json) io.out(JSON.stringify(summary) + '\n');
      else io.err(`wrote the training step to ${file} (descriptor ${file}.json)\n`);
      return 0;
    }
    let init;
    if (typeof values.init === 'string') {
      const bytes = await readFile(values.init).catch(() => {
        throw new UsageError(`--init: cannot read ${String(values.init)}`);
      });
      let model;
      try {
        model = importEngineModel(bytes, values.init);
      } catch (e) {
        throw new UsageError(`--init: ${(e as Error).message}`);
      }
      if (JSON.stringify(model.arch.network) !== JSON.stringify(arch.network))
        throw new UsageError(`--init: ${values.init} has another network than --arch`);
      init = model.params;
    }
    let resume;
    if (typeof values.resume === 'string') {
      try {
        resume = await readCheckpoint(values.resume);
      } catch (e) {
        if (e instanceof CheckpointError) throw new UsageError(`--resume: ${e.message}`);
        throw e;
      }
    }

    // ---- train --------------------------------------------------------------------------------
    const control = new RunControl();
    // Ctrl-C stops at the end of the step and saves the checkpoint; a second press quits at once.
    const onSigint = onInterrupt(
      () => control.cancel(),
      () => {
        process.removeListener('SIGINT', onSigint);
        process.kill(process.pid, 'SIGINT');
      },
    );
    process.on('SIGINT', onSigint);
    const started = Date.now();
    let result;
    try {
      result = await runTrainingSession({
        arch,
        data,
        noise,
        steps,
        epochs,
        batch,
        optimizer,
        lr: schedule,
        seed,
        init,
        resume,
        shuffle: !values['no-shuffle'],
        executor: await createExecutor(executorName as ExecutorName, threads !== undefined ? { threads } : {}),
        ...(executorName === 'ort-node' ? { parallel: await dataParallel(threads ?? availableParallelism()) } : {}),
        ...(typeof values.checkpoint === 'string' ? { checkpoint: { file: values.checkpoint, everySteps: 100 } } : {}),
        control,
        onStep: values.json ? (s) => io.out(JSON.stringify({ step: s.step, loss: s.loss }) + '\n') : undefined,
        progressIntervalMs: 1000,
        onProgress: values.json
          ? undefined
          : ({ progress: p }) =>
              io.err(
                `step ${p.step}/${p.totalSteps}  loss ${p.loss.toPrecision(5)}  ${p.stepsPerSecond.toFixed(1)} steps/s  ETA ${Number.isFinite(p.etaMs) ? Math.round(p.etaMs / 1000) : '?'} s\n`,
              ),
      });
    } catch (e) {
      if (e instanceof TrainDivergedError) {
        io.err(`denoise-lab train: ${e.message}\n`);
        return 1;
      }
      if (e instanceof ResumeMismatchError) throw new UsageError(e.message);
      throw e;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }

    // ---- export -------------------------------------------------------------------------------
    const training = {
      data: data.description,
      noise,
      steps: result.step,
      epochs: result.epoch,
      batch,
      optimizer: { ...optimizer, lr },
      seed,
      init: values.init ?? null,
      finalLoss: result.lastLoss,
      status: result.status,
    };
    const bytes = exportOnnx(arch, result.params, modelCard(arch, training, data.sampleShape), version);
    await writeFileAtomic(out, bytes, { overwrite: true });
    // The checkpoints kept beside --checkpoint (the last 3 and the best), with step and loss.
    const checkpoints =
      typeof values.checkpoint === 'string'
        ? await listKeptCheckpoints(values.checkpoint).then(({ kept, best }) =>
            kept.map((k) => ({ ...k, best: k.step === best })),
          )
        : undefined;
    const summary = {
      done: true,
      status: result.status,
      steps: result.step,
      epochs: result.epoch,
      loss: result.lastLoss,
      params: parameterCount(arch),
      skippedImages: skipped,
      batchSlices: result.batchSlices,
      ...(checkpoints ? { checkpoints } : {}),
      out,
      seconds: (Date.now() - started) / 1000,
    };
    if (values.json) io.out(JSON.stringify(summary) + '\n');
    else
      io.out(
        `wrote ${out} (${summary.params} parameters, ${result.step} steps${result.lastLoss !== null ? `, final loss ${result.lastLoss.toPrecision(5)}` : ''}${skipped ? `, ${skipped} unreadable image${skipped === 1 ? '' : 's'} skipped` : ''}${result.status === 'cancelled' ? ', cancelled' : ''})\n`,
      );
    return result.status === 'cancelled' ? 130 : 0;
  },
};
