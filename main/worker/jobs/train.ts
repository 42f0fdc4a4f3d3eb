// Train an autoencoder (the Lab's Start button). The training session (ml/train/session.ts, the
// CLI's too) runs it under the job's own pause/cancel control; this handler reports it to the
// service: progress carries the loss terms, throughput and ETA, a monitor adds validation figures
// and the reconstruction gallery every couple of seconds, and the checkpoint lives in the user's
// data folder (see service/checkpoints.ts) so it can be saved as a model or resumed later.
import { measuredWith } from '../../../common/noise-spec.js';
import { mkdir } from 'node:fs/promises';
import type { Tensor } from '../../engine/ir/tensor.js';
import { architectureToJson } from '../../../common/model/index.js';
import {
  type Checkpoint,
  CheckpointError,
  ResumeMismatchError,
  RunCancelled,
  TrainDivergedError,
  readCheckpoint,
  type ChartPoint,
  type SessionState,
  runTrainingSession,
} from '../../ml/train/index.js';
import {
  checkpointFiles,
  describeCheckpoint,
  finiteOnly,
  type RunRecord,
  writeRunRecord,
} from '../../service/checkpoints.js';
import { ServiceError, type HistoryPoint } from '../../../common/contract/index.js';
import { dataPaths } from '../../service/data-dir.js';
import { ENGINE_THREADS, engineExecutor } from '../../ml/inference/engine-models.js';
import { dataParallel } from '../../ml/train/parallel.js';
import { TrainingMonitor, validationMetrics } from './training-monitor.js';
import { openTrainingData, optimizerConfig, resolveArchitecture, trainingNoise } from './training-setup.js';
import type { JobHandler } from './types.js';

/**
 * Wall time between validation + gallery passes: at least this, and at least 4× the last pass, so
 * that measuring a big model never takes more than about a fifth of the training time.
 */
const MONITOR_INTERVAL_MS = 2000;

/** Chart points as the contract carries them: finite values only. */
const history = (points: ChartPoint[]): HistoryPoint[] => points.map((p) => ({ ...p, values: finiteOnly(p.values) }));

