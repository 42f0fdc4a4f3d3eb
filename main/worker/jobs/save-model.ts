// Keep a trained model: a checkpoint → the user's models folder as `<name>.onnx` (weights frozen,
// architecture and training in its metadata) plus `<name>.json`, the model card the catalogue
// lists (kind 'trained': it has an architectureSpec). The card's quality row is measured here, on
// the run's validation data with its training noise, so it states what this model really does.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { version } from '../../files/app-version.js';
import { safeFileName } from '../../files/file-name.js';
import { describeArchitecture, parameterCount, paramSpecs, validateArchitecture } from '../../../common/model/index.js';
import type { Tensor } from '../../engine/ir/tensor.js';
import { CheckpointError, evaluateModel, exportOnnx, modelCard, readCheckpoint } from '../../ml/train/index.js';
import { FileWriteError, writeFileAtomic } from '../../files/atomic-write.js';
import { isNameTaken, numberedModelName, writeFileOnClash, type ClashPolicy } from '../../files/clash.js';
import { checkpointFiles, readRunRecord } from '../../service/checkpoints.js';
import { withCapabilities } from '../../service/capabilities.js';
import {
  ServiceError,
  type ModelCard,
  type ModelCardFile,
  type ModelMetricRow,
} from '../../../common/contract/index.js';
import { dataPaths } from '../../service/data-dir.js';
import { engineExecutor } from '../../ml/inference/engine-models.js';
import { validationSamples } from './training-monitor.js';
import { describeNoise, measuredWith } from '../../../common/noise-spec.js';
import { openTrainingData, trainingNoise } from './training-setup.js';
import type { JobHandler } from './types.js';

/** The answer to a model name that is taken; the app asks whether to replace or keep both. */
function modelExists(name: string): ServiceError {
  return new ServiceError(
    'exists',
    `a model named '${name}' already exists; replace it, keep both or choose another name`,
  );
}

/**
 * Writes a model file into the user's models folder as `onClash` says and returns the path
 * written ("name-2.onnx" when both are kept). Messages name the model, never the app's folders.
 */
export async function writeModelFile(
  file: string,
  bytes: Uint8Array,
  onClash: ClashPolicy,
  name: string,
): Promise<string> {
  try {
    return await writeFileOnClash(file, bytes, onClash, numberedModelName);
  } catch (e) {
    if (isNameTaken(e)) throw modelExists(name);
    if (!(e instanceof FileWriteError)) throw e;
    console.warn(`models: ${e.message}`);
    throw new ServiceError(
      'failed',
      `cannot write the model '${name}' (the models folder is not writable or the disk is full)`,
    );
  }
}

export const saveModel: JobHandler<'save-model'> = async (params, ctx) => {
  const dataDir = ctx.config.dataDir;
  const record = await readRunRecord(dataDir, params.checkpointId);
  const stem = safeFileName(params.name).replace(/\s+/g, '-');
  const folder = dataPaths(dataDir).models;
  const file = path.join(folder, `${stem}.onnx`);
  // Fail fast before the evaluation; the write itself is what guards against a race.
  if (params.onClash === 'cancel' && (await stat(file).catch(() => undefined))) throw modelExists(stem);

  ctx.progress({ fraction: 0.1, message: 'reading the checkpoint' });
  let checkpoint;
  try {
    checkpoint = await readCheckpoint(checkpointFiles(dataDir, params.checkpointId).checkpoint);
  } catch (e) {
    if (e instanceof CheckpointError) throw new ServiceError('not-found', e.message);
    throw e;
  }
  const arch = validateArchitecture(checkpoint.state.architecture, `checkpoint '${params.checkpointId}'`);
  const weights = new Map<string, Tensor>();
  for (const s of paramSpecs(arch)) {
    const t = checkpoint.tensors.get(s.name);
    if (!t) throw new ServiceError('failed', `checkpoint '${params.checkpointId}' lacks parameter '${s.name}'`);
    weights.set(s.name, t);
  }
  await ctx.checkpoint();

  // Measure it on the run's validation data, when that data is still there.
  ctx.progress({ fraction: 0.3, message: 'measuring the model' });
  const noise = trainingNoise(record.request);
  const metrics: ModelMetricRow[] = [];
  let measured = 'not measured (the training data is no longer available)';
  let sampleShape: readonly number[] | undefined;
  const data = await openTrainingData(record.request, arch, ctx.hostRoots).catch(() => null);
  if (data) {
    sampleShape = data.train.sampleShape;
    const ev = await evaluateModel({ arch, params: weights }, data.validation, {
      executor: await engineExecutor(),
      noise: measuredWith(noise),
      seed: 0,
      maxSamples: validationSamples(data.validation),
    });
    measured = `validation PSNR ${ev.psnr.toFixed(2)} dB${ev.noisyPsnr !== null ? ` (noisy input ${ev.noisyPsnr.toFixed(2)} dB)` : ''} on ${ev.samples} samples of ${data.validationDescription}`;
    // SSIM needs images of at least 11×11 pixels: smaller samples (the 8×8 digits) get no row.
    if (ev.ssim !== null)
      metrics.push({
        dataset: data.validationDescription,
        noise: describeNoise(measuredWith(noise)),
        psnr: ev.psnr,
        ssim: ev.ssim,
        ...(ev.noisyPsnr !== null ? { psnrBaseline: ev.noisyPsnr } : {}),
        ...(ev.noisySsim !== null ? { ssimBaseline: ev.noisySsim } : {}),
      });
  }
  await ctx.checkpoint();

  const step = checkpoint.state.step;
  const r = record.request;
  const training = {
    data: record.dataDescription,
    noise,
    steps: step,
    batch: r.batch,
    optimizer: r.optimizer,
    lr: r.lr,
    seed: r.seed,
    checkpoint: params.checkpointId,
  };
  const bytes = exportOnnx(arch, weights, modelCard(arch, training, sampleShape), version);
  const net = arch.network;
  const card: ModelCardFile = {
    name: params.name,
    architecture: describeArchitecture(arch),
    architectureSpec: checkpoint.state.architecture,
    params: parameterCount(arch),
    inputChannels: net.type === 'dense' ? null : net.channels,
    noiseLevelInput: net.type === 'residual' && net.noiseLevelInput,
    trainingNoise: describeNoise(noise),
    metrics,
    description: `trained ${step} steps on ${record.dataDescription} (${r.optimizer}, lr ${r.lr}, batch ${r.batch}, seed ${r.seed}); ${measured}`,
    createdAt: new Date().toISOString(),
    trainingSteps: step,
  };
  ctx.progress({ fraction: 0.8, message: 'writing the model' });
  await mkdir(folder, { recursive: true });
  // The model first, then its card: a card never points at a missing model.
  const written = await writeModelFile(file, bytes, params.onClash, stem);
  const savedStem = path.basename(written, '.onnx');
  if (savedStem !== stem) card.name = savedStem;
  await writeFileAtomic(
    path.join(folder, `${savedStem}.json`),
    new TextEncoder().encode(JSON.stringify(card, null, 2) + '\n'),
    { overwrite: true },
  );
  const result: ModelCard = withCapabilities({
    ...card,
    id: `user/${savedStem}`,
    file: written,
    kind: 'trained',
    architecture: describeArchitecture(arch),
    params: parameterCount(arch),
    inputChannels: card.inputChannels ?? null,
    noiseLevelInput: card.noiseLevelInput ?? false,
    trainingNoise: describeNoise(noise),
    metrics,
  });
  return result;
};
