// From a `train` request (contract) to what the trainer takes: the architecture (spec string,
// preset or JSON, with λ/β applied), the training and validation data, the noise model and the
// optimizer. Shared by the train job and save-model (which re-measures a model on the same data).
import { ImagingError } from '../../../common/errors.js';
import path from 'node:path';
import { ArchitectureError, type Architecture, validateArchitecture } from '../../../common/model/index.js';
import { resolveArchSpec } from '../../ml/architecture-file.js';
import type { OptimizerConfig } from '../../engine/optim/index.js';
import { type Dataset, DatasetError, SampleDataset, openDataset, splitEveryKth } from '../../ml/train/index.js';
import { type TrainingNoise, noiseFromLevels } from '../../../common/noise-spec.js';
import { ServiceError, type JobParams } from '../../../common/contract/index.js';

type TrainRequest = JobParams<'train'>;

/** The request's architecture, validated, with λ (sparse/contractive weight) or β (VAE) applied. */
export async function resolveArchitecture(p: TrainRequest): Promise<Architecture> {
  let arch: Architecture;
  try {
    arch =
      typeof p.architecture === 'string'
        ? await resolveArchSpec(p.architecture)
        : validateArchitecture(p.architecture, 'architecture');
  } catch (e) {
    if (e instanceof ArchitectureError) throw new ServiceError('bad-request', e.message);
    throw e;
  }
  const v = arch.variant;
  if (p.lambda !== undefined) {
    if (v.type !== 'sparse' && v.type !== 'contractive')
      throw new ServiceError('bad-request', `λ applies to sparse and contractive models, not to a ${v.type} one`);
    arch = { ...arch, variant: { ...v, weight: p.lambda } };
  }
  if (p.beta !== undefined) {
    if (v.type !== 'variational')
      throw new ServiceError('bad-request', `β applies to variational models, not to a ${v.type} one`);
    arch = { ...arch, variant: { ...v, beta: p.beta } };
  }
  return arch;
}

/** The request's corruption of the inputs (null: train on clean inputs). */
export function trainingNoise(p: TrainRequest): TrainingNoise | null {
  const n = p.noise;
  if (n.type === 'none') return null;
  // The camera mix's classic part: read noise σ up to `level`, shot noise from 16 photons up, as
  // the CLI's default (--noise camera-mix).
  if (n.type === 'camera-mix') return { type: 'camera-mix', photons: 16, sigma: n.level };
  return noiseFromLevels({ ...n, type: n.type });
}

export function optimizerConfig(name: TrainRequest['optimizer']): OptimizerConfig {
  switch (name) {
    case 'sgd':
      return { kind: 'sgd' };
    case 'momentum':
      return { kind: 'sgd', momentum: 0.9 };
    case 'adam':
      return { kind: 'adam' };
    case 'adamw':
      return { kind: 'adamw', weightDecay: 0.01 };
  }
}

export interface TrainingData {
  train: Dataset;
  /** Held-out samples where the data has whole samples (digits, .npy); else fixed crops of the training images. */
  validation: Dataset;
  /** For model cards: what the model was trained and measured on. */
  description: string;
  validationDescription: string;
}

/** Opens the request's data shaped for the architecture; every fifth whole sample is held out. */
export async function openTrainingData(
  p: TrainRequest,
  arch: Architecture,
  within?: readonly string[],
): Promise<TrainingData> {
  const d = p.data;
  let source: string;
  if (d.kind === 'digits') source = 'digits';
  else {
    source = path.resolve(d.path); // absolute: a folder named "digits" is not the built-in set
    if (d.kind === 'npy' && !source.toLowerCase().endsWith('.npy'))
      throw new ServiceError('bad-request', `${d.path}: expected a .npy file`);
  }
  let data: Dataset;
  try {
    data = await openDataset(source, arch, {
      ...(p.patch !== undefined ? { patch: p.patch } : {}),
      ...(within ? { within } : {}),
    });
  } catch (e) {
    // A missing or unreadable training folder is a bad request here, whatever its imaging code.
    if (e instanceof DatasetError || e instanceof ImagingError) throw new ServiceError('bad-request', e.message);
    throw e;
  }
  if (data instanceof SampleDataset && data.length >= 10) {
    const { train, test } = splitEveryKth(data);
    return {
      train,
      validation: test,
      description: train.description,
      validationDescription: test.description,
    };
  }
  return {
    train: data,
    validation: data,
    description: data.description,
    validationDescription: `${data.description}, fixed crops`,
  };
}
