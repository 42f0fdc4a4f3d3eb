// The one table of job handlers the worker can run. A kind missing here answers "not available in
// this build yet" with the reason in `pending` (the engine's jobs land with the engine).
import type { JobKind } from '../../service/contract.js';
import { addNoise } from './add-noise.js';
import { debug } from './debug.js';
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
  debug,
};

/** Why a kind is not wired yet: the module it needs. */
export const pending: Partial<Record<JobKind, string>> = {
  denoise: 'needs tiled inference (main/imaging) and an ONNX executor (main/engine/exec)',
  'batch-denoise': 'needs tiled inference (main/imaging) and an ONNX executor (main/engine/exec)',
  'estimate-noise': 'needs a noise-level estimator (main/imaging)',
  train: 'needs the trainer (main/engine/train)',
  'save-model': 'needs the trainer checkpoints and ONNX export (main/engine)',
  'export-onnx': 'needs ONNX export (main/engine/onnx)',
  'latent-encode': 'needs the engine (main/engine)',
  'latent-decode': 'needs the engine (main/engine)',
  'latent-traversal': 'needs the engine (main/engine)',
  'latent-interpolate': 'needs the engine (main/engine)',
  'feature-maps': 'needs the engine (main/engine)',
};
