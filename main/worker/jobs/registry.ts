// The one table of job handlers the worker can run. A kind missing here answers "not available in
// this build yet" with the reason in `pending` (the engine's jobs land with the engine).
import type { JobKind } from '../../service/contract.js';
import { addNoise } from './add-noise.js';
import { batchDenoise } from './batch-denoise.js';
import { debug } from './debug.js';
import { denoise } from './denoise.js';
import { estimateNoise } from './estimate-noise.js';
import { evaluate } from './evaluate.js';
import { exportImage } from './export.js';
import { importModel } from './import-model.js';
import { openImage } from './open-image.js';
import type { HandlerTable } from './types.js';

export const handlers: HandlerTable = {
  'open-image': openImage,
  'add-noise': addNoise,
  evaluate,
  export: exportImage,
  'import-model': importModel,
  denoise,
  'batch-denoise': batchDenoise,
  'estimate-noise': estimateNoise,
  debug,
};

/** Why a kind is not wired yet: the module it needs. */
export const pending: Partial<Record<JobKind, string>> = {
  train: 'needs the trainer (main/engine/train)',
  'save-model': 'needs the trainer checkpoints and ONNX export (main/engine)',
  'export-onnx': 'needs ONNX export (main/engine/onnx)',
  'latent-encode': 'needs the engine (main/engine)',
  'latent-decode': 'needs the engine (main/engine)',
  'latent-traversal': 'needs the engine (main/engine)',
  'latent-interpolate': 'needs the engine (main/engine)',
  'feature-maps': 'needs the engine (main/engine)',
};