export const train: JobHandler<'train'> = async (params, ctx) => {
  const dataDir = ctx.config.dataDir;
  ctx.progress({ fraction: 0, message: 'preparing the data' });
  const arch = await resolveArchitecture(params);
  const noise = trainingNoise(params);
  const data = await openTrainingData(params, arch, ctx.hostRoots);
  // Unreadable images were left out of a folder: say so once, and keep the count in every metrics
  // event (skipped_images) so the UI can show it beside the loss.
  const skipped = data.train.skipped ?? [];
  const dataMetrics: Record<string, number> = skipped.length ? { skipped_images: skipped.length } : {};
  if (skipped.length) {
    ctx.progress({
      message: `skipped ${skipped.length} unreadable image${skipped.length === 1 ? '' : 's'}: ${skipped.map((s) => s.name).join(', ')}`,
      metrics: dataMetrics,
    });
    ctx.flushProgress(); // its own event: later progress would merge over the message
  }
  let resume: Checkpoint | undefined;
  if (params.resumeFrom !== undefined) {
    try {
      resume = await readCheckpoint(checkpointFiles(dataDir, params.resumeFrom).checkpoint);
    } catch (e) {
      if (e instanceof CheckpointError)
        throw new ServiceError('not-found', `cannot resume from checkpoint '${params.resumeFrom}': ${e.message}`);
      throw e;
    }
  }
  await ctx.checkpoint();

  await mkdir(dataPaths(dataDir).checkpoints, { recursive: true });
  const files = checkpointFiles(dataDir, ctx.jobId);
  const record: RunRecord = {
    jobId: ctx.jobId,
    createdAt: new Date().toISOString(),
    request: params,
    architecture: JSON.parse(architectureToJson(arch)) as unknown,
    dataDescription: data.description,
    step: 0,
    metrics: {},
  };
  // Record writes are queued so they land in order; each is atomic.
  let recordWrites = writeRunRecord(dataDir, record);
  const saveRecord = (step: number, metrics: Record<string, number>) => {
    const snapshot = { ...record, step, metrics: finiteOnly(metrics) };
    recordWrites = recordWrites.then(() => writeRunRecord(dataDir, snapshot));
  };

  const executor = await engineExecutor();
  const monitor = new TrainingMonitor({ arch, validation: data.validation, noise: measuredWith(noise), executor, ctx });
  let validation: Record<string, number> = {};
  let monitorBusy: Promise<void> | null = null;
  let lastMonitor = -Infinity;
  let monitorError: unknown = null;
  let monitorInterval = MONITOR_INTERVAL_MS;
  // The latest loss and speed, for the monitor's reports: the session's state, once it has taken a step.
  let latest: SessionState = { step: 0, totalSteps: 0, loss: {}, throughput: {} };
  const runMonitor = async (params: ReadonlyMap<string, Tensor>, step: number) => {
    const started = Date.now();
    validation = validationMetrics(await monitor.validate(params));
    const preview = await monitor.preview(params);
    // Only metrics and preview: by the time validation is done the trainer has moved on, and a
    // step number from when it started would make the job's progress run backwards. The chart
    // point and the previews carry the step of the weights they measured.
    ctx.progress({
      metrics: finiteOnly({ ...latest.loss, ...validation, ...latest.throughput }),
      history: [{ series: 'validation', step, values: finiteOnly(validation) }],
      ...(preview ? { preview: preview.map((p) => ({ ...p, step })) } : {}),
    });
    monitorInterval = Math.max(MONITOR_INTERVAL_MS, 4 * (Date.now() - started));
  };

  let result;
  try {
    result = await runTrainingSession({
      arch,
      data: data.train,
      noise,
      steps: params.steps,
      epochs: params.epochs,
      batch: params.batch,
      optimizer: optimizerConfig(params.optimizer),
      lr: params.lr,
      seed: params.seed,
      executor,
      parallel: await dataParallel(ENGINE_THREADS),
      checkpoint: {
        file: files.checkpoint,
        ...(params.checkpointEvery > 0 ? { everySteps: params.checkpointEvery } : {}),
      },
      ...(resume ? { resume } : {}),
      control: ctx.control,
      progressIntervalMs: 250,
      onChart: (points) => ctx.progress({ history: history(points) }),
      onStep: (r, s) => {
        latest = s;
        const now = Date.now();
        if (!monitorBusy && now - lastMonitor >= monitorInterval) {
          lastMonitor = now;
          monitorBusy = runMonitor(r.params(), r.step)
            .catch((e: unknown) => void (monitorError ??= e))
            .finally(() => (monitorBusy = null));
        }
      },
      // Report the exact step the run stops at.
      onPause: (s) =>
        ctx.progress({
          step: s.step,
          total: s.totalSteps,
          fraction: s.totalSteps > 0 ? s.step / s.totalSteps : 1,
          message: `paused at step ${s.step} of ${s.totalSteps}`,
          metrics: finiteOnly({ ...s.loss, ...validation, ...s.throughput }),
          history: history(s.chart),
        }),
      // The record follows the checkpoints actually written (a periodic one waits for the next step's loss).
      onCheckpoint: (k, s) =>
        saveRecord(k.step, { ...s.loss, ...validation, ...(k.loss !== null ? { loss: k.loss } : {}) }),
      onProgress: (s) => {
        const p = s.progress;
        const metrics: Record<string, number> = {
          ...dataMetrics,
          ...s.loss,
          ...validation,
          ...s.throughput,
          lr: p.lr,
          epoch: p.epochProgress,
          elapsedMs: p.elapsedMs,
          etaMs: p.etaMs,
        };
        ctx.progress({
          fraction: p.totalSteps > 0 ? p.step / p.totalSteps : 1,
          step: p.step,
          total: p.totalSteps,
          message: `step ${p.step} of ${p.totalSteps}, loss ${p.loss.toPrecision(4)}`,
          metrics: finiteOnly(metrics),
          // The exact latest loss (the newest chart point is never a sampled one) and the speed.
          history: history(s.chart),
        });
      },
    });
  } catch (e) {
    await monitorBusy;
    await recordWrites.catch(() => undefined);
    if (e instanceof TrainDivergedError) {
      // Say which checkpoint survives in the user's terms (the list), not as a file path — or that none does.
      const kept = e.checkpoint;
      const tail = kept?.file
        ? ` The last good checkpoint (step ${kept.step}) is kept: save or resume it from the checkpoints list.`
        : kept
          ? ` The checkpoint it resumed from (step ${kept.step}) is untouched.`
          : params.checkpointEvery > 0
            ? ` No checkpoint was written yet (the first is due at step ${params.checkpointEvery}).`
            : ' No checkpoint was written before it (set checkpointEvery to keep one).';
      throw new ServiceError('failed', e.reason + tail);
    }
    if (e instanceof ResumeMismatchError) throw new ServiceError('bad-request', e.message);
    throw e;
  }
  await monitorBusy;
  if (monitorError) throw monitorError;

  if (result.status === 'cancelled') {
    // The trainer wrote a checkpoint of where it stopped: it stays, to be resumed or saved.
    saveRecord(result.step, { ...result.loss, ...validation });
    await recordWrites;
    throw new RunCancelled();
  }
  // The final state: validation, gallery and the record of the final checkpoint.
  ctx.progress({ message: 'measuring the trained model' });
  await runMonitor(result.params, result.step);
  const metrics = finiteOnly({ ...dataMetrics, ...result.loss, ...validation });
  saveRecord(result.step, metrics);
  await recordWrites;
  const checkpoint = await describeCheckpoint(dataDir, { ...record, step: result.step, metrics });
  if (!checkpoint) throw new Error(`the final checkpoint ${files.checkpoint} was not written`);
  ctx.progress({
    fraction: 1,
    step: result.step,
    total: result.totalSteps,
    message: 'done',
    metrics: finiteOnly({ ...metrics, ...result.throughput }),
  });
  return { steps: result.step, metrics, checkpoint };
};
